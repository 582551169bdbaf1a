// End-to-end: the real `auditorium` binary, started as an operator would.
#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

}  // namespace

TEST_CASE(
    "serve creates the ledger and its keys on first run, logs the head, and stops on SIGTERM") {
    TempDir dir;
    const auto data = dir / "var" / "data";
    {
        Process serve({AUD_CLI, "serve", "--data", data.string()});
        auto line = serve.wait_for_line("head position");
        INFO(serve.output());
        REQUIRE(line);
        CHECK_THAT(*line, Contains("head position 1, tree size 1"));  // the store's settings record
        serve.signal(SIGTERM);
        CHECK(serve.wait() == 0);
        CHECK_THAT(serve.output(), Contains("stopped"));
    }
    CHECK(mode_of(dir / "var" / "keys") == 0700);
    CHECK(mode_of(dir / "var" / "keys" / "master.key") == 0600);
    CHECK(mode_of(data) == 0700);
    // The second run opens what the first made, under the same store id.
    Process again(
        {AUD_CLI, "serve", "--data", data.string(), "--keys", (dir / "var" / "keys").string()});
    REQUIRE(again.wait_for_line("head position"));
    again.signal(SIGINT);
    CHECK(again.wait() == 0);
}

TEST_CASE("serve refuses a master key with loose permissions, on stderr, with a non-zero exit") {
    TempDir dir;
    const auto data = dir / "data";
    {
        Process serve({AUD_CLI, "serve", "--data", data.string()});
        REQUIRE(serve.wait_for_line("head position"));
        serve.signal(SIGTERM);
        REQUIRE(serve.wait() == 0);
    }
    REQUIRE(::chmod((dir / "keys" / "master.key").c_str(), 0640) == 0);
    auto [code, output] = run({AUD_CLI, "serve", "--data", data.string()});
    CHECK(code != 0);
    CHECK_THAT(output, Contains("master.key"));
    CHECK_THAT(output, Contains("0640"));
}

TEST_CASE("the command line rejects unknown commands and options with a message and exit 2") {
    auto [code, output] = run({AUD_CLI, "frobnicate"});
    CHECK(code == 2);
    CHECK_THAT(output, Contains("unknown command"));
    auto [code2, output2] = run({AUD_CLI, "serve", "--no-such-option"});
    CHECK(code2 == 2);
    CHECK_THAT(output2, Contains("no-such-option"));
    auto [code3, output3] = run({AUD_CLI, "serve", "--help"});
    CHECK(code3 == 0);
    CHECK_THAT(output3, Contains("--data"));
}
