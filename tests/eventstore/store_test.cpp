#include "eventstore/store.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "eventstore/internal/merkle.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {
auto soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(30); }
}  // namespace

TEST_CASE("appended events read back in order with dense positions and per-stream versions") {
    StoreDir dir;
    auto store = dir.open();
    const Position base = store->head();  // the store's own settings record
    const auto a =
        must_append(*store, "event-aa", {make_event("a.one", "1"), make_event("a.two", "2")});
    const auto b = must_append(*store, "event-bb", {make_event("b.one", "3")});
    const auto c = must_append(*store, "event-aa", {make_event("a.three", "4")});
    CHECK(a.first_position == base + 1);
    CHECK(a.last_position == base + 2);
    CHECK(a.first_version == 1);
    CHECK(a.last_version == 2);
    CHECK(b.first_position == base + 3);
    CHECK(b.first_version == 1);
    CHECK(c.first_position == base + 4);
    CHECK(c.first_version == 3);
    CHECK(store->head() == base + 4);

    auto all = store->read_all(base + 1, 100);
    REQUIRE(all.is_ok());
    REQUIRE(all->size() == 4);
    for (std::size_t i = 0; i < 4; ++i) CHECK((*all)[i].position == base + i + 1);
    CHECK((*all)[0].type == "a.one");
    CHECK((*all)[2].stream == "event-bb");
    CHECK((*all)[3].clear == "4");
    CHECK((*all)[3].version == 3);
    CHECK((*all)[0].recorded_at_us <= (*all)[3].recorded_at_us);

    CHECK(store->stream_version("event-aa").value() == 3);
    CHECK(store->stream_version("event-zz").value() == 0);
    auto from3 = store->read_all(base + 3, 1);
    REQUIRE(from3.is_ok());
    REQUIRE(from3->size() == 1);
    CHECK(from3->front().position == base + 3);
}

TEST_CASE("a new store's first entry is its settings record, and reopening adds none") {
    StoreDir dir;
    {
        auto store = dir.open();
        CHECK(store->head() == 1);
        auto first = store->read_all(1, 10).value();
        REQUIRE(first.size() == 1);
        CHECK(first[0].type == "store.settings");
        CHECK(first[0].stream == "store-settings");
        CHECK_THAT(first[0].clear, Contains("\"reason\":\"created\""));
        CHECK_THAT(first[0].clear, Contains("\"retention_us\""));
    }
    auto store = dir.open();
    CHECK(store->head() == 1);
    CHECK(store->stream_version("store-settings").value() == 1);
}

TEST_CASE("entries survive closing and reopening the store") {
    StoreDir dir;
    Id event_id;
    Position position = 0;
    {
        auto store = dir.open();
        auto e = make_event("x.done", "kept");
        event_id = e.event_id;
        position = must_append(*store, "event-aa", {std::move(e)}).first_position;
    }
    auto store = dir.open();
    CHECK(store->head() == position);
    auto all = store->read_all(position, 10).value();
    REQUIRE(all.size() == 1);
    CHECK(all[0].event_id == event_id);
    CHECK(all[0].clear == "kept");
    CHECK(must_append(*store, "event-aa", {make_event()}).first_version == 2);
}

TEST_CASE("reading a stream forward and backward from a version") {
    StoreDir dir;
    auto store = dir.open();
    for (int i = 1; i <= 5; ++i) {
        must_append(*store, "session-s1", {make_event("s.tick", std::to_string(i))});
        must_append(*store, "session-s2", {make_event("s.other", "x")});
    }
    auto fwd = store->read_stream("session-s1", 2, Store::Direction::kForward, 3).value();
    REQUIRE(fwd.size() == 3);
    CHECK(fwd[0].version == 2);
    CHECK(fwd[0].clear == "2");
    CHECK(fwd[2].version == 4);
    auto back =
        store->read_stream("session-s1", UINT64_MAX, Store::Direction::kBackward, 10).value();
    REQUIRE(back.size() == 5);
    CHECK(back[0].version == 5);
    CHECK(back[4].version == 1);
    auto back_from = store->read_stream("session-s1", 3, Store::Direction::kBackward, 10).value();
    REQUIRE(back_from.size() == 3);
    CHECK(back_from[0].clear == "3");
    CHECK(store->read_stream("session-none", 1, Store::Direction::kForward, 10).value().empty());
}

