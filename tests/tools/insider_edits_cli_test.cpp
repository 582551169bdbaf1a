// End-to-end, issue 13: rows edited with RocksDB's own `ldb` tool, as an insider with the data
// directory would, make `auditorium ledger verify` exit non-zero naming what is wrong.
#include <signal.h>

#include <catch2/catch.hpp>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {

// Starts the append child on `data`, lets it acknowledge `count` appends, and stops it.
void write_entries(const std::filesystem::path& data, int count) {
    Process child({AUD_APPEND_CHILD, data.string()});
    for (int i = 0; i < count; ++i) REQUIRE(child.wait_for_line(" "));
    child.signal(SIGTERM);
    child.wait();
}

void ldb(const std::filesystem::path& data, std::vector<std::string> args) {
    std::vector<std::string> argv = {"/usr/bin/ldb", "--db=" + data.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto [code, out] = run(argv);
    INFO(out);
    REQUIRE(code == 0);
}

}  // namespace

TEST_CASE("ledger verify reports the entries past the newest signed tree head") {
    TempDir dir;
    const auto data = dir / "data";
    write_entries(data, 10);
    auto [code, out] = run({AUD_CLI, "ledger", "verify", "--data", data.string()});
    INFO(out);
    CHECK(code == 0);
    // The child is stopped before it closes: its last head is the one signed at open.
    CHECK_THAT(out, Contains("entries past the newest signed tree head"));
}

TEST_CASE(
    "a purge marker put with ldb in place of an entry fails ledger verify, naming the position") {
    TempDir dir;
    const auto data = dir / "data";
    write_entries(data, 10);
    // "AUDPURGED" 0x00 BE64(5): the marker purge() writes, but no ledgered purge covers it.
    ldb(data, {"--column_family=ledger", "--hex", "put", "0x0000000000000005",
               "0x41554450555247454400"
               "0000000000000005"});
    auto [code, out] = run({AUD_CLI, "ledger", "verify", "--data", data.string()});
    INFO(out);
    CHECK(code == 4);
    CHECK_THAT(out, Contains("FAILED"));
    CHECK_THAT(out, Contains("position 5"));
    CHECK_THAT(out, Contains("purge marker"));
}

TEST_CASE("a retention_us shortened with ldb is refused by ledger verify, naming the row") {
    TempDir dir;
    const auto data = dir / "data";
    write_entries(data, 3);
    ldb(data, {"--column_family=meta", "put", "retention_us", "1"});
    auto [code, out] = run({AUD_CLI, "ledger", "verify", "--data", data.string()});
    INFO(out);
    CHECK(code != 0);
    CHECK_THAT(out, Contains("retention_us"));
}
