#include "tests/support/fault_fs.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace auditorium::testing {

using rocksdb::FileOptions;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

namespace detail {

// What the model knows about one file written through the FS since the last drop. Shared by the
// path map and the open handles, because a file can be renamed or deleted while it is open.
struct FileState {
    std::uint64_t written = 0;  // end of the furthest byte written
    std::uint64_t durable = 0;  // prefix that survives a power cut
    bool created_here = false;  // its directory entry was made through this FS
    bool ever_synced = false;
    bool entry_durable = true;      // its directory entry survives a power cut
    std::uint64_t entry_epoch = 0;  // when the entry appeared; orders it against directory syncs
    int open_handles = 0;
};
using FileStatePtr = std::shared_ptr<FileState>;

// What drop_unsynced_data() does to one file.
struct Rollback {
    std::string path;
    bool remove = false;
    std::uint64_t length = 0;  // truncate to this length unless `remove`
};

struct RollbackPlan {
    std::string open_file;  // non-empty: some file is still open, nothing may be rolled back
    std::vector<Rollback> steps;
};

// Captured when a sync starts: what it makes durable once it succeeds.
struct SyncTicket {
    IOStatus status;
    std::uint64_t mark = 0;  // a file's written length, or the entry epoch for a directory
};

namespace {

IOStatus power_cut_error() { return IOStatus::IOError("simulated power cut"); }
IOStatus sync_error() { return IOStatus::IOError("simulated sync failure"); }
IOStatus no_space_error() { return IOStatus::NoSpace("simulated disk full"); }
IOStatus write_error() { return IOStatus::IOError("simulated write failure"); }

// RocksDB names one file in more than one spelling ("db//000001.log", "db/"), so keys are
// normalized lexically; it never relies on symlinks inside a DB directory.
std::string normalize(const std::string& path) {
    std::string key = std::filesystem::path(path).lexically_normal().string();
    if (key.size() > 1 && key.back() == '/') key.pop_back();
    return key;
}

std::string parent_of(const std::string& key) {
    return std::filesystem::path(key).parent_path().string();
}

}  // namespace

// A gate every sync passes before it starts: open, or held shut by the test (a slow disk).
class SyncGate {
public:
    void pass() {
        std::unique_lock lock(mu_);
        if (!held_) return;
        ++waiting_;
        cv_.notify_all();
        cv_.wait(lock, [&] { return !held_; });
        --waiting_;
    }
    void hold() {
        std::lock_guard lock(mu_);
        held_ = true;
    }
    void release() {
        {
            std::lock_guard lock(mu_);
            held_ = false;
        }
        cv_.notify_all();
    }
    bool wait_for_waiter(std::chrono::steady_clock::time_point deadline) {
        std::unique_lock lock(mu_);
        return cv_.wait_until(lock, deadline, [&] { return waiting_ > 0; });
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool held_ = false;  // GUARDED_BY(mu_)
    int waiting_ = 0;    // GUARDED_BY(mu_)
};

// The fault switches and the durability bookkeeping behind FaultFileSystem and its files.
// Thread-safe; one mutex guards everything and is never held across I/O.
class FaultModel {
public:
    IOStatus powered() const {
        std::lock_guard lock(mu_);
        return power_cut_ ? power_cut_error() : IOStatus::OK();
    }
    void cut_power() {
        std::lock_guard lock(mu_);
        power_cut_ = true;
    }

    // Appends: reserve before the I/O so concurrent appends cannot overshoot the limit together.
    IOStatus reserve_append(std::uint64_t n);
    void finish_append(FileState& file, std::optional<std::uint64_t> offset, std::uint64_t n,
                       bool ok);
    void set_space_limit(std::optional<std::uint64_t> limit) {
        std::lock_guard lock(mu_);
        space_limit_ = limit;
    }
    void set_appends_fail(bool fail) {
        std::lock_guard lock(mu_);
        appends_fail_ = fail;
    }
    std::uint64_t appended() const {
        std::lock_guard lock(mu_);
        return appended_;
    }
    std::optional<std::uint64_t> space_left() const;

