// Issue 13, "the ledger never changes meaning silently": an insider with write access to the data
// directory edits RocksDB rows with RocksDB's own API (as `ldb` would) behind the store's back;
// `verify` must then fail, naming the row, position or column family that is wrong.
#include "eventstore/store.hpp"

#include <catch2/catch.hpp>
#include <functional>

#include "base/big_endian.hpp"
#include "eventstore/internal/layout.hpp"
#include "tests/eventstore/raw_db.hpp"
#include "tests/support/status.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::testing;
using Catch::Matchers::Contains;
using layout::position_key;

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1'000'000;

// "counter" streams: the snapshot keeps the count, so purge() may drop what came before.
SnapshotRegistry counter_snapshots() {
    SnapshotRegistry r;
    r["counter"] = [](std::string_view,
                      const std::vector<Entry>& entries) -> Result<std::optional<NewEvent>> {
        NewEvent e = make_event("counter.snapshot", std::to_string(entries.size()));
        return std::optional<NewEvent>(std::move(e));
    };
    return r;
}

// A store with a clock of its own; dev (one day of retention) or production (two years).
struct ClockedStore {
    StoreDir dir;
    std::int64_t now = 1'800'000'000LL * 1'000'000;  // 2027-01-15
    bool dev = true;
    std::int64_t retention = kDay;

    StoreOptions options(bool create = true) {
        auto o = dir.options(create);
        o.dev = dev;
        o.retention = std::chrono::microseconds(retention);
        o.snapshots = counter_snapshots();
        o.clock = [this] { return now; };
        return o;
    }
    std::unique_ptr<Store> open() {
        auto s = Store::open(options());
        REQUIRE_OK(s);
        return std::move(s).value();
    }
    Result<std::unique_ptr<Store>> reopen(bool read_only) {
        auto o = options(false);
        o.read_only = read_only;
        return Store::open(o);
    }
};

// What the edits below need to find again: subjects and positions of the store's own records.
struct Ledger {
    Id erased, held, deferred, person;
    Position erasure = 0, hold = 0, deferral = 0, purge = 0;
    Position first_counter = 0, last_counter = 0;
};

// Every kind of row verify checks: entries of a person, an erasure, a legal hold with a deferred
// erasure, a purge, a signing key rotation.
Ledger populate(ClockedStore& c, Store& store) {
    Ledger l;
    l.erased = random_id();
    l.held = random_id();
    l.deferred = random_id();
    l.person = random_id();
    const Id officer = random_id();
    l.first_counter =
        must_append(store, "counter-a", {make_event("counter.added"), make_event("counter.added")})
            .first_position;
    l.last_counter = must_append(store, "counter-a", {make_event("counter.added")}).last_position;
    must_append(store, "person-a",
                {personal_event(l.person, "Ada"), personal_event(l.erased, "Bob")});
    must_append(store, "person-b",
                {personal_event(l.held, "Cy"), personal_event(l.deferred, "Di")});
    l.erasure = store.erase(l.erased, officer).value();
    l.hold = store.set_legal_hold(l.held, officer, true).value();
    REQUIRE(store.set_legal_hold(l.deferred, officer, true).is_ok());
    l.deferral = store.erase(l.deferred, officer).value();
    REQUIRE(store.rotate_signing_key(officer).is_ok());
    c.now += c.retention + kDay;  // the counter's entries are past retention
    auto purged = store.purge();
    REQUIRE_OK(purged);
    REQUIRE(purged->entries_purged == 3);
    l.purge = purged->record;
    must_append(store, "counter-a", {make_event("counter.added")});
    return l;
}

struct Built {
    ClockedStore c;
    Ledger l;
};

std::unique_ptr<Built> build(bool dev = true) {
    auto b = std::make_unique<Built>();
    b->c.dev = dev;
    b->c.retention = dev ? kDay : kMinimumRetention.count();
    auto store = b->c.open();
    b->l = populate(b->c, *store);
    return b;
}

Result<Store::VerifyReport> verify_after(ClockedStore& c, bool read_only = true,
                                         bool with_keys = true) {
    auto o = c.options(false);
    o.read_only = read_only;
    o.with_keys = with_keys;
    auto store = Store::open(o);
    if (!store) return store.status();
    return (*store)->verify({});
}