TEST_CASE("a stream written in runs of many sizes reads back from any version, both ways") {
    // The stream index keeps one record per append (a run of versions); reads must cross runs,
    // start inside one, and stop at `max` anywhere.
    StoreDir dir;
    auto store = dir.open();
    struct Written {
        Position position;
        std::string clear;
    };
    std::vector<Written> by_version{{0, ""}};  // index = version
    std::vector<StreamVersion> run_starts;
    for (const std::size_t size : {1, 3, 300, 2, 600, 1, 5}) {
        std::vector<NewEvent> events;
        for (std::size_t i = 0; i < size; ++i) {
            events.push_back(make_event("s.tick", std::to_string(by_version.size() + i)));
        }
        const auto r = must_append(*store, "session-runs", std::move(events));
        run_starts.push_back(r.first_version);
        for (std::size_t i = 0; i < size; ++i) {
            by_version.push_back({r.first_position + i, std::to_string(r.first_version + i)});
        }
        must_append(*store, "session-other", {make_event()});  // runs are not contiguous positions
    }
    const StreamVersion last = by_version.size() - 1;
    CHECK(store->stream_version("session-runs").value() == last);

    std::set<StreamVersion> starts{0, 1, last, last + 1, 150};
    for (const StreamVersion s : run_starts) starts.insert({s - 1, s, s + 1});
    for (const StreamVersion from : starts) {
        for (const std::size_t max : {std::size_t{1}, std::size_t{7}, std::size_t{2000}}) {
            INFO("from " << from << ", max " << max);
            const auto fwd =
                store->read_stream("session-runs", from, Store::Direction::kForward, max).value();
            const StreamVersion fwd_first = std::max<StreamVersion>(from, 1);
            const std::size_t fwd_count =
                fwd_first > last ? 0 : std::min<std::size_t>(max, last - fwd_first + 1);
            REQUIRE(fwd.size() == fwd_count);
            for (std::size_t i = 0; i < fwd.size(); ++i) {
                REQUIRE(fwd[i].version == fwd_first + i);
                REQUIRE(fwd[i].position == by_version[fwd_first + i].position);
                REQUIRE(fwd[i].clear == by_version[fwd_first + i].clear);
            }
            const auto back =
                store->read_stream("session-runs", from, Store::Direction::kBackward, max).value();
            const StreamVersion back_first = std::min(from, last);
            REQUIRE(back.size() == std::min<std::size_t>(max, back_first));
            for (std::size_t i = 0; i < back.size(); ++i) {
                REQUIRE(back[i].version == back_first - i);
                REQUIRE(back[i].position == by_version[back_first - i].position);
                REQUIRE(back[i].stream == "session-runs");
            }
        }
    }
}

TEST_CASE("a wrong expected version returns a typed conflict and writes nothing") {
    StoreDir dir;
    auto store = dir.open();
    must_append(*store, "event-aa", {make_event(), make_event()}, ExpectedVersion::no_stream());
    const Position head = store->head();
    auto r = store->append("event-aa", ExpectedVersion::exact(1), {make_event()});
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kAborted);
    auto conflict = conflict_of(r.status());
    REQUIRE(conflict);
    CHECK(conflict->actual == 2);
    CHECK(conflict->stream == "event-aa");
    CHECK(conflict->expected.version() == 1);
    auto fresh = store->append("event-aa", ExpectedVersion::no_stream(), {make_event()});
    REQUIRE(conflict_of(fresh.status()));
    CHECK(conflict_of(fresh.status())->actual == 2);
    auto missing = store->append("event-new", ExpectedVersion::exact(3), {make_event()});
    REQUIRE(conflict_of(missing.status()));
    CHECK(conflict_of(missing.status())->actual == 0);
    CHECK(store->head() == head);
    CHECK(
        must_append(*store, "event-aa", {make_event()}, ExpectedVersion::exact(2)).first_version ==
        3);
}