    // Syncs: begin_* takes one unit of the sync budget; finish_* settles it with the result.
    SyncTicket begin_file_sync(const FileState& file);
    SyncTicket begin_dir_sync();
    SyncTicket begin_untracked_sync();
    IOStatus finish_file_sync(FileState& file, const SyncTicket& ticket, IOStatus result);
    IOStatus finish_dir_sync(const std::string& dir, const SyncTicket& ticket, IOStatus result);
    IOStatus finish_untracked_sync(IOStatus result);
    IOStatus range_sync_permitted() const;
    void range_synced(FileState& file, std::uint64_t offset, std::uint64_t nbytes);
    void set_sync_budget(std::optional<int> budget) {
        std::lock_guard lock(mu_);
        sync_budget_ = budget;
    }
    int syncs() const {
        std::lock_guard lock(mu_);
        return syncs_;
    }
    SyncGate& gate() { return gate_; }

    // Tracking of paths and open handles.
    FileStatePtr track_created(const std::string& path, bool new_entry);
    FileStatePtr track_reopened(const std::string& path, bool new_entry, std::uint64_t size);
    FileStatePtr track_reused(const std::string& path, const std::string& old_path);
    void opened(FileState& file);
    void closed(FileState& file);
    void truncated(FileState& file, std::uint64_t size);
    void truncated(const std::string& path, std::uint64_t size);
    void renamed(const std::string& from, const std::string& to);
    void deleted(const std::string& path);

    RollbackPlan plan_rollback() const;
    // Forgets all tracking and switches the power back on.
    void restore_power();

private:
    std::optional<IOStatus> take_sync_budget_locked();
    IOStatus settle_sync_locked(IOStatus result);
    FileStatePtr replace_locked(const std::string& key, FileState fresh);

