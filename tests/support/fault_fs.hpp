// A RocksDB file system for fault-injection tests: it forwards to a real file system and, on
// demand, simulates a power cut, a full disk or a failing fsync, so that tests of the event store
// (ledger and key vault, both opened with the same rocksdb::Env) can prove what survives.
//
// Durability model. drop_unsynced_data() turns the directory into a state a real ext4 power cut
// (journalled, data=ordered, the Linux default) can produce, taking the harshest such state
// where the model knows enough:
//  - A file written through this FS keeps the bytes written before its last successful
//    Sync/Fsync started, extended by any RangeSync that continued that prefix without a gap (as
//    RocksDB's own FaultInjectionTestFS does; a real sync_file_range is weaker); the rest is cut
//    off. A file reopened for writing counts its prior contents as durable.
//  - A file created through this FS that was never synced is removed when its directory was not
//    fsynced after the creation (the directory entry was never committed), and truncated to
//    0 bytes when it was (ext4 delayed allocation: entry committed, data not).
//  - A file that was synced keeps its directory entry even without a directory fsync: ext4's
//    fsync commits the journal transaction that holds the creation.
// Not modelled (lenient): renames, deletes and hard links are durable at once and never undone;
// in-place writes through NewRandomRWFile are never undone. The info LOG is written through a
// stdio stream the base file system opens itself, so only creating it fails during a power cut.
// Approximated: a recycled WAL (ReuseWritableFile) counts as a new empty file, so its stale
// tail is cut off along with its unsynced records.
//
// Counting. A "sync" is a Sync/Fsync of a writable or random-RW file or an Fsync of a directory
// (RocksDB 7.8 fsyncs the WAL directory on the first synced write to a new WAL, so that write
// costs two). RangeSync never counts, but fails while syncs fail. "Appended" bytes are those
// accepted by Append/PositionedAppend of writable files.
//
// Thread safety: every member may be called concurrently from any thread, as RocksDB does from
// its foreground and background threads. No lock is held across I/O to the base file system, so
// a fault switched on while an operation is in flight may or may not affect that operation, just
// as a real fault would; a sync still in flight when the power is cut reports failure.
//
// Lifetime: must outlive every DB, file and directory opened through it; make_env() shares
// ownership so that the Env keeps it alive.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/io_status.h>
#include <rocksdb/status.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace auditorium::testing {

namespace detail {
class FaultModel;
}  // namespace detail

class FaultFileSystem : public rocksdb::FileSystemWrapper {
public:
    explicit FaultFileSystem(
        std::shared_ptr<rocksdb::FileSystem> base = rocksdb::FileSystem::Default());
    ~FaultFileSystem() override;
    FaultFileSystem(const FaultFileSystem&) = delete;
    FaultFileSystem& operator=(const FaultFileSystem&) = delete;

    const char* Name() const override;

    // Power cut, step 1: from now on every create, write, append, flush, truncate, sync, rename,
    // link, delete and lock through this FS fails with IOError "simulated power cut" and changes
    // nothing on disk. Reads, closing files and releasing locks still work, so the store can be
    // closed.
    void cut_power();
    // Power cut, step 2: rolls every file written through this FS since its creation or the
    // last drop back to its durable state (see the model above), forgets all tracking and
    // restores the power. Space limits and sync failures stay as they are.
    // REQUIRES: every file written through this FS is closed (close the DB first); otherwise
    // returns InvalidArgument naming an open file and changes nothing.
    rocksdb::Status drop_unsynced_data();

    // Disk full: an append is refused with IOStatus::NoSpace(), writing nothing, when it would
    // take bytes_appended() past `bytes`. Partial appends never happen.
    void set_space_limit(std::uint64_t bytes);
    void clear_space_limit();

    // Failing disk: until cleared, every append is refused with IOError "simulated write
    // failure" (as for EIO), writing nothing. Unlike a full disk, RocksDB does not recover from
    // it by itself.
    void fail_appends();
    void clear_append_failures();

    // Failing fsync: after `n` more successful syncs, every Sync/Fsync (and RangeSync) fails with
    // IOError "simulated sync failure" until cleared. n = 0 fails the next one.
    // REQUIRES: n >= 0.
    void fail_syncs_after(int n);
    void clear_sync_failures();

    // Slow disk: while held, every Sync/Fsync (files and directories) waits before it starts,
    // until released; a held sync then goes on as usual (and may still fail as set above).
    // wait_for_held_sync() returns true once some sync waits, false at the deadline.
    void hold_syncs();
    void release_syncs();
    bool wait_for_held_sync(std::chrono::steady_clock::time_point deadline);

    std::uint64_t bytes_appended() const;  // since construction, across all files
    int syncs() const;                     // successful syncs since construction

    // rocksdb::FileSystem: the calls that create, change or sync files are checked and tracked;
    // all others forward to the base file system unchanged.
    rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                         std::unique_ptr<rocksdb::FSWritableFile>* result,
                                         rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                        const rocksdb::FileOptions& opts,
                                        std::unique_ptr<rocksdb::FSWritableFile>* result,
                                        rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus NewRandomRWFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                      std::unique_ptr<rocksdb::FSRandomRWFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus NewMemoryMappedFileBuffer(
        const std::string& fname,
        std::unique_ptr<rocksdb::MemoryMappedFileBuffer>* result) override;
    rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& opts,
                                   std::unique_ptr<rocksdb::FSDirectory>* result,
                                   rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& opts,
                                 rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus Truncate(const std::string& fname, size_t size,
                               const rocksdb::IOOptions& opts,
                               rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus CreateDir(const std::string& dirname, const rocksdb::IOOptions& opts,
                                rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus CreateDirIfMissing(const std::string& dirname, const rocksdb::IOOptions& opts,
                                         rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus DeleteDir(const std::string& dirname, const rocksdb::IOOptions& opts,
                                rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                                 const rocksdb::IOOptions& opts,
                                 rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus LinkFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& opts,
                               rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus LockFile(const std::string& fname, const rocksdb::IOOptions& opts,
                               rocksdb::FileLock** lock, rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus NewLogger(const std::string& fname, const rocksdb::IOOptions& opts,
                                std::shared_ptr<rocksdb::Logger>* result,
                                rocksdb::IODebugContext* dbg) override;
    // With a space limit set, reports no more than the space the limit leaves.
    rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& opts,
                                   uint64_t* diskfree, rocksdb::IODebugContext* dbg) override;

private:
    // Invariant: never null. Owned here; every file and directory handed out borrows it.
    const std::unique_ptr<detail::FaultModel> model_;
};

// An Env that routes all file I/O through `fs` (rocksdb::NewCompositeEnv) and everything else
// (threads, clock) to Env::Default(). The Env shares ownership of `fs`; the Env itself must
// outlive every DB opened with it. REQUIRES: fs != nullptr.
std::unique_ptr<rocksdb::Env> make_env(std::shared_ptr<FaultFileSystem> fs);

}  // namespace auditorium::testing
