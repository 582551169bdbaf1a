#include "eventstore/internal/log_scan.hpp"

#include <rocksdb/db.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <string>

#include "eventstore/store.hpp"
#include "tests/support/store_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace auditorium;
using namespace auditorium::eventstore::internal;
using auditorium::testing::TempDir;

namespace {

// A database whose files are what a killed process leaves: written with synced writes and
// copied while RocksDB still has it open, so its log holds every record and nothing was flushed.
struct CrashImage {
    TempDir dir;
    fs::path db() const { return dir / "db"; }
    fs::path image() const { return dir / "image"; }

    explicit CrashImage(int records, std::size_t value_size = 300) {
        rocksdb::Options o;
        o.create_if_missing = true;
        rocksdb::DB* raw = nullptr;
        REQUIRE(rocksdb::DB::Open(o, db().string(), &raw).ok());
        std::unique_ptr<rocksdb::DB> live(raw);
        rocksdb::WriteOptions wo;
        wo.sync = true;
        for (int i = 0; i < records; ++i) {
            REQUIRE(live->Put(wo, "key" + std::to_string(i),
                              std::string(value_size, char('a' + i % 26)))
                        .ok());
        }
        fs::copy(db(), image(), fs::copy_options::recursive);
        (void)live->Close();
    }

    fs::path log() const {
        for (const auto& e : fs::directory_iterator(image())) {
            if (e.path().extension() == ".log") return e.path();
        }
        FAIL("no log in the image");
        return {};
    }
};

void flip_byte(const fs::path& file, std::uint64_t offset) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x40));
}

void append_zeros(const fs::path& file, std::size_t n) {
    std::ofstream f(file, std::ios::app | std::ios::binary);
    f << std::string(n, '\0');
}

std::string damage_of(const fs::path& dir) {
    auto r = log_scan::check_database_dir(dir, "test db");
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kCorruption);
    return r.status().message();
}

}  // namespace

TEST_CASE("a killed database's log scans whole: every synced record is good") {
    CrashImage c(500);
    auto r = log_scan::scan_log(c.log());
    REQUIRE(r.is_ok());
    CHECK(r->records >= 500);
    CHECK_FALSE(r->bad_offset.has_value());
    CHECK(r->valid_bytes == fs::file_size(c.log()));
    auto dir = log_scan::check_database_dir(c.image(), "test db");
    REQUIRE(dir.is_ok());
    CHECK_FALSE(dir->fresh);
    CHECK(dir->logs >= 1);
    CHECK(dir->torn_bytes == 0);
}

TEST_CASE("a flipped byte in the middle of the newest log is damage, named by file and offset") {
    CrashImage c(500);
    const auto size = fs::file_size(c.log());
    flip_byte(c.log(), size / 2);
    auto r = log_scan::scan_log(c.log());
    REQUIRE(r.is_ok());
    REQUIRE(r->bad_offset.has_value());
    CHECK(*r->bad_offset <= size / 2);
    CHECK(*r->bad_offset + 400 > size / 2);  // the record holding the byte, not an earlier one
    CHECK_FALSE(r->torn_tail);
    const std::string message = damage_of(c.image());
    CHECK_THAT(message, Catch::Contains(c.log().filename().string()));
    CHECK_THAT(message, Catch::Contains("at byte " + std::to_string(*r->bad_offset)));
    CHECK_THAT(message, Catch::Contains("backup"));
}

TEST_CASE("a log cut short in its last record is a torn tail, which opens") {
    CrashImage c(500);
    const auto size = fs::file_size(c.log());
    fs::resize_file(c.log(), size - 100);
    auto r = log_scan::scan_log(c.log());
    REQUIRE(r.is_ok());
    REQUIRE(r->bad_offset.has_value());
    CHECK(r->torn_tail);
    auto dir = log_scan::check_database_dir(c.image(), "test db");
    REQUIRE(dir.is_ok());
    CHECK(dir->torn_bytes == size - 100 - *r->bad_offset);
}

TEST_CASE("a log cut inside a record header is a torn tail") {
    CrashImage c(3);
    const auto r0 = log_scan::scan_log(c.log());
    REQUIRE(r0.is_ok());
    std::ofstream(c.log(), std::ios::app | std::ios::binary) << "abc";  // a fourth record had begun
    auto r = log_scan::scan_log(c.log());
    REQUIRE(r.is_ok());
    CHECK(r->torn_tail);
    CHECK(log_scan::check_database_dir(c.image(), "test db").is_ok());
}

TEST_CASE("zeros after the last record, as a power cut leaves them, are a torn tail") {
    CrashImage c(200);
    append_zeros(c.log(), 50000);
    auto r = log_scan::scan_log(c.log());
    REQUIRE(r.is_ok());
    CHECK(r->torn_tail);
    CHECK(log_scan::check_database_dir(c.image(), "test db").is_ok());
}