    mutable std::mutex mu_;
    bool power_cut_ = false;                     // GUARDED_BY(mu_)
    std::optional<std::uint64_t> space_limit_;   // GUARDED_BY(mu_)
    bool appends_fail_ = false;                  // GUARDED_BY(mu_)
    std::uint64_t appended_ = 0;                 // GUARDED_BY(mu_), includes in-flight appends
    std::optional<int> sync_budget_;             // GUARDED_BY(mu_), nullopt: syncs never fail
    int syncs_ = 0;                              // GUARDED_BY(mu_)
    std::uint64_t epoch_ = 0;                    // GUARDED_BY(mu_)
    std::map<std::string, FileStatePtr> files_;  // GUARDED_BY(mu_), by normalized path
    SyncGate gate_;  // before mu_: a held sync waits without blocking anything else
};

IOStatus FaultModel::reserve_append(std::uint64_t n) {
    std::lock_guard lock(mu_);
    if (power_cut_) return power_cut_error();
    if (appends_fail_) return write_error();
    if (space_limit_ && (appended_ > *space_limit_ || n > *space_limit_ - appended_))
        return no_space_error();
    appended_ += n;
    return IOStatus::OK();
}

void FaultModel::finish_append(FileState& file, std::optional<std::uint64_t> offset,
                               std::uint64_t n, bool ok) {
    std::lock_guard lock(mu_);
    if (!ok) {
        appended_ -= n;  // the reservation was not used
        return;
    }
    file.written = offset ? std::max(file.written, *offset + n) : file.written + n;
}

std::optional<std::uint64_t> FaultModel::space_left() const {
    std::lock_guard lock(mu_);
    if (!space_limit_) return std::nullopt;
    return appended_ >= *space_limit_ ? 0 : *space_limit_ - appended_;
}

// nullopt when the sync may go ahead; the budget is then already charged.
std::optional<IOStatus> FaultModel::take_sync_budget_locked() {
    if (power_cut_) return power_cut_error();
    if (sync_budget_) {
        if (*sync_budget_ <= 0) return sync_error();
        --*sync_budget_;
    }
    return std::nullopt;
}

IOStatus FaultModel::settle_sync_locked(IOStatus result) {
    // A sync that returns after the cut was still in flight when the power went: not durable.
    if (result.ok() && power_cut_) result = power_cut_error();
    if (!result.ok()) {
        if (sync_budget_) ++*sync_budget_;  // only successful syncs spend the budget
        return result;
    }
    ++syncs_;
    return result;
}

SyncTicket FaultModel::begin_file_sync(const FileState& file) {
    gate_.pass();
    std::lock_guard lock(mu_);
    if (auto refused = take_sync_budget_locked()) return {*refused, 0};
    return {IOStatus::OK(), file.written};
}

SyncTicket FaultModel::begin_dir_sync() {
    gate_.pass();
    std::lock_guard lock(mu_);
    if (auto refused = take_sync_budget_locked()) return {*refused, 0};
    return {IOStatus::OK(), epoch_};
}

SyncTicket FaultModel::begin_untracked_sync() { return begin_dir_sync(); }

IOStatus FaultModel::finish_file_sync(FileState& file, const SyncTicket& ticket, IOStatus result) {
    std::lock_guard lock(mu_);
    result = settle_sync_locked(std::move(result));
    if (result.ok()) {
        // Only what was written before the sync started is known to be covered by it.
        file.durable = std::max(file.durable, std::min(ticket.mark, file.written));
        file.ever_synced = true;
    }
    return result;
}

IOStatus FaultModel::finish_dir_sync(const std::string& dir, const SyncTicket& ticket,
                                     IOStatus result) {
    std::lock_guard lock(mu_);
    result = settle_sync_locked(std::move(result));
    if (!result.ok()) return result;
    for (auto& [key, file] : files_) {
        // Entries made while this fsync was in flight may have missed it.
        if (file->entry_epoch <= ticket.mark && parent_of(key) == dir) file->entry_durable = true;
    }
    return result;
}

IOStatus FaultModel::finish_untracked_sync(IOStatus result) {
    std::lock_guard lock(mu_);
    return settle_sync_locked(std::move(result));
}

IOStatus FaultModel::range_sync_permitted() const {
    std::lock_guard lock(mu_);
    if (power_cut_) return power_cut_error();
    if (sync_budget_ && *sync_budget_ <= 0) return sync_error();
    return IOStatus::OK();
}

void FaultModel::range_synced(FileState& file, std::uint64_t offset, std::uint64_t nbytes) {
    std::lock_guard lock(mu_);
    // A range that leaves a gap after the durable prefix makes nothing more of it durable.
    if (power_cut_ || offset > file.durable) return;
    file.durable = std::max(file.durable, std::min(offset + nbytes, file.written));
}

FileStatePtr FaultModel::replace_locked(const std::string& key, FileState fresh) {
    fresh.entry_epoch = ++epoch_;
    auto file = std::make_shared<FileState>(fresh);
    files_[key] = file;
    return file;
}

FileStatePtr FaultModel::track_created(const std::string& path, bool new_entry) {
    std::lock_guard lock(mu_);
    const std::string key = normalize(path);
    FileState fresh;
    fresh.created_here = new_entry;
    fresh.entry_durable = !new_entry;
    if (auto it = files_.find(key); it != files_.end()) {
        // Recreated over a file made earlier in this period: that entry may still be volatile.
        fresh.created_here = it->second->created_here;
        fresh.entry_durable = it->second->entry_durable;
    }
    return replace_locked(key, fresh);
}

FileStatePtr FaultModel::track_reopened(const std::string& path, bool new_entry,
                                        std::uint64_t size) {
    std::lock_guard lock(mu_);
    const std::string key = normalize(path);
    if (auto it = files_.find(key); it != files_.end()) {
        it->second->written = size;
        it->second->durable = std::min(it->second->durable, size);
        return it->second;
    }
    FileState fresh;
    fresh.written = size;
    fresh.durable = size;  // contents from before tracking began count as durable
    fresh.created_here = new_entry;
    fresh.entry_durable = !new_entry;
    return replace_locked(key, fresh);
}

FileStatePtr FaultModel::track_reused(const std::string& path, const std::string& old_path) {
    std::lock_guard lock(mu_);
    files_.erase(normalize(old_path));
    return replace_locked(normalize(path), FileState{});
}

void FaultModel::opened(FileState& file) {
    std::lock_guard lock(mu_);
    ++file.open_handles;
}

void FaultModel::closed(FileState& file) {
    std::lock_guard lock(mu_);
    --file.open_handles;
}

void FaultModel::truncated(FileState& file, std::uint64_t size) {
    std::lock_guard lock(mu_);
    file.written = size;
    file.durable = std::min(file.durable, size);
}

void FaultModel::truncated(const std::string& path, std::uint64_t size) {
    FileStatePtr file;
    {
        std::lock_guard lock(mu_);
        auto it = files_.find(normalize(path));
        if (it == files_.end()) return;
        file = it->second;
    }
    truncated(*file, size);
}

void FaultModel::renamed(const std::string& from, const std::string& to) {
    std::lock_guard lock(mu_);
    const std::string to_key = normalize(to);
    auto it = files_.find(normalize(from));
    if (it == files_.end()) {
        files_.erase(to_key);  // replaced by a file this FS knows nothing about
        return;
    }
    FileStatePtr file = it->second;
    files_.erase(it);
    file->entry_epoch = ++epoch_;
    files_[to_key] = file;
}

void FaultModel::deleted(const std::string& path) {
    std::lock_guard lock(mu_);
    files_.erase(normalize(path));
}

RollbackPlan FaultModel::plan_rollback() const {
    std::lock_guard lock(mu_);
    RollbackPlan plan;
    for (const auto& [key, file] : files_) {
        if (file->open_handles > 0) return {key, {}};
        const bool vanishes = file->created_here && !file->ever_synced && !file->entry_durable;
        plan.steps.push_back({key, vanishes, file->durable});
    }
    return plan;
}

void FaultModel::restore_power() {
    std::lock_guard lock(mu_);
    files_.clear();
    power_cut_ = false;
}

}  // namespace detail

namespace {

using detail::FaultModel;
using detail::FileStatePtr;

// A writable file whose appends, truncations and syncs pass the fault switches and are tracked.
class FaultWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
public:
    // `model` must outlive the file (the FS outlives every file it opened).
    FaultWritableFile(std::unique_ptr<rocksdb::FSWritableFile> base, FaultModel& model,
                      FileStatePtr state)
        : FSWritableFileOwnerWrapper(std::move(base)), model_(model), state_(std::move(state)) {
        model_.opened(*state_);
    }
    ~FaultWritableFile() override { release(); }
    FaultWritableFile(const FaultWritableFile&) = delete;
    FaultWritableFile& operator=(const FaultWritableFile&) = delete;

