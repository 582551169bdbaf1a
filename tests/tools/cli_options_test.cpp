// End-to-end: numeric options are range-checked while the command line is parsed, so a negative
// number (which boost::program_options would wrap into a huge unsigned one), a meaningless zero or
// an absurd value is refused with exit 2 and a message on stderr naming the option, before any
// store, socket or file is opened (issue 13).
#include <catch2/catch.hpp>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace auditorium::testing;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// A refusal is immediate; a command that wrongly goes on (`serve` with a wrapped interval) is
// killed after this and fails the test.
constexpr std::chrono::seconds kRefusalTimeout{10};

Outcome run_refused(std::vector<std::string> argv) {
    return run_apart(std::move(argv), "/dev/null", kRefusalTimeout);
}

// Nothing a command could have created under `dir` by opening a store, a socket or a target.
void check_nothing_created(const TempDir& dir) {
    CHECK_FALSE(fs::exists(dir / "data"));
    CHECK_FALSE(fs::exists(dir / "keys"));
    CHECK_FALSE(fs::exists(dir / "data" / "admin.sock"));
    CHECK_FALSE(fs::exists(dir / "target"));
    CHECK_FALSE(fs::exists(dir / "out.jsonl"));
    CHECK(fs::is_empty(dir.path()));
}

void check_refused(const TempDir& dir, const Outcome& r, const std::string& option) {
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Contains("--" + option));
    check_nothing_created(dir);
}

}  // namespace

TEST_CASE(
    "serve refuses a negative maintenance interval instead of wrapping it, before opening "
    "anything") {
    TempDir dir;
    auto r = run_refused(
        {AUD_CLI, "serve", "--data", (dir / "data").string(), "--maintenance-interval", "-5"});
    check_refused(dir, r, "maintenance-interval");
}

TEST_CASE(
    "serve refuses a zero maintenance interval before opening the store or its admin socket") {
    TempDir dir;
    auto r = run_refused(
        {AUD_CLI, "serve", "--data", (dir / "data").string(), "--maintenance-interval", "0"});
    check_refused(dir, r, "maintenance-interval");
}

TEST_CASE(
    "backup create refuses a negative --keep instead of wrapping it, before opening anything") {
    TempDir dir;
    auto r = run_refused({AUD_CLI, "backup", "create", "--data", (dir / "data").string(), "--to",
                          (dir / "target").string(), "--keep", "-1"});
    check_refused(dir, r, "keep");
}

TEST_CASE(
    "every numeric option refuses negatives, meaningless zeros, absurd values and non-numbers, "
    "naming the option") {
    struct Case {
        std::vector<std::string> command;  // up to the store options
        std::string option;
        std::vector<std::string> bad;
    };
    // 2^63: a wrapped negative, not a position; 2^64: past any uint64_t.
    const std::string absurd_position = "9223372036854775808";
    const std::string too_big = "18446744073709551616";
    const std::vector<Case> cases = {
        {{"serve"},
         "maintenance-interval",
         {"-5", "0", "2592001", too_big, "1e3", "", "+5", " 5", "5s"}},
        {{"serve"}, "maintenance-first-delay", {"-1", "2592001", "0x10"}},
        {{"backup", "create", "--to", "TARGET"}, "keep", {"-1", "0", "1001"}},
        {{"backup", "create", "--to", "TARGET"}, "vault-keep-days", {"-1", "0", "3651"}},
        {{"ledger", "proof", "inclusion"}, "position", {"-1", "0", absurd_position}},
        {{"ledger", "proof", "inclusion", "--position", "1"}, "size", {"-1", "0", absurd_position}},
        {{"ledger", "proof", "consistency"}, "from", {"-1", "0", absurd_position}},
        {{"ledger", "proof", "consistency", "--from", "1"}, "to", {"-1", "0", absurd_position}},
        {{"ledger", "digest"}, "size", {"-1", absurd_position}},
        {{"ledger", "entries"}, "from", {"-1", "0", absurd_position}},
        {{"ledger", "entries"}, "to", {"-1", "0", absurd_position}},
        {{"ledger", "export", "--out", "OUT", "--decrypt"}, "from", {"-1", "0", absurd_position}},
        {{"ledger", "export", "--out", "OUT", "--decrypt"}, "to", {"-1", "0", absurd_position}},
        {{"ledger", "replay"}, "to", {"-1", "0", absurd_position}},
    };
    for (const Case& c : cases) {
        for (const std::string& value : c.bad) {
            TempDir dir;
            std::vector<std::string> argv = {AUD_CLI};
            for (const std::string& word : c.command) {
                argv.push_back(word == "TARGET" ? (dir / "target").string()
                               : word == "OUT"  ? (dir / "out.jsonl").string()
                                                : word);
            }
            for (const std::string& word :
                 {std::string("--data"), (dir / "data").string(), "--" + c.option, value}) {
                argv.push_back(word);
            }
            INFO(c.command[0] << " " << c.command[1 % c.command.size()] << " --" << c.option << " '"
                              << value << "'");
            check_refused(dir, run_refused(argv), c.option);
        }
    }
}

TEST_CASE("numeric options at the ends of their ranges are accepted") {
    TempDir dir;
    // --help after valid values: everything is parsed and checked, and nothing runs.
    auto serve =
        run_apart({AUD_CLI, "serve", "--data", (dir / "data").string(), "--maintenance-interval",
                   "1", "--maintenance-first-delay", "0", "--help"});
    INFO(serve.err);
    CHECK(serve.code == 0);
    auto backup = run_apart({AUD_CLI, "backup", "create", "--data", (dir / "data").string(), "--to",
                             (dir / "target").string(), "--keep", "1000", "--vault-keep-days",
                             "3650", "--help"});
    INFO(backup.err);
    CHECK(backup.code == 0);
    check_nothing_created(dir);
}
