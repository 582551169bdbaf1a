// Retention: purge past retention with snapshots, legal holds, retention keys.
#include "eventstore/store.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "eventstore/internal/merkle.hpp"
#include "tests/support/status.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {

constexpr std::int64_t kHour = 3600LL * 1'000'000;
constexpr std::int64_t kDay = 24 * kHour;

// The test stream type "counter": "counter.added" events carry a number in clear and the
// contributor's name in a personal section; the snapshot keeps the sum and each contributor's
// name in that contributor's own section.
struct CounterState {
    long sum = 0;
    std::map<Id, std::string> names;
};

CounterState fold(const std::vector<Entry>& entries) {
    CounterState st;
    for (const auto& e : entries) {
        if (e.purged) continue;
        if (e.type == "counter.snapshot") {
            st = CounterState{std::stol(e.clear), {}};
        } else if (e.type == "counter.added") {
            st.sum += std::stol(e.clear);
        } else {
            continue;
        }
        for (const auto& s : e.sections) {
            if (s.state == Section::State::kOpen) st.names[s.subject] = s.plaintext;
        }
    }
    return st;
}

SnapshotRegistry counter_snapshots() {
    SnapshotRegistry r;
    r["counter"] = [](std::string_view,
                      const std::vector<Entry>& entries) -> Result<std::optional<NewEvent>> {
        const CounterState st = fold(entries);
        NewEvent e;
        e.event_id = random_id();
        e.type = "counter.snapshot";
        e.clear = std::to_string(st.sum);
        for (const auto& [who, name] : st.names)
            e.sections.push_back({who, KeyClass::kPersonal, name});
        return std::optional<NewEvent>(std::move(e));
    };
    return r;
}

NewEvent added(long n, const Id& who, const std::string& name) {
    NewEvent e = make_event("counter.added", std::to_string(n));
    e.subject = who;
    e.sections.push_back({who, KeyClass::kPersonal, name});
    return e;
}

struct DevStore {
    StoreDir dir;
    std::int64_t now = 1'800'000'000LL * 1'000'000;  // 2027-01-15
    std::unique_ptr<Store> store;
    explicit DevStore(SnapshotRegistry snapshots = counter_snapshots(),
                      std::int64_t retention = kDay) {
        store = open(std::move(snapshots), retention);
    }
    std::unique_ptr<Store> open(SnapshotRegistry snapshots, std::int64_t retention = kDay) {
        auto o = dir.options();
        o.dev = true;
        o.retention = std::chrono::microseconds(retention);
        o.snapshots = std::move(snapshots);
        o.clock = [this] { return now; };
        auto s = Store::open(o);
        REQUIRE_OK(s);
        return std::move(s).value();
    }
};

Store::VerifyReport verified(const StoreDir& dir) {
    auto o = dir.options(false);
    o.read_only = true;
    auto reader = Store::open(o);
    REQUIRE(reader.is_ok());
    auto report = (*reader)->verify({});
    REQUIRE_OK(report);
    return *report;
}

}  // namespace