    IOStatus Append(const Slice& data, const IOOptions& o, IODebugContext* d) override {
        return append(data.size(), std::nullopt,
                      [&] { return FSWritableFileOwnerWrapper::Append(data, o, d); });
    }
    IOStatus Append(const Slice& data, const IOOptions& o, const rocksdb::DataVerificationInfo& v,
                    IODebugContext* d) override {
        return append(data.size(), std::nullopt,
                      [&] { return FSWritableFileOwnerWrapper::Append(data, o, v, d); });
    }
    IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                              IODebugContext* d) override {
        return append(data.size(), offset, [&] {
            return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, d);
        });
    }
    IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                              const rocksdb::DataVerificationInfo& v, IODebugContext* d) override {
        return append(data.size(), offset, [&] {
            return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, v, d);
        });
    }
    IOStatus Truncate(uint64_t size, const IOOptions& o, IODebugContext* d) override;
    IOStatus Flush(const IOOptions& o, IODebugContext* d) override {
        if (IOStatus s = model_.powered(); !s.ok()) return s;
        return FSWritableFileOwnerWrapper::Flush(o, d);
    }
    IOStatus Sync(const IOOptions& o, IODebugContext* d) override {
        return sync([&] { return FSWritableFileOwnerWrapper::Sync(o, d); });
    }
    IOStatus Fsync(const IOOptions& o, IODebugContext* d) override {
        return sync([&] { return FSWritableFileOwnerWrapper::Fsync(o, d); });
    }
    IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const IOOptions& o,
                       IODebugContext* d) override;
    IOStatus Allocate(uint64_t offset, uint64_t len, const IOOptions& o,
                      IODebugContext* d) override {
        if (IOStatus s = model_.powered(); !s.ok()) return s;
        return FSWritableFileOwnerWrapper::Allocate(offset, len, o, d);
    }
    // Closing is always allowed: it releases the descriptor and writes nothing of its own.
    IOStatus Close(const IOOptions& o, IODebugContext* d) override {
        IOStatus s = FSWritableFileOwnerWrapper::Close(o, d);
        release();
        return s;
    }