TEST_CASE("concurrent appenders to one stream: exactly one wins per version") {
    StoreDir dir;
    auto store = dir.open();
    const Position base = store->head();
    constexpr int kThreads = 8;
    constexpr int kRounds = 40;
    // The workers only record what they saw; the test asserts on its own thread after joining.
    std::mutex mu;
    std::vector<std::pair<StreamVersion, StreamVersion>> wins;  // (version seen, first version won)
    std::vector<std::pair<StreamVersion, StreamVersion>> conflicts;  // (version seen, actual)
    ThreadFailures failures;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kRounds; ++i) {
                const auto seen = store->stream_version("event-hot");
                if (!seen) return failures.record("stream_version: " + seen.status().to_string());
                auto r = store->append("event-hot", ExpectedVersion::exact(*seen), {make_event()});
                const auto conflict = r ? std::nullopt : conflict_of(r.status());
                if (!r && !conflict) return failures.record("append: " + r.status().to_string());
                std::lock_guard lock(mu);
                if (r) {
                    wins.emplace_back(*seen, r->first_version);
                } else {
                    conflicts.emplace_back(*seen, conflict->actual);
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    REQUIRE(failures.first().empty());
    std::map<StreamVersion, int> winners;  // version -> how many appends won it
    for (const auto& [seen, first] : wins) {
        CHECK(first == seen + 1);
        ++winners[first];
    }
    for (const auto& [seen, actual] : conflicts) CHECK(actual > seen);
    const StreamVersion final_version = store->stream_version("event-hot").value();
    CHECK(winners.size() == final_version);
    for (const auto& [version, count] : winners) CHECK(count == 1);
    CHECK(final_version + conflicts.size() == kThreads * kRounds);
    CHECK_FALSE(conflicts.empty());
    CHECK(store->head() == base + final_version);
}

TEST_CASE("an idempotent re-send returns the original positions and writes nothing") {
    StoreDir dir;
    auto store = dir.open();
    const Position base = store->head();
    must_append(*store, "event-aa", {make_event()});
    std::vector<NewEvent> batch = {make_event("a.x", "1"), make_event("a.y", "2")};
    const auto first = must_append(*store, "event-bb", batch, ExpectedVersion::no_stream());
    must_append(*store, "event-bb", {make_event()});
    // Same ids, a now-wrong expected version: still the original result.
    const auto again = must_append(*store, "event-bb", batch, ExpectedVersion::no_stream());
    CHECK(again.idempotent_replay);
    CHECK(again.first_position == first.first_position);
    CHECK(again.last_position == first.last_position);
    CHECK(again.first_version == 1);
    CHECK(store->head() == base + 4);
    // The first event alone is also "all stored, in order".
    const auto prefix = must_append(*store, "event-bb", {batch[0]});
    CHECK(prefix.idempotent_replay);
    CHECK(prefix.first_position == base + 2);
    CHECK(store->head() == base + 4);
}

TEST_CASE("concurrent re-sends of one append write it once") {
    StoreDir dir;
    auto store = dir.open();
    const Position base = store->head();
    for (int round = 0; round < 20; ++round) {
        const std::vector<NewEvent> batch = {make_event(), make_event()};
        std::vector<AppendResult> results(4);
        std::vector<std::thread> threads;
        ThreadFailures failures;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back(
                [&, t] { results[t] = append_in_thread(*store, "event-once", batch, failures); });
        }
        for (auto& t : threads) t.join();
        REQUIRE(failures.first() == "");
        int written = 0;
        for (const auto& r : results) {
            written += r.idempotent_replay ? 0 : 1;
            CHECK(r.first_position == results[0].first_position);
        }
        CHECK(written == 1);
    }
    CHECK(store->head() == base + 40);
}

TEST_CASE("a partly re-sent append, or ids stored in another stream, is refused as reused") {
    StoreDir dir;
    auto store = dir.open();
    auto a = make_event();
    auto b = make_event();
    must_append(*store, "event-aa", {a, b});
    const Position head = store->head();
    auto mixed = store->append("event-aa", ExpectedVersion::any(), {a, make_event()});
    CHECK(mixed.status().code() == StatusCode::kAlreadyExists);
    CHECK_THAT(mixed.status().message(), Contains("reused event id"));
    auto elsewhere = store->append("event-bb", ExpectedVersion::any(), {a, b});
    CHECK(elsewhere.status().code() == StatusCode::kAlreadyExists);
    auto reordered = store->append("event-aa", ExpectedVersion::any(), {b, a});
    CHECK(reordered.status().code() == StatusCode::kAlreadyExists);
    CHECK(store->head() == head);
}

