// What survives a failing sync, a full disk and a power cut. The file system under both RocksDB
// instances is the fault-injecting one (tests/support/fault_fs.hpp).
#include "eventstore/store.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "tests/support/fault_fs.hpp"
#include "tests/support/status.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {

struct FaultyStore {
    StoreDir dir;
    std::shared_ptr<FaultFileSystem> fs = std::make_shared<FaultFileSystem>();
    std::unique_ptr<rocksdb::Env> env = make_env(fs);
};

// Every acknowledged (position, event id) is present, readable, and positions are dense.
void expect_all_present(Store& store, const std::map<Position, Id>& acknowledged) {
    const Position head = store.head();
    if (!acknowledged.empty()) REQUIRE(head >= acknowledged.rbegin()->first);
    auto all = store.read_all(1, head + 1);
    REQUIRE_OK(all);
    REQUIRE(all->size() == head);
    for (std::size_t i = 0; i < all->size(); ++i) REQUIRE((*all)[i].position == i + 1);
    for (const auto& [position, id] : acknowledged) {
        const Entry& e = (*all)[position - 1];
        REQUIRE(e.event_id == id);
        REQUIRE(e.sections.size() == 1);
        REQUIRE(e.sections[0].state == Section::State::kOpen);
    }
}

}  // namespace

TEST_CASE("a failed sync makes the store refuse every later append until reopened") {
    FaultyStore f;
    std::map<Position, Id> acked;
    Position acked_head = 0;
    {
        auto store = f.dir.open(f.env.get());
        for (int i = 0; i < 5; ++i) {
            auto e = personal_event(random_id(), "before");
            const Id id = e.event_id;
            acked[must_append(*store, "event-a", {std::move(e)}).first_position] = id;
        }
        f.fs->fail_syncs_after(0);
        auto failed = store->append("event-a", ExpectedVersion::any(), {make_event()});
        REQUIRE_FALSE(failed.is_ok());
        CHECK(failed.status().code() == StatusCode::kUnavailable);
        f.fs->clear_sync_failures();
        // The file system works again, but the store does not pretend nothing happened.
        auto later = store->append("event-b", ExpectedVersion::any(), {make_event()});
        CHECK(later.status().code() == StatusCode::kUnavailable);
        CHECK_THAT(later.status().message(), Contains("reopened"));
        acked_head = acked.rbegin()->first;
        CHECK(store->head() == acked_head);
    }
    auto store = f.dir.open();
    expect_all_present(*store, acked);
    // The append whose sync failed had an unknown outcome: it may or may not be there (RocksDB may
    // have written its bytes before the sync failed). Either way the store appends again.
    const Position before = store->head();
    CHECK((before == acked_head || before == acked_head + 1));
    CHECK(must_append(*store, "event-b", {make_event()}).first_position == before + 1);
}