private:
    template <class Op>
    IOStatus append(std::uint64_t n, std::optional<std::uint64_t> offset, Op op) {
        if (IOStatus s = model_.reserve_append(n); !s.ok()) return s;
        IOStatus s = op();
        model_.finish_append(*state_, offset, n, s.ok());
        return s;
    }
    template <class Op>
    IOStatus sync(Op op) {
        detail::SyncTicket ticket = model_.begin_file_sync(*state_);
        if (!ticket.status.ok()) return ticket.status;
        return model_.finish_file_sync(*state_, ticket, op());
    }
    // Close and destruction are not concurrent (a RocksDB file is used by one owner at a time).
    void release() {
        if (released_) return;
        released_ = true;
        model_.closed(*state_);
    }

    FaultModel& model_;
    const FileStatePtr state_;
    bool released_ = false;
};

IOStatus FaultWritableFile::Truncate(uint64_t size, const IOOptions& o, IODebugContext* d) {
    if (IOStatus s = model_.powered(); !s.ok()) return s;
    IOStatus s = FSWritableFileOwnerWrapper::Truncate(size, o, d);
    if (s.ok()) model_.truncated(*state_, size);
    return s;
}

IOStatus FaultWritableFile::RangeSync(uint64_t offset, uint64_t nbytes, const IOOptions& o,
                                      IODebugContext* d) {
    if (IOStatus s = model_.range_sync_permitted(); !s.ok()) return s;
    IOStatus s = FSWritableFileOwnerWrapper::RangeSync(offset, nbytes, o, d);
    if (s.ok()) model_.range_synced(*state_, offset, nbytes);
    return s;
}

// A random read-write file: writes and syncs pass the fault switches; contents are not tracked.
class FaultRandomRWFile final : public rocksdb::FSRandomRWFileOwnerWrapper {
public:
    // `model` must outlive the file.
    FaultRandomRWFile(std::unique_ptr<rocksdb::FSRandomRWFile> base, FaultModel& model)
        : FSRandomRWFileOwnerWrapper(std::move(base)), model_(model) {}

    IOStatus Write(uint64_t offset, const Slice& data, const IOOptions& o,
                   IODebugContext* d) override {
        if (IOStatus s = model_.powered(); !s.ok()) return s;
        return FSRandomRWFileOwnerWrapper::Write(offset, data, o, d);
    }
    IOStatus Flush(const IOOptions& o, IODebugContext* d) override {
        if (IOStatus s = model_.powered(); !s.ok()) return s;
        return FSRandomRWFileOwnerWrapper::Flush(o, d);
    }
    IOStatus Sync(const IOOptions& o, IODebugContext* d) override {
        return sync([&] { return FSRandomRWFileOwnerWrapper::Sync(o, d); });
    }
    IOStatus Fsync(const IOOptions& o, IODebugContext* d) override {
        return sync([&] { return FSRandomRWFileOwnerWrapper::Fsync(o, d); });
    }

private:
    template <class Op>
    IOStatus sync(Op op) {
        detail::SyncTicket ticket = model_.begin_untracked_sync();
        if (!ticket.status.ok()) return ticket.status;
        return model_.finish_untracked_sync(op());
    }

