// The event-id index's memtable, under a real RocksDB: what Get, MultiGet, iterators and flushes
// see must be what the default skiplist memtable gives for the same writes.
#include "eventstore/internal/point_lookup_memtable.hpp"

#include <rocksdb/db.h>
#include <sodium.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/sodium_init.hpp"
#include "tests/support/temp_dir.hpp"

using namespace auditorium;
using namespace auditorium::testing;

namespace {

std::string random_key() {
    std::string k(16, '\0');
    randombytes_buf(k.data(), k.size());
    return k;
}

std::unique_ptr<rocksdb::DB> open_db(const TempDir& dir, std::size_t write_buffer_size) {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.allow_concurrent_memtable_write = false;
    o.memtable_factory = eventstore::internal::point_lookup_memtable_factory();
    o.write_buffer_size = write_buffer_size;
    o.memtable_prefix_bloom_size_ratio = 0.1;
    o.memtable_whole_key_filtering = true;
    rocksdb::DB* raw = nullptr;
    const auto s = rocksdb::DB::Open(o, dir.path().string(), &raw);
    INFO(s.ToString());
    REQUIRE(s.ok());
    return std::unique_ptr<rocksdb::DB>(raw);
}

void check_all(rocksdb::DB& db, const std::map<std::string, std::string>& expected,
               const std::vector<std::string>& absent) {
    for (const auto& [k, v] : expected) {
        std::string got;
        REQUIRE(db.Get(rocksdb::ReadOptions(), k, &got).ok());
        REQUIRE(got == v);
    }
    std::vector<rocksdb::Slice> keys;
    for (const auto& [k, v] : expected) keys.emplace_back(k);
    for (const auto& k : absent) keys.emplace_back(k);
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db.MultiGet(rocksdb::ReadOptions(), db.DefaultColumnFamily(), keys.size(), keys.data(),
                values.data(), statuses.data());
    std::size_t i = 0;
    for (const auto& [k, v] : expected) {
        REQUIRE(statuses[i].ok());
        REQUIRE(values[i].ToString() == v);
        ++i;
    }
    for (; i < keys.size(); ++i) REQUIRE(statuses[i].IsNotFound());
    // A total-order scan: every live key once, in order, with its newest value.
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
    auto want = expected.begin();
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++want) {
        REQUIRE(want != expected.end());
        REQUIRE(it->key().ToString() == want->first);
        REQUIRE(it->value().ToString() == want->second);
    }
    REQUIRE(it->status().ok());
    CHECK(want == expected.end());
}

// Rewrites the first `n` keys of `expected` in `batch`: every other one to `value`, the others
// deleted (and moved to `absent`), so the memtable holds two versions of each.
void rewrite_first(int n, const std::string& value, std::map<std::string, std::string>& expected,
                   std::vector<std::string>& absent, rocksdb::WriteBatch& batch) {
    int i = 0;
    for (auto it = expected.begin(); it != expected.end() && i < n; ++i) {
        if (i % 2 == 0) {
            it->second = value;
            REQUIRE(batch.Put(it->first, it->second).ok());
            ++it;
        } else {
            REQUIRE(batch.Delete(it->first).ok());
            absent.push_back(it->first);
            it = expected.erase(it);
        }
    }
}

}  // namespace

TEST_CASE("the point-lookup memtable answers gets, multi-gets and scans as RocksDB's own would") {
    REQUIRE(eventstore::init_sodium().is_ok());
    TempDir dir;
    // A small write buffer, so some writes are in the memtable and some in flushed tables.
    auto db = open_db(dir, 256 << 10);
    std::map<std::string, std::string> expected;
    std::vector<std::string> absent;
    for (int i = 0; i < 200; ++i) absent.push_back(random_key());
    for (int round = 0; round < 3; ++round) {
        rocksdb::WriteBatch batch;
        for (int i = 0; i < 3000; ++i) {
            const std::string k = random_key();
            expected[k] = "v" + std::to_string(round) + ":" + std::to_string(i);
            REQUIRE(batch.Put(k, expected[k]).ok());
        }
        // Overwrites and deletes of keys written earlier: the newest version must win.
        rewrite_first(300, "overwritten" + std::to_string(round), expected, absent, batch);
        REQUIRE(db->Write(rocksdb::WriteOptions(), &batch).ok());
        check_all(*db, expected, absent);
    }
    REQUIRE(db->Flush(rocksdb::FlushOptions()).ok());
    check_all(*db, expected, absent);
    db.reset();
    auto reopened = open_db(dir, 256 << 10);  // the WAL replays into a fresh memtable
    check_all(*reopened, expected, absent);
}

// The index starts with room for 512 entries and grows by doubling: far past that, in one
// memtable, every key and the newest version of each rewritten key must still be found.
TEST_CASE("the point-lookup memtable finds every key after its index has grown") {
    REQUIRE(eventstore::init_sodium().is_ok());
    TempDir dir;
    auto db = open_db(dir, 64 << 20);  // large enough that nothing is flushed
    std::map<std::string, std::string> expected;
    std::vector<std::string> absent;
    for (int i = 0; i < 200; ++i) absent.push_back(random_key());
    rocksdb::WriteBatch batch;
    for (int i = 0; i < 100'000; ++i) {
        const std::string k = random_key();
        expected[k] = "v" + std::to_string(i);
        REQUIRE(batch.Put(k, expected[k]).ok());
    }
    REQUIRE(db->Write(rocksdb::WriteOptions(), &batch).ok());
    rocksdb::WriteBatch rewrites;
    rewrite_first(2000, "rewritten", expected, absent, rewrites);
    REQUIRE(db->Write(rocksdb::WriteOptions(), &rewrites).ok());
    std::string files;
    REQUIRE(db->GetProperty("rocksdb.num-files-at-level0", &files));
    CHECK(files == "0");  // still all in the memtable
    check_all(*db, expected, absent);
}

TEST_CASE("the point-lookup memtable serves readers while one writer inserts") {
    REQUIRE(eventstore::init_sodium().is_ok());
    TempDir dir;
    auto db = open_db(dir, 1 << 20);
    std::vector<std::string> keys;
    for (int i = 0; i < 20000; ++i) keys.push_back(random_key());
    std::atomic<std::size_t> written{0};
    std::atomic<bool> failed{false};
    std::thread writer([&] {
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (!db->Put(rocksdb::WriteOptions(), keys[i], std::to_string(i)).ok()) failed = true;
            written.store(i + 1, std::memory_order_release);
        }
    });
    std::vector<std::thread> readers;
    std::atomic<std::size_t> checked{0};
    for (int r = 0; r < 2; ++r) {
        readers.emplace_back([&, r] {
            std::size_t i = static_cast<std::size_t>(r);
            while (written.load(std::memory_order_acquire) < keys.size()) {
                const std::size_t upto = written.load(std::memory_order_acquire);
                if (upto == 0) continue;
                i = (i * 7919 + 13) % upto;  // anything acknowledged must be found
                std::string v;
                if (!db->Get(rocksdb::ReadOptions(), keys[i], &v).ok() || v != std::to_string(i))
                    failed = true;
                checked.fetch_add(1);
            }
        });
    }
    writer.join();
    for (auto& t : readers) t.join();
    CHECK_FALSE(failed.load());
    for (std::size_t i = 0; i < keys.size(); i += 97) {
        std::string v;
        REQUIRE(db->Get(rocksdb::ReadOptions(), keys[i], &v).ok());
        CHECK(v == std::to_string(i));
    }
}