TEST_CASE("after a full disk a backup is refused cleanly, and the store closes") {
    FaultyStore f;
    Position acked_head = 0;
    {
        auto store = f.dir.open(f.env.get());
        const Id person = random_id();
        for (int i = 0; i < 5; ++i)
            acked_head =
                must_append(*store, "event-a", {personal_event(person, "p")}).last_position;
        // The person's key exists: the ledger's write is the one the full disk refuses.
        f.fs->set_space_limit(f.fs->bytes_appended() + 100);
        auto failed = store->append("event-a", ExpectedVersion::any(),
                                    {personal_event(person, std::string(10'000, 'x'))});
        INFO(failed.status().to_string());
        REQUIRE_FALSE(failed.is_ok());
        f.fs->clear_space_limit();
        BackupOptions o;
        o.target = f.dir.dir / "backups";
        auto backup = store->create_backup(o);
        REQUIRE_FALSE(backup.is_ok());
        CHECK(backup.status().code() == StatusCode::kUnavailable);
        CHECK_THAT(backup.status().message(), Contains("reopened"));
    }
    auto store = f.dir.open();
    CHECK(store->head() == acked_head);
}

TEST_CASE(
    "after a new key failed to reach a full disk a backup is refused cleanly, and the store "
    "closes") {
    FaultyStore f;
    Position acked_head = 0;
    {
        auto store = f.dir.open(f.env.get());
        for (int i = 0; i < 5; ++i)
            acked_head =
                must_append(*store, "event-a", {personal_event(random_id(), "p")}).last_position;
        f.fs->set_space_limit(f.fs->bytes_appended());  // the new person's key is the first write
        auto failed =
            store->append("event-a", ExpectedVersion::any(), {personal_event(random_id(), "p")});
        REQUIRE_FALSE(failed.is_ok());
        CHECK_THAT(failed.status().message(), Contains("vault"));
        f.fs->clear_space_limit();
        BackupOptions o;
        o.target = f.dir.dir / "backups";
        auto backup = store->create_backup(o);
        INFO(backup.status().to_string());
        REQUIRE_FALSE(backup.is_ok());
        CHECK(backup.status().code() == StatusCode::kUnavailable);
    }
    auto store = f.dir.open();
    CHECK(store->head() == acked_head);
}

TEST_CASE("a full disk fails the append cleanly and loses nothing acknowledged") {
    FaultyStore f;
    std::map<Position, Id> acked;
    {
        auto store = f.dir.open(f.env.get());
        for (int i = 0; i < 20; ++i) {
            auto e = personal_event(random_id(), std::string(300, 'p'));
            const Id id = e.event_id;
            acked[must_append(*store, "event-a", {std::move(e)}).first_position] = id;
        }
        f.fs->set_space_limit(f.fs->bytes_appended() + 100);
        auto big = store->append("event-a", ExpectedVersion::any(),
                                 {personal_event(random_id(), std::string(10'000, 'x'))});
        REQUIRE_FALSE(big.is_ok());
        CHECK(big.status().code() == StatusCode::kUnavailable);
        CHECK_THAT(big.status().message(), Contains("disk full"));
        CHECK(store->append("event-a", ExpectedVersion::any(), {make_event()}).status().code() ==
              StatusCode::kUnavailable);
        f.fs->clear_space_limit();
    }
    auto store = f.dir.open();
    CHECK(store->head() == acked.rbegin()->first);
    expect_all_present(*store, acked);
}

namespace {

// Appenders running until the power is cut, recording what each append acknowledged.
class PowerCutRun {
public:
    using NextAppend = std::function<std::vector<NewEvent>(int writer)>;

    PowerCutRun(Store& store, int writers, NextAppend next) {
        for (int w = 0; w < writers; ++w) {
            writers_.emplace_back([this, &store, w, next] {
                while (!stop_) {
                    std::vector<NewEvent> events = next(w);
                    std::vector<Id> ids;
                    for (const auto& e : events) ids.push_back(e.event_id);
                    auto r = store.append("event-w" + std::to_string(w), ExpectedVersion::any(),
                                          std::move(events));
                    if (!r) return;
                    std::lock_guard lock(mu_);
                    for (std::size_t i = 0; i < ids.size(); ++i)
                        acked_[r->first_position + i] = ids[i];
                }
            });
        }
    }
    ~PowerCutRun() { stop_writers(); }

    std::size_t acknowledged() {
        std::lock_guard lock(mu_);
        return acked_.size();
    }
    // Cuts the power, stops the writers, closes `store` and opens it again on what a real power
    // cut would have left on disk.
    std::unique_ptr<Store> cut_and_reopen(FaultyStore& f, std::unique_ptr<Store>& store) {
        f.fs->cut_power();
        stop_writers();
        store.reset();
        auto dropped = f.fs->drop_unsynced_data();
        INFO(dropped.ToString());
        REQUIRE(dropped.ok());
        return f.dir.open();
    }
    const std::map<Position, Id>& acked() const { return acked_; }  // REQUIRES: writers stopped

private:
    void stop_writers() {
        stop_ = true;
        for (auto& t : writers_) {
            if (t.joinable()) t.join();
        }
    }
    std::mutex mu_;
    std::map<Position, Id> acked_;  // GUARDED_BY(mu_)
    std::atomic<bool> stop_{false};
    std::vector<std::thread> writers_;
};

// The numbers of the ledger's write-ahead log files (NNNNNN.log) now in the directory.
std::set<std::string> wal_files(const std::filesystem::path& dir) {
    std::set<std::string> out;
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
        if (f.path().extension() == ".log") out.insert(f.path().filename().string());
    }
    return out;
}

}  // namespace

TEST_CASE("after a power cut every acknowledged append survives") {
    std::mt19937_64 rng(Catch::rngSeed());
    for (int round = 0; round < 3; ++round) {
        FaultyStore f;
        const std::size_t cut_after = 30 + rng() % 200;
        auto store = f.dir.open(f.env.get());
        PowerCutRun run(*store, 4, [](int) {
            std::vector<NewEvent> events;
            events.push_back(personal_event(random_id(), "payload"));
            return events;
        });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
        while (run.acknowledged() < cut_after) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);  // the writers still append
            store->wait_for(store->head() + 1,
                            std::chrono::steady_clock::now() + std::chrono::seconds(5));
        }
        auto reopened = run.cut_and_reopen(f, store);
        INFO("round " << round << ", acknowledged " << run.acked().size() << ", head "
                      << reopened->head());
        expect_all_present(*reopened, run.acked());
    }
}

// The write-ahead log moves to a new file whenever a memtable fills, and the key vault, synced
// once per commit, takes new keys from other threads meanwhile. Large appends (a megabyte each)
// fill the ledger's 64 MiB memtable while small ones go on beside them; the power goes after the
// log has moved to a new file.
TEST_CASE("after a power cut every acknowledged append survives a switch of the write-ahead log") {
    std::mt19937_64 rng(Catch::rngSeed());
    FaultyStore f;
    auto store = f.dir.open(f.env.get());
    const std::set<std::string> first_logs = wal_files(f.dir.data());
    REQUIRE(first_logs.size() == 1);
    PowerCutRun run(*store, 4, [](int writer) {
        const bool large = writer == 0;
        std::vector<NewEvent> events;
        for (int i = 0; i < (large ? 50 : 1); ++i) {
            events.push_back(personal_event(random_id(), std::string(large ? 20'000 : 100, 'p')));
        }
        return events;
    });
    // Past the switch, then a random number of further acknowledged entries.
    std::size_t cut_at = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (cut_at == 0 || run.acknowledged() < cut_at) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);  // the writers still append
        if (cut_at == 0 && wal_files(f.dir.data()) != first_logs)
            cut_at = run.acknowledged() + 1 + rng() % 300;
        store->wait_for(store->head() + 1,
                        std::chrono::steady_clock::now() + std::chrono::seconds(5));
    }
    auto reopened = run.cut_and_reopen(f, store);
    INFO("acknowledged " << run.acked().size() << ", head " << reopened->head());
    expect_all_present(*reopened, run.acked());
}