    FaultModel& model_;
};

// A directory whose fsyncs pass the fault switches and make earlier entries in it durable.
class FaultDirectory final : public rocksdb::FSDirectoryWrapper {
public:
    // `model` must outlive the directory.
    FaultDirectory(std::unique_ptr<rocksdb::FSDirectory> base, FaultModel& model, std::string key)
        : FSDirectoryWrapper(std::move(base)), model_(model), key_(std::move(key)) {}

    IOStatus Fsync(const IOOptions& o, IODebugContext* d) override {
        return sync([&] { return FSDirectoryWrapper::Fsync(o, d); });
    }
    // The base forwards this straight to its target, bypassing Fsync above, so both are caught.
    IOStatus FsyncWithDirOptions(const IOOptions& o, IODebugContext* d,
                                 const rocksdb::DirFsyncOptions& dir_opts) override {
        return sync([&] { return FSDirectoryWrapper::FsyncWithDirOptions(o, d, dir_opts); });
    }

private:
    template <class Op>
    IOStatus sync(Op op) {
        detail::SyncTicket ticket = model_.begin_dir_sync();
        if (!ticket.status.ok()) return ticket.status;
        return model_.finish_dir_sync(key_, ticket, op());
    }

    FaultModel& model_;
    const std::string key_;
};

bool is_missing(rocksdb::FileSystem& fs, const std::string& path, const IOOptions& o,
                IODebugContext* d) {
    return fs.FileExists(path, o, d).IsNotFound();
}

// RocksDB 7.8's POSIX file system does not implement FileSystem::Truncate (NotSupported), so
// the file is reopened and truncated through its FSWritableFile, which every base supports.
IOStatus truncate_file(rocksdb::FileSystem& base, const std::string& path, std::uint64_t length) {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    IOStatus s = base.ReopenWritableFile(path, FileOptions(), &file, nullptr);
    if (s.ok()) s = file->Truncate(length, IOOptions(), nullptr);
    if (file) {
        IOStatus closed = file->Close(IOOptions(), nullptr);
        if (s.ok()) s = closed;
    }
    return s;
}

IOStatus roll_back(rocksdb::FileSystem& base, const detail::Rollback& step) {
    if (step.remove) {
        IOStatus s = base.DeleteFile(step.path, IOOptions(), nullptr);
        return s.IsNotFound() ? IOStatus::OK() : s;
    }
    std::uint64_t size = 0;
    IOStatus s = base.GetFileSize(step.path, IOOptions(), &size, nullptr);
    if (s.IsNotFound()) return IOStatus::OK();  // deleted behind this FS's back
    if (!s.ok() || size <= step.length) return s;
    return truncate_file(base, step.path, step.length);
}

}  // namespace

FaultFileSystem::FaultFileSystem(std::shared_ptr<rocksdb::FileSystem> base)
    : FileSystemWrapper(base), model_(std::make_unique<detail::FaultModel>()) {}

FaultFileSystem::~FaultFileSystem() = default;

const char* FaultFileSystem::Name() const { return "FaultFileSystem"; }

void FaultFileSystem::cut_power() { model_->cut_power(); }

