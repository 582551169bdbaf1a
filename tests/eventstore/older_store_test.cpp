// A store written by the code before its settings were ledgered (fixtures/README.md): verify says
// what it lacks, the first read-write open ledgers its settings once, and it verifies after.
#include <catch2/catch.hpp>

#include "eventstore/store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/status.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {

struct OlderStore {
    TempDir dir;
    OlderStore() {
        auto [code, out] =
            run({"/usr/bin/tar", "xzf", AUD_STORE_FIXTURES "/store-before-settings.tgz", "-C",
                 dir.path().string()});
        INFO(out);
        REQUIRE(code == 0);
    }
    StoreOptions options(bool read_only) const {
        StoreOptions o;
        o.data_dir = dir / "store/data";
        o.keys_dir = dir / "store/keys";
        o.read_only = read_only;
        return o;
    }
    Result<Store::VerifyReport> verify() const {
        auto store = Store::open(options(true));
        if (!store) return store.status();
        return (*store)->verify({});
    }
};

}  // namespace

TEST_CASE(
    "a store made before settings were ledgered gets its settings record at its first read-write "
    "open") {
    OlderStore older;
    auto before = older.verify();
    REQUIRE_FALSE(before.is_ok());
    CHECK(before.status().code() == StatusCode::kCorruption);
    CHECK_THAT(before.status().message(), Contains("no store.settings record"));
    CHECK_THAT(before.status().message(), Contains("first read-write open"));

    Position head = 0;
    {
        auto opened = Store::open(older.options(false));
        REQUIRE_OK(opened);
        Store& store = **opened;
        head = store.head();
        auto settings =
            store.read_stream("store-settings", 1, Store::Direction::kForward, 10).value();
        REQUIRE(settings.size() == 1);
        CHECK(settings[0].position == head);  // appended after the older entries
        CHECK(settings[0].type == "store.settings");
        CHECK_THAT(settings[0].clear, Contains("\"reason\":\"first_open\""));
        CHECK_THAT(settings[0].clear,
                   Contains("\"retention_us\":" + std::to_string(store.retention().count())));
        for (const auto& k : store.signing_keys().value())
            CHECK_THAT(settings[0].clear, Contains(to_hex(k.key)));
    }
    auto after = older.verify();
    REQUIRE_OK(after);
    CHECK(after->entries == head);
    // Reopened, it writes no second record.
    auto again = Store::open(older.options(false));
    REQUIRE(again.is_ok());
    CHECK((*again)->head() == head);
    CHECK((*again)->stream_version("store-settings").value() == 1);
}