// verify fails with Corruption or DataLoss, and its message names every one of `needles`.
void fails_naming(const Result<Store::VerifyReport>& report,
                  const std::vector<std::string>& needles) {
    INFO(report.status().to_string());
    REQUIRE_FALSE(report.is_ok());
    const auto code = report.status().code();
    CHECK((code == StatusCode::kCorruption || code == StatusCode::kDataLoss));
    for (const auto& n : needles) CHECK_THAT(report.status().message(), Contains(n));
}

// Edits the closed store's ledger with RocksDB's own API.
template <typename Edit>
void edit_ledger(ClockedStore& c, Edit&& edit) {
    RawDb raw(c.dir.data().string());
    edit(raw);
}

}  // namespace

TEST_CASE(
    "an untouched store with erasures, holds, deferred erasures, purges and a rotated key "
    "verifies") {
    auto b = build();
    auto report = verify_after(b->c);
    REQUIRE_OK(report);
    CHECK(report->entries_purged == 3);
    CHECK(report->entries_unsigned == 0);  // a clean close signs the final size
    CHECK(report->tree_heads >= 2);
    // Read-write too: reopening writes nothing that verify would object to.
    auto rw = verify_after(b->c, false);
    INFO(rw.status().to_string());
    CHECK(rw.is_ok());
}

TEST_CASE(
    "retention_us set to 1 in a production store is refused at open, read-write or read-only") {
    auto b = build(false);
    edit_ledger(b->c, [](RawDb& raw) { raw.put("meta", "retention_us", "1"); });
    for (bool read_only : {false, true}) {
        auto store = b->c.reopen(read_only);
        INFO(store.status().to_string());
        REQUIRE_FALSE(store.is_ok());
        const auto code = store.status().code();
        CHECK((code == StatusCode::kCorruption || code == StatusCode::kFailedPrecondition));
        CHECK_THAT(store.status().message(), Contains("retention_us"));
    }
}

TEST_CASE("a retention_us changed in a dev store fails verify against the ledgered settings") {
    auto b = build();
    edit_ledger(b->c, [](RawDb& raw) { raw.put("meta", "retention_us", "1"); });
    fails_naming(verify_after(b->c), {"meta row retention_us", "store.settings"});
}

TEST_CASE(
    "a retention_us or dev row changed in a store holding only its users' entries is refused at "
    "every open") {
    for (const bool production : {false, true}) {
        ClockedStore c;
        c.dev = !production;
        c.retention = production ? kMinimumRetention.count() : kDay;
        {
            auto store = c.open();
            must_append(*store, "counter-a",
                        {make_event("counter.added"), make_event("counter.added")});
        }
        // A dev store told to keep entries one second, or a production store made dev (which
        // lifts the two-year floor) and told the same: either would purge everything at once.
        edit_ledger(c, [&](RawDb& raw) {
            raw.put("meta", "retention_us", "1000000");
            if (production) raw.put("meta", "dev", "1");
        });
        INFO((production ? "production" : "dev"));
        for (bool read_only : {false, true}) {
            auto store = c.reopen(read_only);
            INFO(store.status().to_string());
            REQUIRE_FALSE(store.is_ok());
            CHECK(store.status().code() == StatusCode::kCorruption);
            CHECK_THAT(store.status().message(),
                       Contains(production ? "meta row dev" : "meta row retention_us"));
            CHECK_THAT(store.status().message(), Contains("store.settings record at position 1"));
        }
        fails_naming(verify_after(c), {"store.settings"});
    }
}

TEST_CASE("a non-numeric retention_us is Corruption at open, not an abort") {
    auto b = build();
    edit_ledger(b->c, [](RawDb& raw) { raw.put("meta", "retention_us", "two years"); });
    for (bool read_only : {false, true}) {
        auto store = b->c.reopen(read_only);
        INFO(store.status().to_string());
        CHECK(store.status().code() == StatusCode::kCorruption);
        CHECK_THAT(store.status().message(), Contains("retention_us"));
    }
}

TEST_CASE("a flipped dev flag fails verify") {
    auto b = build(false);
    edit_ledger(b->c, [](RawDb& raw) { raw.put("meta", "dev", "1"); });
    fails_naming(verify_after(b->c), {"meta row dev"});
}