rocksdb::Status FaultFileSystem::drop_unsynced_data() {
    const detail::RollbackPlan plan = model_->plan_rollback();
    if (!plan.open_file.empty())
        return rocksdb::Status::InvalidArgument("drop_unsynced_data: still open for writing",
                                                plan.open_file);
    for (const detail::Rollback& step : plan.steps) {
        if (IOStatus s = roll_back(*target(), step); !s.ok()) return s;
    }
    model_->restore_power();
    return rocksdb::Status::OK();
}

void FaultFileSystem::set_space_limit(std::uint64_t bytes) { model_->set_space_limit(bytes); }
void FaultFileSystem::clear_space_limit() { model_->set_space_limit(std::nullopt); }
void FaultFileSystem::fail_appends() { model_->set_appends_fail(true); }
void FaultFileSystem::clear_append_failures() { model_->set_appends_fail(false); }

void FaultFileSystem::fail_syncs_after(int n) {
    assert(n >= 0);
    model_->set_sync_budget(n);
}
void FaultFileSystem::clear_sync_failures() { model_->set_sync_budget(std::nullopt); }

void FaultFileSystem::hold_syncs() { model_->gate().hold(); }
void FaultFileSystem::release_syncs() { model_->gate().release(); }
bool FaultFileSystem::wait_for_held_sync(std::chrono::steady_clock::time_point deadline) {
    return model_->gate().wait_for_waiter(deadline);
}

std::uint64_t FaultFileSystem::bytes_appended() const { return model_->appended(); }
int FaultFileSystem::syncs() const { return model_->syncs(); }

IOStatus FaultFileSystem::NewWritableFile(const std::string& fname, const FileOptions& opts,
                                          std::unique_ptr<rocksdb::FSWritableFile>* result,
                                          IODebugContext* dbg) {
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    const bool new_entry = is_missing(*target(), fname, opts.io_options, dbg);
    std::unique_ptr<rocksdb::FSWritableFile> file;
    IOStatus s = target()->NewWritableFile(fname, opts, &file, dbg);
    if (!s.ok()) return s;
    *result = std::make_unique<FaultWritableFile>(std::move(file), *model_,
                                                  model_->track_created(fname, new_entry));
    return s;
}

IOStatus FaultFileSystem::ReopenWritableFile(const std::string& fname, const FileOptions& opts,
                                             std::unique_ptr<rocksdb::FSWritableFile>* result,
                                             IODebugContext* dbg) {
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    const bool new_entry = is_missing(*target(), fname, opts.io_options, dbg);
    std::unique_ptr<rocksdb::FSWritableFile> file;
    IOStatus s = target()->ReopenWritableFile(fname, opts, &file, dbg);
    if (!s.ok()) return s;
    std::uint64_t size = 0;
    s = target()->GetFileSize(fname, opts.io_options, &size, dbg);
    if (!s.ok()) return s;
    *result = std::make_unique<FaultWritableFile>(std::move(file), *model_,
                                                  model_->track_reopened(fname, new_entry, size));
    return s;
}

IOStatus FaultFileSystem::ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                            const FileOptions& opts,
                                            std::unique_ptr<rocksdb::FSWritableFile>* result,
                                            IODebugContext* dbg) {
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    std::unique_ptr<rocksdb::FSWritableFile> file;
    IOStatus s = target()->ReuseWritableFile(fname, old_fname, opts, &file, dbg);
    if (!s.ok()) return s;
    *result = std::make_unique<FaultWritableFile>(std::move(file), *model_,
                                                  model_->track_reused(fname, old_fname));
    return s;
}

IOStatus FaultFileSystem::NewRandomRWFile(const std::string& fname, const FileOptions& opts,
                                          std::unique_ptr<rocksdb::FSRandomRWFile>* result,
                                          IODebugContext* dbg) {
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    std::unique_ptr<rocksdb::FSRandomRWFile> file;
    IOStatus s = target()->NewRandomRWFile(fname, opts, &file, dbg);
    if (s.ok()) *result = std::make_unique<FaultRandomRWFile>(std::move(file), *model_);
    return s;
}