TEST_CASE("bad input is refused as invalid and nothing is written") {
    StoreDir dir;
    auto store = dir.open();
    const Position head = store->head();
    const auto refused = [&](const std::string& stream, std::vector<NewEvent> events,
                             const std::string& mentions) {
        auto r = store->append(stream, ExpectedVersion::any(), std::move(events));
        INFO(stream << " " << r.status().to_string());
        CHECK(r.status().code() == StatusCode::kInvalidArgument);
        CHECK_THAT(r.status().message(), Contains(mentions));
    };
    refused("", {make_event()}, "stream");
    refused("Event-Upper", {make_event()}, "stream");
    refused("event-with space", {make_event()}, "stream");
    refused("1event", {make_event()}, "stream");
    refused(std::string(201, 'a'), {make_event()}, "stream");
    refused("event-aa", {}, "at least one event");
    auto no_id = make_event();
    no_id.event_id = Id();
    refused("event-aa", {no_id}, "event_id");
    auto dup = make_event();
    refused("event-aa", {dup, dup}, "repeats");
    refused("event-aa", {make_event("Bad Type")}, "type");
    refused("event-aa", {make_event("")}, "type");
    auto system_with_subject = make_event();
    system_with_subject.sections.push_back({random_id(), KeyClass::kSystem, "x"});
    refused("event-aa", {system_with_subject}, "key class");
    auto personal_without = make_event();
    personal_without.sections.push_back({Id(), KeyClass::kPersonal, "x"});
    refused("event-aa", {personal_without}, "key class");
    refused("event-aa", {make_event("store.subject_erased")}, "store's own");
    std::vector<NewEvent> too_many(10'001);
    for (auto& e : too_many) e = make_event();
    refused("event-aa", std::move(too_many), "at most");
    CHECK(store->head() == head);
    CHECK(store->read_stream("bad stream", 1, Store::Direction::kForward, 1).status().code() ==
          StatusCode::kInvalidArgument);
}

TEST_CASE("a subscription racing live appends sees every position once, in order") {
    StoreDir dir;
    auto store = dir.open();
    const Position base = store->head();
    constexpr int kWriters = 4;
    constexpr int kAppendsEach = 150;
    std::vector<std::thread> writers;
    ThreadFailures failures;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            for (int i = 0; i < kAppendsEach; ++i) {
                append_in_thread(*store, "event-w" + std::to_string(w),
                                 {make_event(), make_event()}, failures);
            }
        });
    }
    // Start while the writers run, so the catch-up and the live part race.
    store->wait_for(base + 50, soon());
    auto sub = store->subscribe(base + 1);
    const Position total = kWriters * kAppendsEach * 2;
    std::vector<Position> seen;
    std::string failed;  // asserted after the writers are joined (Catch2 is not thread-safe)
    while (seen.size() < total && failed.empty()) {
        auto batch = sub->next(7, soon());
        if (!batch)
            failed = batch.status().to_string();
        else if (batch->empty())
            failed = "no entry came within the deadline";
        else
            for (const auto& e : *batch) seen.push_back(e.position);
    }
    for (auto& t : writers) t.join();
    REQUIRE(failures.first() == "");
    REQUIRE(failed == "");
    for (std::size_t i = 0; i < seen.size(); ++i) REQUIRE(seen[i] == base + i + 1);
    CHECK(sub->last_position() == base + total);
    auto none = sub->next(10, std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
    REQUIRE(none.is_ok());
    CHECK(none->empty());
    auto late = store->subscribe(base + total - 1);
    auto tail = late->next(100, soon()).value();
    REQUIRE(tail.size() == 2);
    CHECK(tail[0].position == base + total - 1);
}