TEST_CASE("retention is two years at least, except in a dev store") {
    StoreDir dir;
    auto o = dir.options();
    o.retention = std::chrono::microseconds(kDay);
    auto short_one = Store::open(o);
    CHECK(short_one.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(short_one.status().message(), Contains("two years"));
    CHECK_FALSE(std::filesystem::exists(dir.data() / "CURRENT"));
    o.dev = true;
    auto dev = Store::open(o);
    REQUIRE(dev.is_ok());
    CHECK((*dev)->retention().count() == kDay);
    dev->reset();
    // Recorded at creation: a later open keeps it whatever it is told.
    o.retention = std::chrono::microseconds(5 * kDay);
    CHECK(std::move(Store::open(o)).value()->retention().count() == kDay);
    StoreDir normal;
    CHECK(normal.open()->retention() == kMinimumRetention);
}

TEST_CASE(
    "purge drops payloads past retention, keeps leaf hashes and the snapshot rebuilds the state") {
    DevStore d;
    const Id ada = random_id();
    const Id bob = random_id();
    const Position first =
        must_append(*d.store, "counter-a", {added(5, ada, "Ada"), added(7, bob, "Bob")})
            .first_position;
    const Position size_before =
        must_append(*d.store, "counter-a", {added(1, ada, "Ada")}).last_position;
    const std::string root_before = d.store->tree_head().root;
    const auto before =
        fold(d.store->read_stream("counter-a", 1, Store::Direction::kForward, 100).value());
    const std::string leaf1 = d.store->leaf_hash(first).value();
    d.now += 2 * kDay;  // everything so far is past retention
    must_append(*d.store, "counter-a", {added(100, bob, "Bob")});  // recent: stays

    auto report = d.store->purge();
    REQUIRE_OK(report);
    CHECK(report->entries_purged == 3);
    CHECK(report->snapshots_appended == 1);
    CHECK(report->record > 0);
    auto entries = d.store->read_stream("counter-a", 1, Store::Direction::kForward, 100).value();
    REQUIRE(entries.size() == 5);  // 3 purged, the recent add, the snapshot
    CHECK(entries[0].purged);
    CHECK(entries[0].stream == "counter-a");
    CHECK(entries[0].version == 1);
    CHECK(entries[0].sections.empty());
    CHECK_FALSE(entries[3].purged);
    CHECK(entries[4].type == "counter.snapshot");
    // The state folds the same as before, plus the recent add.
    const auto after = fold(entries);
    CHECK(after.sum == before.sum + 100);
    CHECK(after.names == before.names);
    // The leaf hashes and the tree stand; the purge is ledgered.
    CHECK(d.store->leaf_hash(first).value() == leaf1);
    CHECK(d.store->root_at(size_before).value() == root_before);
    auto last = d.store->read_all(report->record, 1).value();
    CHECK(last.at(0).type == "store.purged");
    CHECK_THAT(last.at(0).clear, Contains("\"entries_purged\":3"));
    const auto proof = d.store->inclusion_proof(first, d.store->head()).value();
    std::vector<merkle::Hash> path;
    for (const auto& h : proof) path.push_back(*merkle::from_string(h));
    CHECK(merkle::verify_inclusion(first - 1, d.store->head(), *merkle::from_string(leaf1), path,
                                   *merkle::from_string(d.store->tree_head().root)));
    d.store.reset();
    const auto v = verified(d.dir);
    CHECK(v.entries_purged == 3);
    // A second purge finds nothing more to do.
    d.store = d.open(counter_snapshots());
    CHECK(d.store->purge()->entries_purged == 0);
}

TEST_CASE("a complete export of a purged ledger still rebuilds the root") {
    DevStore d;
    must_append(*d.store, "counter-a", {added(1, random_id(), "x")});
    d.now += 2 * kDay;
    REQUIRE(d.store->purge()->entries_purged == 1);
    d.store.reset();
    auto o = d.dir.options(false);
    o.read_only = true;
    ExportOptions e;
    e.out = d.dir.dir / "export.jsonl";
    REQUIRE(std::move(Store::open(o)).value()->export_ledger(e).is_ok());
    std::ifstream body(e.out, std::ios::binary);
    std::ifstream sig(e.out.string() + ".minisig");
    std::stringstream minisig;
    minisig << sig.rdbuf();
    auto check = verify_export(body, minisig.str(), "");
    REQUIRE_OK(check);
    CHECK_FALSE(check->filtered);
}

TEST_CASE("a stream type without a snapshot function is not purged, and is reported") {
    DevStore d(SnapshotRegistry{});
    must_append(*d.store, "other-a", {make_event(), make_event()});
    d.now += 2 * kDay;
    auto report = d.store->purge().value();
    CHECK(report.entries_purged == 0);
    CHECK(report.no_snapshot_function.at("other") == 2);
    CHECK_FALSE(entry_of(*d.store, "other-a").purged);
}

TEST_CASE("a legal hold blocks the purge of the subject's entries and defers an erasure") {
    DevStore d;
    const Id held = random_id();
    const Id free = random_id();
    const Id officer = random_id();
    must_append(*d.store, "counter-h", {added(1, held, "Held")});
    must_append(*d.store, "counter-f", {added(2, free, "Free")});
    const Position hold = d.store->set_legal_hold(held, officer, true).value();
    CHECK(d.store->is_held(held).value());
    CHECK(d.store->set_legal_hold(held, officer, true).value() == hold);  // already held
    CHECK(d.store->read_all(hold, 1).value()[0].type == "store.legal_hold_set");

    // Erasure while held: deferred, the data stays readable.
    const Position deferred = d.store->erase(held, officer).value();
    CHECK(d.store->is_erasure_deferred(held).value());
    CHECK_FALSE(d.store->is_erased(held).value());
    CHECK(d.store->read_all(deferred, 1).value()[0].type == "store.erasure_deferred");
    CHECK(entry_of(*d.store, "counter-h").sections.at(0).state == Section::State::kOpen);

    d.now += 2 * kDay;
    auto report = d.store->purge().value();
    CHECK(report.entries_held == 1);
    CHECK(report.entries_purged == 1);  // the free subject's entry only
    CHECK_FALSE(entry_of(*d.store, "counter-h").purged);
    CHECK(entry_of(*d.store, "counter-f").purged);

    // The release carries out the deferred erasure.
    REQUIRE(d.store->set_legal_hold(held, officer, false).is_ok());
    CHECK_FALSE(d.store->is_held(held).value());
    CHECK(d.store->is_erased(held).value());
    CHECK_FALSE(d.store->is_erasure_deferred(held).value());
    CHECK(entry_of(*d.store, "counter-h").sections.at(0).state == Section::State::kErased);
    CHECK(d.store->set_legal_hold(held, officer, false).status().code() ==
          StatusCode::kFailedPrecondition);
    // Now the purge may take it.
    CHECK(d.store->purge()->entries_purged == 1);
}

TEST_CASE(
    "retention keys are destroyed once their month has passed retention and their records are "
    "purged") {
    DevStore d(counter_snapshots(), kDay);
    const Id admin = random_id();
    NewEvent signin = make_event("member.signed_in");
    signin.actor = admin;
    signin.subject = admin;
    signin.sections.push_back({admin, KeyClass::kRetained, "from 203.0.113.9, Firefox"});
    must_append(*d.store, "counter-s", {std::move(signin)});
    const Entry read = entry_of(*d.store, "counter-s");
    REQUIRE(read.sections.at(0).plaintext == "from 203.0.113.9, Firefox");
    const std::uint32_t month = read.sections[0].key_id;
    CHECK(month == 202701);
    // Two days later the record is past retention, but its month has not ended: the key stays.
    d.now += 2 * kDay;
    auto early = d.store->purge().value();
    CHECK(early.entries_purged == 1);
    CHECK(early.retention_keys_destroyed == 0);
    // Once the month has ended and passed retention, the key goes.
    d.now += 40 * kDay;
    auto late = d.store->purge().value();
    CHECK(late.retention_keys_destroyed == 1);
    d.store.reset();
    verified(d.dir);
}