IOStatus FaultFileSystem::NewMemoryMappedFileBuffer(
    const std::string& fname, std::unique_ptr<rocksdb::MemoryMappedFileBuffer>* result) {
    // The mapping is writable and its stores bypass every check, so it is refused outright.
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    return target()->NewMemoryMappedFileBuffer(fname, result);
}

IOStatus FaultFileSystem::NewDirectory(const std::string& name, const IOOptions& opts,
                                       std::unique_ptr<rocksdb::FSDirectory>* result,
                                       IODebugContext* dbg) {
    std::unique_ptr<rocksdb::FSDirectory> dir;
    IOStatus s = target()->NewDirectory(name, opts, &dir, dbg);
    if (s.ok())
        *result =
            std::make_unique<FaultDirectory>(std::move(dir), *model_, detail::normalize(name));
    return s;
}

IOStatus FaultFileSystem::DeleteFile(const std::string& fname, const IOOptions& opts,
                                     IODebugContext* dbg) {
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    IOStatus s = target()->DeleteFile(fname, opts, dbg);
    if (s.ok()) model_->deleted(fname);
    return s;
}

IOStatus FaultFileSystem::Truncate(const std::string& fname, size_t size, const IOOptions& opts,
                                   IODebugContext* dbg) {
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    IOStatus s = target()->Truncate(fname, size, opts, dbg);
    if (s.ok()) model_->truncated(fname, size);
    return s;
}

IOStatus FaultFileSystem::CreateDir(const std::string& dirname, const IOOptions& opts,
                                    IODebugContext* dbg) {
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    return target()->CreateDir(dirname, opts, dbg);
}

IOStatus FaultFileSystem::CreateDirIfMissing(const std::string& dirname, const IOOptions& opts,
                                             IODebugContext* dbg) {
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    return target()->CreateDirIfMissing(dirname, opts, dbg);
}

IOStatus FaultFileSystem::DeleteDir(const std::string& dirname, const IOOptions& opts,
                                    IODebugContext* dbg) {
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    return target()->DeleteDir(dirname, opts, dbg);
}

IOStatus FaultFileSystem::RenameFile(const std::string& src, const std::string& dst,
                                     const IOOptions& opts, IODebugContext* dbg) {
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    IOStatus s = target()->RenameFile(src, dst, opts, dbg);
    if (s.ok()) model_->renamed(src, dst);
    return s;
}

IOStatus FaultFileSystem::LinkFile(const std::string& src, const std::string& dst,
                                   const IOOptions& opts, IODebugContext* dbg) {
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    return target()->LinkFile(src, dst, opts, dbg);
}

IOStatus FaultFileSystem::LockFile(const std::string& fname, const IOOptions& opts,
                                   rocksdb::FileLock** lock, IODebugContext* dbg) {
    // Taking the lock may create the LOCK file. UnlockFile is left alone so a store can close.
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    return target()->LockFile(fname, opts, lock, dbg);
}

IOStatus FaultFileSystem::NewLogger(const std::string& fname, const IOOptions& opts,
                                    std::shared_ptr<rocksdb::Logger>* result, IODebugContext* dbg) {
    if (IOStatus s = model_->powered(); !s.ok()) return s;
    return target()->NewLogger(fname, opts, result, dbg);
}

IOStatus FaultFileSystem::GetFreeSpace(const std::string& path, const IOOptions& opts,
                                       uint64_t* diskfree, IODebugContext* dbg) {
    IOStatus s = target()->GetFreeSpace(path, opts, diskfree, dbg);
    if (s.ok()) {
        if (std::optional<std::uint64_t> left = model_->space_left()) {
            *diskfree = std::min<std::uint64_t>(*diskfree, *left);
        }
    }
    return s;
}

std::unique_ptr<rocksdb::Env> make_env(std::shared_ptr<FaultFileSystem> fs) {
    assert(fs != nullptr);
    return rocksdb::NewCompositeEnv(fs);
}

}  // namespace auditorium::testing