TEST_CASE("a signing key added to meta fails verify: no ledgered record announces it") {
    auto b = build();
    std::string added_row;
    edit_ledger(b->c, [&](RawDb& raw) {
        auto keys = raw.scan("meta", "signing_key:");
        REQUIRE(keys.size() == 2);  // created, rotated
        std::string value = keys.front().second;
        value[0] ^= 1;  // another public key
        value[32] = 0;  // retired
        added_row = "signing_key:00112233445566ff";
        raw.put("meta", added_row, value);
    });
    fails_naming(verify_after(b->c), {added_row, "not announced"});
}

TEST_CASE("a purge marker put in place of an entry fails verify, naming the position") {
    auto b = build();
    const Position p = b->l.last_counter + 1;  // the person's entry, not past retention
    edit_ledger(b->c, [&](RawDb& raw) { raw.put("ledger", be64(p), layout::purged_value(p)); });
    fails_naming(verify_after(b->c), {"position " + std::to_string(p), "purge"});
}

TEST_CASE("a forged erasures row with the vault key deleted fails verify with keys") {
    auto b = build();
    const Position person_entry = b->l.last_counter + 1;
    edit_ledger(b->c, [&](RawDb& raw) {
        raw.put("erasures", std::string(b->l.person.view()), be64(person_entry));
    });
    {
        RawDb vault((b->c.dir.keys() / "vault").string());
        vault.remove("default", layout::vault_key(b->l.person, 1, 1));
    }
    fails_naming(verify_after(b->c), {"erasures", b->l.person.hex()});
}

TEST_CASE("a deleted erasures row fails verify") {
    auto b = build();
    edit_ledger(b->c, [&](RawDb& raw) { raw.remove("erasures", std::string(b->l.erased.view())); });
    // An auditor without keys: the erasure record has lost its row.
    fails_naming(verify_after(b->c, true, false),
                 {"erasures", b->l.erased.hex(), "position " + std::to_string(b->l.erasure)});
    // With keys the subject's sealed entry comes first: its key is gone and nothing says why.
    fails_naming(verify_after(b->c), {b->l.erased.hex(), "erasure record"});
}

TEST_CASE("a deleted deferred_erasures row fails verify") {
    auto b = build();
    edit_ledger(b->c, [&](RawDb& raw) {
        raw.remove("deferred_erasures", std::string(b->l.deferred.view()));
    });
    fails_naming(verify_after(b->c), {"deferred_erasures", b->l.deferred.hex()});
}

TEST_CASE("a deleted holds row fails verify: the legal hold is still in force") {
    auto b = build();
    edit_ledger(b->c, [&](RawDb& raw) { raw.remove("holds", std::string(b->l.held.view())); });
    fails_naming(verify_after(b->c),
                 {"holds", b->l.held.hex(), "position " + std::to_string(b->l.hold)});
}

TEST_CASE("a forged holds row fails verify") {
    auto b = build();
    edit_ledger(b->c, [&](RawDb& raw) {
        raw.put("holds", std::string(b->l.person.view()), be64(b->l.hold));
    });
    fails_naming(verify_after(b->c), {"holds", b->l.person.hex()});
}

TEST_CASE("a malformed holds row is Corruption, not a crash") {
    auto b = build();
    edit_ledger(b->c, [&](RawDb& raw) { raw.put("holds", std::string(b->l.held.view()), "xyz"); });
    fails_naming(verify_after(b->c), {"holds", b->l.held.hex()});
}

TEST_CASE("an edited streams run fails verify") {
    auto b = build();
    edit_ledger(b->c, [&](RawDb& raw) {
        auto runs = raw.scan("streams", layout::stream_prefix("person-a"));
        REQUIRE(runs.size() == 1);
        // Point the run one position further: into another stream's entries.
        raw.put("streams", runs[0].first, layout::stream_run_value(b->l.last_counter + 2, 2));
    });
    fails_naming(verify_after(b->c), {"streams", "person-a"});
}

TEST_CASE("a deleted streams run fails verify") {
    auto b = build();
    edit_ledger(b->c,
                [&](RawDb& raw) { raw.remove("streams", layout::stream_key("person-b", 1)); });
    fails_naming(verify_after(b->c), {"streams"});
}

