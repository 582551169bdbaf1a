#include "eventstore/internal/public_random.hpp"

#include <pthread.h>
#include <sodium.h>

#include <array>
#include <atomic>
#include <cstring>
#include <mutex>

namespace auditorium::eventstore::internal {
namespace {

constexpr std::size_t kPoolBytes = 4096;
constexpr std::size_t kLargestFromPool = kPoolBytes / 4;  // larger draws go to the kernel directly

std::atomic<std::uint64_t> fork_generation{0};

void after_fork_in_child() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

struct Pool {
    std::array<std::uint8_t, kPoolBytes> bytes{};
    std::size_t used = kPoolBytes;  // empty until first drawn
    std::uint64_t generation = 0;
};

}  // namespace

void public_random(std::uint8_t* out, std::size_t n) {
    static std::once_flag registered;
    std::call_once(registered, [] { pthread_atfork(nullptr, nullptr, after_fork_in_child); });
    if (n > kLargestFromPool) {
        randombytes_buf(out, n);
        return;
    }
    thread_local Pool pool;
    const std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);
    if (pool.generation != generation || kPoolBytes - pool.used < n) {
        randombytes_buf(pool.bytes.data(), pool.bytes.size());
        pool.used = 0;
        pool.generation = generation;
    }
    std::memcpy(out, pool.bytes.data() + pool.used, n);
    pool.used += n;
}

}  // namespace auditorium::eventstore::internal