TEST_CASE("recorded times never decrease even when the clock goes back") {
    StoreDir dir;
    std::int64_t now = 2'000'000'000'000'000;
    auto o = dir.options();
    o.clock = [&now] { return now; };
    auto store = std::move(Store::open(o)).value();
    const Position first = must_append(*store, "event-aa", {make_event()}).first_position;
    now -= 5'000'000;
    must_append(*store, "event-aa", {make_event()});
    auto all = store->read_all(first, 10).value();
    REQUIRE(all.size() == 2);
    CHECK(all[0].recorded_at_us == 2'000'000'000'000'000);
    CHECK(all[1].recorded_at_us == 2'000'000'000'000'000);
}

TEST_CASE("the data directory holds no key, and the keys default to a sibling directory") {
    StoreDir dir;
    auto store = dir.open();
    must_append(*store, "event-aa", {personal_event(random_id(), "secret")});
    CHECK(std::filesystem::exists(dir.keys() / "master.key"));
    CHECK(std::filesystem::exists(dir.keys() / "vault" / "CURRENT"));
    CHECK_FALSE(std::filesystem::exists(dir.data() / "master.key"));
    CHECK_FALSE(std::filesystem::exists(dir.data() / "vault"));
    const auto perms = std::filesystem::status(dir.keys() / "master.key").permissions();
    CHECK(perms == (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    CHECK((std::filesystem::status(dir.keys()).permissions() &
           std::filesystem::perms::others_all) == std::filesystem::perms::none);
    std::ifstream in(dir.keys() / "master.key", std::ios::binary);
    const std::string master((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
    REQUIRE(master.size() == 32);
    CHECK(files_containing(dir.data(), master).empty());
    CHECK(default_keys_dir("/srv/aud/data") == "/srv/aud/keys");
    CHECK(default_keys_dir("/srv/aud/data/") == "/srv/aud/keys");
}

TEST_CASE("the tree head is the RFC 9162 root over the stored entry bytes, across reopen") {
    StoreDir dir;
    // The RFC's definition, recursively, independent of the store's incremental frontier.
    const std::function<merkle::Hash(const std::vector<merkle::Hash>&, std::size_t, std::size_t)>
        mth = [&](const std::vector<merkle::Hash>& leaves, std::size_t lo, std::size_t hi) {
            if (hi - lo == 1) return leaves[lo];
            std::size_t k = 1;
            while (k * 2 < hi - lo) k *= 2;
            return merkle::node_hash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
        };
    const auto expected_root = [&](Store& store) {
        std::vector<merkle::Hash> leaves;
        for (const auto& e : store.read_all(1, 1000).value())
            leaves.push_back(merkle::leaf_hash(e.canonical));
        return merkle::to_string(mth(leaves, 0, leaves.size()));
    };
    {
        auto store = dir.open();
        CHECK(store->tree_head().size == 1);  // the settings record
        CHECK(store->tree_head().root == expected_root(*store));
        for (int i = 0; i < 13; ++i)
            must_append(*store, "event-a", {make_event(), personal_event(random_id(), "p")});
        CHECK(store->tree_head().size == 27);
        CHECK(store->tree_head().root == expected_root(*store));
    }
    auto store = dir.open();
    CHECK(store->tree_head().size == 27);
    CHECK(store->tree_head().root == expected_root(*store));
    must_append(*store, "event-a", {make_event()});
    CHECK(store->tree_head().root == expected_root(*store));
}

// verify reads every row and every record through one snapshot: a hold set and released while it
// runs must not be compared across two points in time (the hold row as of the snapshot against
// the newest record of the hold's stream).
TEST_CASE("verify passes while legal holds are set and released beside it") {
    StoreDir dir;
    auto store = dir.open();
    const Id person = random_id();
    must_append(*store, "person-" + person.hex(), {personal_event(person, "ada@example.org")});
    std::atomic<bool> stop{false};
    std::atomic<int> toggles{0};
    std::thread holder([&] {
        for (bool held = true; !stop; held = !held) {
            auto set = store->set_legal_hold(person, Id(), held);
            if (!set) {
                FAIL_CHECK(set.status().to_string());
                return;
            }
            ++toggles;
        }
    });
    int verified = 0;
    // Until the holds have moved on during several verifies, and at least twenty verifies ran.
    for (int started_at = toggles; verified < 20 || toggles - started_at < 40; ++verified) {
        auto report = store->verify({});
        CHECK_OK(report);
        if (!report) break;
    }
    stop = true;
    holder.join();
    CHECK(verified >= 20);
    CHECK(toggles > 40);
}
