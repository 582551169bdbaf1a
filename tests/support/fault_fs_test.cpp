#include "tests/support/fault_fs.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>

namespace {

namespace stdfs = std::filesystem;
using auditorium::testing::FaultFileSystem;
using auditorium::testing::make_env;

// A fresh directory under the system temp directory, removed with its contents on destruction.
class TempDir {
public:
    TempDir() : path_(stdfs::temp_directory_path() / unique_name()) {
        stdfs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        stdfs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const stdfs::path& path() const { return path_; }
    std::string file(std::string_view name) const { return (path_ / name).string(); }

private:
    static std::string unique_name() {
        std::random_device random;
        return "fault_fs_test-" + std::to_string(::getpid()) + "-" + std::to_string(random()) +
               std::to_string(random());
    }

    stdfs::path path_;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---- Direct use of the file system ---------------------------------------------------------

std::unique_ptr<rocksdb::FSWritableFile> create_file(FaultFileSystem& fs, const std::string& path) {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    REQUIRE(fs.NewWritableFile(path, rocksdb::FileOptions(), &file, nullptr).ok());
    return file;
}

rocksdb::IOStatus append(rocksdb::FSWritableFile& file, std::string_view data) {
    return file.Append(rocksdb::Slice(data.data(), data.size()), rocksdb::IOOptions(), nullptr);
}

rocksdb::IOStatus sync(rocksdb::FSWritableFile& file) {
    return file.Sync(rocksdb::IOOptions(), nullptr);
}

void close(rocksdb::FSWritableFile& file) {
    REQUIRE(file.Close(rocksdb::IOOptions(), nullptr).ok());
}

void fsync_dir(FaultFileSystem& fs, const stdfs::path& dir) {
    std::unique_ptr<rocksdb::FSDirectory> handle;
    REQUIRE(fs.NewDirectory(dir.string(), rocksdb::IOOptions(), &handle, nullptr).ok());
    REQUIRE(handle->Fsync(rocksdb::IOOptions(), nullptr).ok());
}

// ---- A real RocksDB on top of it ------------------------------------------------------------

std::unique_ptr<rocksdb::DB> open_db(const stdfs::path& dir, rocksdb::Env* env) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.env = env;
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status s = rocksdb::DB::Open(options, dir.string(), &raw);
    INFO("open: " << s.ToString());
    REQUIRE(s.ok());
    return std::unique_ptr<rocksdb::DB>(raw);
}

// After a fault Close() reports the background error; the DB is released either way.
rocksdb::Status close_db(std::unique_ptr<rocksdb::DB>& db) {
    const rocksdb::Status s = db->Close();
    db.reset();
    return s;
}

rocksdb::Status put(rocksdb::DB& db, const std::string& key, const std::string& value,
                    bool synced) {
    rocksdb::WriteOptions options;
    options.sync = synced;
    return db.Put(options, key, value);
}

std::optional<std::string> get(rocksdb::DB& db, const std::string& key) {
    std::string value;
    const rocksdb::Status s = db.Get(rocksdb::ReadOptions(), key, &value);
    if (s.IsNotFound()) return std::nullopt;
    REQUIRE(s.ok());
    return value;
}

std::string key(const char* prefix, int i) { return prefix + std::to_string(i); }

void put_synced_keys(rocksdb::DB& db, int count) {
    for (int i = 0; i < count; ++i) REQUIRE(put(db, key("synced-", i), "value", true).ok());
}

void require_synced_keys(const stdfs::path& dir, int count) {
    auto db = open_db(dir, rocksdb::Env::Default());
    for (int i = 0; i < count; ++i) REQUIRE(get(*db, key("synced-", i)) == "value");
    REQUIRE(close_db(db).ok());
}

// The one WAL of a freshly created DB ("*.log"; the info log is "LOG").
stdfs::path only_wal(const stdfs::path& dir) {
    std::optional<stdfs::path> wal;
    for (const auto& entry : stdfs::directory_iterator(dir)) {
        if (entry.path().extension() != ".log") continue;
        REQUIRE_FALSE(wal.has_value());
        wal = entry.path();
    }
    REQUIRE(wal.has_value());
    return *wal;
}

}  // namespace

TEST_CASE("writes after a power cut fail and change nothing on disk") {
    TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto file = create_file(*fs, dir.file("a"));
    REQUIRE(append(*file, "abc").ok());

    fs->cut_power();
    const rocksdb::IOStatus appended = append(*file, "def");
    CHECK(appended.IsIOError());
    CHECK(appended.ToString().find("simulated power cut") != std::string::npos);
    std::unique_ptr<rocksdb::FSWritableFile> other;
    CHECK_FALSE(fs->NewWritableFile(dir.file("b"), rocksdb::FileOptions(), &other, nullptr).ok());
    CHECK_FALSE(fs->RenameFile(dir.file("a"), dir.file("c"), rocksdb::IOOptions(), nullptr).ok());
    CHECK_FALSE(fs->DeleteFile(dir.file("a"), rocksdb::IOOptions(), nullptr).ok());
    CHECK(read_file(dir.file("a")) == "abc");
    CHECK_FALSE(stdfs::exists(dir.file("b")));
    close(*file);
}

TEST_CASE("dropping unsynced data truncates a file to its last synced length") {
    TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto file = create_file(*fs, dir.file("a"));
    REQUIRE(append(*file, "durable").ok());
    REQUIRE(sync(*file).ok());
    REQUIRE(append(*file, " and lost").ok());
    close(*file);
    REQUIRE(read_file(dir.file("a")) == "durable and lost");

    fs->cut_power();
    REQUIRE(fs->drop_unsynced_data().ok());
    CHECK(read_file(dir.file("a")) == "durable");
    file = create_file(*fs, dir.file("b"));  // the power is back
    close(*file);
}

TEST_CASE("a never-synced new file survives empty only if its directory was fsynced") {
    TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto committed = create_file(*fs, dir.file("committed"));
    fsync_dir(*fs, dir.path());
    auto uncommitted = create_file(*fs, dir.file("uncommitted"));
    REQUIRE(append(*committed, "data").ok());
    REQUIRE(append(*uncommitted, "data").ok());
    close(*committed);
    close(*uncommitted);

    fs->cut_power();
    REQUIRE(fs->drop_unsynced_data().ok());
    CHECK(stdfs::exists(dir.file("committed")));
    CHECK(stdfs::file_size(dir.file("committed")) == 0);
    CHECK_FALSE(stdfs::exists(dir.file("uncommitted")));
}

TEST_CASE("dropping unsynced data is refused while a file is still open") {
    TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto file = create_file(*fs, dir.file("a"));
    REQUIRE(append(*file, "unsynced").ok());

    const rocksdb::Status refused = fs->drop_unsynced_data();
    CHECK(refused.IsInvalidArgument());
    CHECK(read_file(dir.file("a")) == "unsynced");
    close(*file);
    CHECK(fs->drop_unsynced_data().ok());
    CHECK_FALSE(stdfs::exists(dir.file("a")));
}

TEST_CASE("an append that would pass the space limit fails whole with NoSpace") {
    TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto file = create_file(*fs, dir.file("a"));
    fs->set_space_limit(fs->bytes_appended() + 5);

    REQUIRE(append(*file, "1234").ok());
    const rocksdb::IOStatus full = append(*file, "56");
    CHECK(full.IsNoSpace());
    CHECK(stdfs::file_size(dir.file("a")) == 4);
    CHECK(append(*file, "5").ok());  // exactly reaching the limit is allowed
    CHECK(append(*file, "6").IsNoSpace());
    fs->clear_space_limit();
    CHECK(append(*file, "678").ok());
    CHECK(fs->bytes_appended() == 8);
    close(*file);
    CHECK(read_file(dir.file("a")) == "12345678");
}

TEST_CASE("failing appends fail with IOError, write nothing, and stop failing when cleared") {
    TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto file = create_file(*fs, dir.file("a"));
    REQUIRE(append(*file, "12").ok());
    fs->fail_appends();
    const rocksdb::IOStatus failed = append(*file, "34");
    CHECK(failed.IsIOError());
    CHECK_FALSE(failed.IsNoSpace());
    CHECK(stdfs::file_size(dir.file("a")) == 2);
    CHECK(fs->bytes_appended() == 2);
    fs->clear_append_failures();
    CHECK(append(*file, "34").ok());
    close(*file);
    CHECK(read_file(dir.file("a")) == "1234");
}

TEST_CASE("fail_syncs_after lets n syncs succeed and then fails every sync") {
    TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto file = create_file(*fs, dir.file("a"));
    fs->fail_syncs_after(2);

    CHECK(sync(*file).ok());
    CHECK(sync(*file).ok());
    CHECK(sync(*file).IsIOError());
    CHECK(sync(*file).IsIOError());
    CHECK(fs->syncs() == 2);
    fs->clear_sync_failures();
    CHECK(sync(*file).ok());
    CHECK(fs->syncs() == 3);
    close(*file);
}

TEST_CASE("a held sync waits until released, then completes as usual") {
    TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto file = create_file(*fs, dir.file("a"));
    REQUIRE(append(*file, "abc").ok());
    fs->hold_syncs();
    rocksdb::IOStatus synced = rocksdb::IOStatus::Busy("not run");
    std::thread syncer([&] { synced = sync(*file); });
    const bool waited =
        fs->wait_for_held_sync(std::chrono::steady_clock::now() + std::chrono::seconds(30));
    const int syncs_while_held = fs->syncs();
    fs->release_syncs();
    syncer.join();
    CHECK(waited);
    CHECK(syncs_while_held == 0);
    CHECK(synced.ok());
    CHECK(fs->syncs() == 1);
    CHECK(sync(*file).ok());  // released: no longer waits
    close(*file);
}

TEST_CASE("synced writes survive a power cut and the unsynced WAL tail is cut off") {
    TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto env = make_env(fs);
    auto db = open_db(dir.path(), env.get());
    constexpr int kSynced = 20;
    put_synced_keys(*db, kSynced);
    const stdfs::path wal = only_wal(dir.path());
    const auto synced_size = stdfs::file_size(wal);  // a synced write leaves nothing unsynced
    for (int i = 0; i < 20; ++i) REQUIRE(put(*db, key("unsynced-", i), "value", false).ok());
    REQUIRE(stdfs::file_size(wal) > synced_size);

    fs->cut_power();
    const rocksdb::Status closed = close_db(db);
    INFO("close after the power cut: " << closed.ToString());
    REQUIRE(stdfs::file_size(wal) > synced_size);
    const rocksdb::Status dropped = fs->drop_unsynced_data();
    INFO("drop: " << dropped.ToString());
    REQUIRE(dropped.ok());
    CHECK(stdfs::file_size(wal) == synced_size);
    require_synced_keys(dir.path(), kSynced);
}

TEST_CASE("a failed sync fails the synced write and the store then refuses writes") {
    TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto env = make_env(fs);
    auto db = open_db(dir.path(), env.get());
    constexpr int kSynced = 5;
    put_synced_keys(*db, kSynced);

    fs->fail_syncs_after(0);
    const rocksdb::Status failed = put(*db, "doomed", "value", true);
    INFO("synced write: " << failed.ToString());
    CHECK_FALSE(failed.ok());
    // RocksDB 7.8 makes a failed WAL sync a fatal background error: every later write fails,
    // even an unsynced one after the disk has recovered, and Resume() cannot lift it; only a
    // reopen does. The failed write itself may still be replayed then (its bytes reached the
    // WAL before the sync failed), so nothing is asserted about "doomed".
    fs->clear_sync_failures();
    CHECK_FALSE(put(*db, "after", "value", false).ok());
    close_db(db);
    require_synced_keys(dir.path(), kSynced);
}

TEST_CASE("a write past the space limit fails with NoSpace and earlier synced data survives") {
    TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto env = make_env(fs);
    auto db = open_db(dir.path(), env.get());
    constexpr int kSynced = 5;
    put_synced_keys(*db, kSynced);

    fs->set_space_limit(fs->bytes_appended() + 1024);
    const rocksdb::Status full = put(*db, "big", std::string(64 * 1024, 'x'), true);
    INFO("oversized write: " << full.ToString());
    CHECK(full.IsNoSpace());
    close_db(db);
    fs->clear_space_limit();
    require_synced_keys(dir.path(), kSynced);
}