TEST_CASE("zeros followed by more bytes are damage, not a tail") {
    CrashImage c(200);
    append_zeros(c.log(), 50000);
    std::ofstream(c.log(), std::ios::app | std::ios::binary) << "garbage after the zeros";
    const std::string message = damage_of(c.image());
    CHECK_THAT(message, Catch::Contains("zero-filled"));
}

TEST_CASE("a torn tail in a log that is not the newest is damage") {
    CrashImage c(200);
    const fs::path older = c.log();
    const fs::path newer = c.image() / "999999.log";
    fs::copy_file(older, newer);
    fs::resize_file(older, fs::file_size(older) - 50);
    const std::string message = damage_of(c.image());
    CHECK_THAT(message, Catch::Contains(older.filename().string()));
}

TEST_CASE("database files without CURRENT are damage, not a new database") {
    CrashImage c(10);
    fs::remove(c.image() / "CURRENT");
    const std::string message = damage_of(c.image());
    CHECK_THAT(message, Catch::Contains("CURRENT"));
    CHECK_THAT(message, Catch::Contains("nothing was opened or changed"));
}

TEST_CASE("a CURRENT naming a missing MANIFEST is damage") {
    CrashImage c(10);
    for (const auto& e : fs::directory_iterator(c.image())) {
        if (e.path().filename().string().starts_with("MANIFEST-")) fs::remove(e.path());
    }
    CHECK_THAT(damage_of(c.image()), Catch::Contains("MANIFEST"));
}

TEST_CASE("a missing or empty directory, or one with unrelated files, is fresh") {
    TempDir t;
    auto missing = log_scan::check_database_dir(t / "nothing", "test db");
    REQUIRE(missing.is_ok());
    CHECK(missing->fresh);
    fs::create_directories(t / "empty");
    std::ofstream(t / "empty" / "README") << "not a database";
    auto empty = log_scan::check_database_dir(t / "empty", "test db");
    REQUIRE(empty.is_ok());
    CHECK(empty->fresh);
}

TEST_CASE("the masked CRC matches what RocksDB stored in a record header") {
    CrashImage c(1);
    std::ifstream f(c.log(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() > log_scan::kHeaderSize);
    const auto length = std::size_t(static_cast<unsigned char>(bytes[4])) |
                        std::size_t(static_cast<unsigned char>(bytes[5])) << 8;
    const auto type = static_cast<std::uint8_t>(bytes[6]);
    std::uint32_t stored = 0;
    for (int i = 3; i >= 0; --i) stored = (stored << 8) | static_cast<unsigned char>(bytes[i]);
    CHECK(log_scan::masked_crc(type, std::string_view(bytes).substr(7, length)) == stored);
}

TEST_CASE("a store refuses to open when a log older than the newest is damaged, naming the file") {
    auditorium::testing::StoreDir dir;
    auto store = dir.open();
    const auto logs = [](const fs::path& d) {
        std::vector<fs::path> out;
        for (const auto& e : fs::directory_iterator(d)) {
            if (e.path().extension() == ".log") out.push_back(e.path());
        }
        std::sort(out.begin(), out.end());
        return out;
    };
    // Large entries fill the ledger's memtable: its flush switches the log while the other column
    // families still need the old one, so two logs are live.
    for (int round = 0; logs(dir.data()).size() < 2; ++round) {
        REQUIRE(round < 400);
        std::vector<eventstore::NewEvent> events;
        for (int i = 0; i < 50; ++i)
            events.push_back(auditorium::testing::make_event("test.big", std::string(20'000, 'x')));
        auditorium::testing::must_append(*store, "big-" + std::to_string(round), std::move(events));
    }
    // A crash image: the files as they are while the store is open and idle.
    TempDir image;
    fs::copy(dir.data(), image / "data", fs::copy_options::recursive);
    fs::copy(dir.keys(), image / "keys", fs::copy_options::recursive);
    fs::permissions(image / "keys", fs::perms::owner_all);
    store.reset();
    const auto image_logs = logs(image / "data");
    REQUIRE(image_logs.size() >= 2);
    flip_byte(image_logs.front(), fs::file_size(image_logs.front()) / 2);
    for (const bool read_only : {false, true}) {
        eventstore::StoreOptions o;
        o.data_dir = image / "data";
        o.keys_dir = image / "keys";
        o.read_only = read_only;
        auto opened = eventstore::Store::open(o);
        REQUIRE_FALSE(opened.is_ok());
        CHECK(opened.status().code() == StatusCode::kCorruption);
        CHECK_THAT(opened.status().message(),
                   Catch::Contains(image_logs.front().filename().string()) &&
                       Catch::Contains("damaged at byte"));
    }
}
