// Mutex, MutexLock, SharedMutex (ReaderLock, WriterLock) and CondVar: the standard mutexes, locks
// and std::condition_variable with Clang's thread-safety attributes (thread_annotations.hpp), which
// libstdc++'s types lack. A waiting loop is written out at the call site (`while (!ready)
// cv.wait(lock);`) rather than passed as a predicate, so the analysis sees the guarded reads under
// the lock.
//
// Thread safety: as the standard types they wrap.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#include "base/thread_annotations.hpp"

namespace auditorium {

class AUD_CAPABILITY("mutex") Mutex {
public:
    Mutex() = default;
    Mutex(const Mutex&) = delete;
    Mutex& operator=(const Mutex&) = delete;

    void lock() AUD_ACQUIRE() { mu_.lock(); }
    void unlock() AUD_RELEASE() { mu_.unlock(); }

private:
    friend class MutexLock;
    std::mutex mu_;
};

// Holds `mu` for its scope.
class AUD_SCOPED_CAPABILITY MutexLock {
public:
    explicit MutexLock(Mutex& mu) AUD_ACQUIRE(mu) : lock_(mu.mu_) {}
    ~MutexLock() AUD_RELEASE() = default;
    MutexLock(const MutexLock&) = delete;
    MutexLock& operator=(const MutexLock&) = delete;

    // Releases the mutex before the scope ends, to notify or call out without holding it.
    void unlock() AUD_RELEASE() { lock_.unlock(); }

private:
    friend class CondVar;
    std::unique_lock<std::mutex> lock_;
};

// A reader-writer mutex: many readers (ReaderLock) or one writer (WriterLock).
class AUD_CAPABILITY("mutex") SharedMutex {
public:
    SharedMutex() = default;
    SharedMutex(const SharedMutex&) = delete;
    SharedMutex& operator=(const SharedMutex&) = delete;

    void lock() AUD_ACQUIRE() { mu_.lock(); }
    void unlock() AUD_RELEASE() { mu_.unlock(); }
    void lock_shared() AUD_ACQUIRE_SHARED() { mu_.lock_shared(); }
    void unlock_shared() AUD_RELEASE_SHARED() { mu_.unlock_shared(); }

private:
    std::shared_mutex mu_;
};

// Holds `mu` shared for its scope.
class AUD_SCOPED_CAPABILITY ReaderLock {
public:
    explicit ReaderLock(SharedMutex& mu) AUD_ACQUIRE_SHARED(mu) : mu_(mu) { mu_.lock_shared(); }
    ~ReaderLock() AUD_RELEASE() { mu_.unlock_shared(); }
    ReaderLock(const ReaderLock&) = delete;
    ReaderLock& operator=(const ReaderLock&) = delete;

private:
    SharedMutex& mu_;
};

// Holds `mu` exclusively for its scope.
class AUD_SCOPED_CAPABILITY WriterLock {
public:
    explicit WriterLock(SharedMutex& mu) AUD_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
    ~WriterLock() AUD_RELEASE() { mu_.unlock(); }
    WriterLock(const WriterLock&) = delete;
    WriterLock& operator=(const WriterLock&) = delete;

private:
    SharedMutex& mu_;
};

// Waits release the lock while blocked and hold it again when they return, as the standard's do.
class CondVar {
public:
    void wait(MutexLock& lock) { cv_.wait(lock.lock_); }
    // False when the deadline passed.
    template <class Clock, class Duration>
    bool wait_until(MutexLock& lock, std::chrono::time_point<Clock, Duration> deadline) {
        return cv_.wait_until(lock.lock_, deadline) == std::cv_status::no_timeout;
    }
    void notify_all() { cv_.notify_all(); }
    void notify_one() { cv_.notify_one(); }

private:
    std::condition_variable cv_;
};

}  // namespace auditorium