TEST_CASE("an edited or deleted event_ids row fails verify") {
    for (bool remove : {false, true}) {
        auto b = build();
        edit_ledger(b->c, [&](RawDb& raw) {
            auto rows = raw.scan("event_ids", "");
            REQUIRE_FALSE(rows.empty());
            for (const auto& [id, value] : rows) {
                const Position p = get_be64(value);
                if (p != b->l.last_counter + 1) continue;  // the person's entry, not purged
                if (remove) {
                    raw.remove("event_ids", id);
                } else {
                    std::string moved = value;
                    moved.replace(0, 8, be64(p + 1));
                    raw.put("event_ids", id, moved);
                }
            }
        });
        fails_naming(verify_after(b->c), {"event_ids"});
    }
}

TEST_CASE("deleting every tree head of a non-empty ledger fails verify") {
    auto b = build();
    edit_ledger(b->c, [](RawDb& raw) {
        auto heads = raw.scan("tree_heads", "");
        REQUIRE_FALSE(heads.empty());
        for (const auto& [k, v] : heads) raw.remove("tree_heads", k);
    });
    fails_naming(verify_after(b->c), {"no signed tree head"});
}

TEST_CASE("verify reports how many entries stand past the newest tree head") {
    auto b = build();
    Position head = 0;
    edit_ledger(b->c, [&](RawDb& raw) {
        auto heads = raw.scan("tree_heads", "");
        REQUIRE(heads.size() >= 2);
        head = get_be64(heads.back().first);
        // The newest heads go: the entries after the newest one left stand unsigned.
        std::uint64_t kept = 0;
        for (const auto& [k, v] : heads) {
            const std::uint64_t size = get_be64(k);
            if (size == head) {
                raw.remove("tree_heads", k);
            } else {
                kept = std::max(kept, size);
            }
        }
        REQUIRE(kept < head);
        head -= kept;
    });
    auto report = verify_after(b->c);
    REQUIRE_OK(report);
    CHECK(report->entries_unsigned == head);
}

TEST_CASE("malformed rows read as Corruption naming their column family, never an abort") {
    struct Edit {
        std::string cf;
        std::function<std::string(const Built&)> key;
        std::string value;
        std::string needle;
        bool dev = true;
    };
    const std::vector<Edit> edits = {
        {"erasures", [](const Built& b) { return std::string(b.l.erased.view()); }, "xy",
         "erasures"},
        {"deferred_erasures", [](const Built& b) { return std::string(b.l.deferred.view()); }, "xy",
         "deferred_erasures"},
        {"streams", [](const Built&) { return layout::stream_key("person-a", 1); }, "short",
         "streams"},
        // In a dev store "yes" reads as not dev, so its short retention is refused at open instead.
        {"meta", [](const Built&) { return std::string("dev"); }, "yes", "meta row dev", false},
    };
    for (const auto& e : edits) {
        INFO(e.cf);
        auto b = build(e.dev);
        edit_ledger(b->c, [&](RawDb& raw) { raw.put(e.cf, e.key(*b), e.value); });
        auto report = verify_after(b->c);
        CHECK(report.status().code() == StatusCode::kCorruption);
        CHECK_THAT(report.status().message(), Contains(e.needle));
    }
    auto b = build();
    edit_ledger(b->c, [&](RawDb& raw) {
        auto rows = raw.scan("event_ids", "");
        REQUIRE_FALSE(rows.empty());
        raw.put("event_ids", rows.front().first, "short");
    });
    fails_naming(verify_after(b->c), {"event_ids", "malformed"});
}

TEST_CASE("the public append refuses the store's own streams, whatever the event type") {
    StoreDir dir;
    auto store = dir.open();
    for (const char* stream : {"store-settings", "store-keys", "store-anything"}) {
        auto r = store->append(stream, ExpectedVersion::any(), {make_event("test.happened")});
        REQUIRE_FALSE(r.is_ok());
        CHECK(r.status().code() == StatusCode::kInvalidArgument);
        CHECK_THAT(r.status().message(), Catch::Contains("store's own"));
    }
    CHECK(store->append("stored-things", ExpectedVersion::any(), {make_event("test.happened")})
              .is_ok());
}
