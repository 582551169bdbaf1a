// End-to-end: `auditorium backup create|verify|restore` and `keys escrow|unescrow` with the real
// binary, on a ledger written by the append child.
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace auditorium::testing;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// Starts the append child on `data`, lets it acknowledge `count` appends, and stops it.
void write_entries(const fs::path& data, int count) {
    Process child({AUD_APPEND_CHILD, data.string()});
    for (int i = 0; i < count; ++i) REQUIRE(child.wait_for_line(" "));
    child.signal(SIGTERM);
    child.wait();
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The id printed by `backup create`: "backup <id> written to ...".
std::string created_id(const std::string& out) {
    std::smatch match;
    REQUIRE(std::regex_search(out, match, std::regex("backup (\\S+) written to")));
    return match[1];
}

// Sets an environment variable for the children started while it lives.
struct ScopedEnv {
    std::string name;
    ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) {
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() { ::unsetenv(name.c_str()); }
};

}  // namespace

TEST_CASE("backup create, verify and restore work end to end, and a tampered backup fails verify") {
    TempDir dir;
    const auto data = dir / "data";
    const auto target = dir / "target";
    write_entries(data, 60);
    auto [code, out] =
        run({AUD_CLI, "backup", "create", "--data", data.string(), "--to", target.string()});
    INFO(out);
    REQUIRE(code == 0);
    CHECK_THAT(out, Contains("written to " + target.string()));
    const std::string id = created_id(out);

    auto [vcode, vout] = run({AUD_CLI, "backup", "verify", "--backup", target.string()});
    INFO(vout);
    CHECK(vcode == 0);
    CHECK_THAT(vout, Contains("backup " + id + " verified"));
    CHECK_THAT(vout, Contains("vault backup " + id + ": files and signature ok"));

    const auto restored = dir / "restored";
    auto [rcode, rout] =
        run({AUD_CLI, "backup", "restore", "--backup", target.string(), "--id", id, "--data",
             (restored / "data").string(), "--master-key", (dir / "keys" / "master.key").string()});
    INFO(rout);
    REQUIRE(rcode == 0);
    CHECK_THAT(rout, Contains("restored backup " + id));
    CHECK_THAT(rout, Contains("restore record at position"));
    CHECK(slurp(restored / "keys" / "master.key") == slurp(dir / "keys" / "master.key"));
    auto [lcode, lout] = run({AUD_CLI, "ledger", "verify", "--data", (restored / "data").string(),
                              "--keys", (restored / "keys").string()});
    INFO(lout);
    CHECK(lcode == 0);
    CHECK_THAT(lout, Contains("ledger verified"));
    CHECK_THAT(lout, Contains("0 erased"));

    // A second restore into the same place is refused.
    auto [again, again_out] = run({AUD_CLI, "backup", "restore", "--backup", target.string(),
                                   "--data", (restored / "data").string()});
    CHECK(again != 0);
    CHECK_THAT(again_out, Contains("not empty"));

    // One byte changed in an SST of the ledger backup.
    fs::path sst;
    for (const auto& e : fs::directory_iterator(target / "ledger" / id)) {
        if (e.path().extension() == ".sst" && fs::file_size(e.path()) > 100) sst = e.path();
    }
    REQUIRE_FALSE(sst.empty());
    {
        std::string bytes = slurp(sst);
        bytes[bytes.size() / 3] ^= 0x40;
        std::ofstream(sst, std::ios::binary | std::ios::trunc) << bytes;
    }
    auto [tcode, tout] = run({AUD_CLI, "backup", "verify", "--backup", target.string()});
    INFO(tout);
    CHECK(tcode == 4);
    CHECK_THAT(tout, Contains("FAILED"));
    CHECK_THAT(tout, Contains(sst.filename().string()));
    auto [bad, bad_out] = run({AUD_CLI, "backup", "restore", "--backup", target.string(), "--data",
                               (dir / "second" / "data").string(), "--master-key",
                               (dir / "keys" / "master.key").string()});
    INFO(bad_out);
    CHECK(bad == 4);
    CHECK_FALSE(fs::exists(dir / "second" / "data"));
}

TEST_CASE(
    "backup create goes through a running server's admin socket, and erasures reach the register "
    "at once") {
    TempDir dir;
    const auto data = dir / "data";
    const auto target = dir / "target";
    const std::string subject = "0123456789abcdef0123456789abcdef";
    Process serve({AUD_CLI, "serve", "--data", data.string(), "--backup-target", target.string()});
    REQUIRE(serve.wait_for_line("admin socket"));
    auto [code, out] =
        run({AUD_CLI, "backup", "create", "--data", data.string(), "--to", target.string()});
    INFO(out);
    REQUIRE(code == 0);
    CHECK_THAT(out, Contains("written to " + target.string()));
    auto [ecode, eout] =
        run({AUD_CLI, "privacy", "erase", "--data", data.string(), "--subject", subject});
    INFO(eout);
    REQUIRE(ecode == 0);
    CHECK_THAT(slurp(target / "erasures.log"), Contains("\"subject\":\"" + subject + "\""));
    auto [vcode, vout] = run({AUD_CLI, "backup", "verify", "--backup", target.string()});
    INFO(vout);
    CHECK(vcode == 0);
    serve.signal(SIGTERM);
    CHECK(serve.wait() == 0);
    CHECK_THAT(serve.output(), Contains("admin command \"backup.create\""));
    // The backup predates the erasure: the restore applies the register.
    auto [rcode, rout] = run({AUD_CLI, "backup", "restore", "--backup", target.string(), "--data",
                              (dir / "restored" / "data").string(), "--master-key",
                              (dir / "keys" / "master.key").string()});
    INFO(rout);
    CHECK(rcode == 0);
    CHECK_THAT(rout, Contains("1 subjects registered, 1 erased now"));
}

TEST_CASE(
    "the server's backup targets are recorded, so an erasure made while no server runs reaches the "
    "registers") {
    TempDir dir;
    const auto data = dir / "data";
    const auto target = dir / "target";
    const std::string first = "11111111111111111111111111111111";
    const std::string second = "22222222222222222222222222222222";
    {
        Process serve(
            {AUD_CLI, "serve", "--data", data.string(), "--backup-target", target.string()});
        REQUIRE(serve.wait_for_line("admin socket"));
        auto [code, out] =
            run({AUD_CLI, "backup", "create", "--data", data.string(), "--to", target.string()});
        INFO(out);
        REQUIRE(code == 0);
        serve.signal(SIGTERM);
        REQUIRE(serve.wait() == 0);
        CHECK_THAT(serve.output(), Contains("backup targets: " + target.string()));
    }
    const auto recorded = data / "backup-targets";
    REQUIRE(fs::exists(recorded));
    CHECK((fs::status(recorded).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    CHECK_THAT(slurp(recorded), Contains(target.string() + "\n"));

    // No server runs: the command opens the store itself, with the recorded targets.
    auto [ecode, eout] =
        run({AUD_CLI, "privacy", "erase", "--data", data.string(), "--subject", first});
    INFO(eout);
    REQUIRE(ecode == 0);
    CHECK_THAT(slurp(target / "erasures.log"), Contains("\"subject\":\"" + first + "\""));

    // A plain serve keeps them; --no-backup-targets forgets them.
    {
        Process serve({AUD_CLI, "serve", "--data", data.string()});
        REQUIRE(serve.wait_for_line("admin socket"));
        serve.signal(SIGTERM);
        REQUIRE(serve.wait() == 0);
        CHECK_THAT(serve.output(), Contains("backup targets: " + target.string()));
    }
    {
        Process serve({AUD_CLI, "serve", "--data", data.string(), "--no-backup-targets"});
        REQUIRE(serve.wait_for_line("admin socket"));
        serve.signal(SIGTERM);
        REQUIRE(serve.wait() == 0);
        CHECK_THAT(serve.output(), Contains("backup targets: none"));
    }
    auto [ncode, nout] =
        run({AUD_CLI, "privacy", "erase", "--data", data.string(), "--subject", second});
    INFO(nout);
    REQUIRE(ncode == 0);
    CHECK_THAT(slurp(target / "erasures.log"), !Contains(second));

    // A damaged record is refused before the store is opened, naming the file and the line.
    {
        std::ofstream out(recorded, std::ios::trunc);
        out << "# backup targets\nrelative/target\n";
    }
    const std::string third = "33333333333333333333333333333333";
    auto [bcode, bout] =
        run({AUD_CLI, "privacy", "erase", "--data", data.string(), "--subject", third});
    CHECK(bcode == 2);
    CHECK_THAT(bout, Contains("backup-targets line 2: not an absolute path"));
    auto [both, both_out] = run({AUD_CLI, "serve", "--data", data.string(), "--backup-target",
                                 target.string(), "--no-backup-targets"});
    CHECK(both == 2);
    CHECK_THAT(both_out, Contains("cannot be given with --no-backup-targets"));
}

TEST_CASE(
    "serve runs the maintenance on schedule: purge, then a backup into each target, restored and "
    "verified") {
    TempDir dir;
    const auto data = dir / "data";
    const auto target = dir / "target";
    const auto broken = dir / "not-a-directory";
    { std::ofstream(broken) << "a file where a target should be"; }
    write_entries(data, 30);
    Process serve({AUD_CLI, "serve", "--data", data.string(), "--backup-target", target.string(),
                   "--backup-target", broken.string(), "--maintenance-interval", "1",
                   "--maintenance-first-delay", "0"});
    // Two runs, each verifying the backup it made; the broken target fails loudly and the rest goes
    // on.
    for (int run = 0; run < 2; ++run) {
        INFO(serve.output());
        REQUIRE(serve.wait_for_line("maintenance: run done"));
    }
    serve.signal(SIGTERM);
    CHECK(serve.wait() == 0);
    const std::string log = serve.output();
    CHECK_THAT(log, Contains("maintenance: purge: "));
    CHECK_THAT(
        log, Contains("restored and verified: 30 entries") || Contains("restored and verified: 3"));
    CHECK_THAT(log, Contains("backup into " + broken.string() + " FAILED"));
    CHECK_THAT(log, Contains("1 backups verified, 1 failures"));
    // The backups are there, and verify on their own too.
    auto [vcode, vout] = run({AUD_CLI, "backup", "verify", "--backup", target.string()});
    INFO(vout);
    CHECK(vcode == 0);
}

TEST_CASE(
    "backup create refuses while another process holds the store without an admin socket, and says "
    "why") {
    TempDir dir;
    const auto data = dir / "data";
    Process writer({AUD_APPEND_CHILD, data.string()});
    REQUIRE(writer.wait_for_line(" "));
    auto [code, out] = run(
        {AUD_CLI, "backup", "create", "--data", data.string(), "--to", (dir / "target").string()});
    INFO(out);
    CHECK(code != 0);
    CHECK_THAT(out, Contains("locked by another process"));
    writer.signal(SIGKILL);
    writer.wait();
}

TEST_CASE("keys escrow and unescrow round-trip the master key, and a wrong passphrase is refused") {
    TempDir dir;
    const auto data = dir / "data";
    write_entries(data, 1);
    const auto escrow = dir / "escrow.json";
    {
        ScopedEnv pass("AUDITORIUM_ESCROW_PASSPHRASE", "short");
        auto [code, out] =
            run({AUD_CLI, "keys", "escrow", "--data", data.string(), "--to", escrow.string()});
        CHECK(code == 2);
        CHECK_THAT(out, Contains("at least 12"));
    }
    {
        ScopedEnv pass("AUDITORIUM_ESCROW_PASSPHRASE", "a long and secret passphrase");
        auto [code, out] =
            run({AUD_CLI, "keys", "escrow", "--data", data.string(), "--to", escrow.string()});
        INFO(out);
        REQUIRE(code == 0);
        CHECK_THAT(out, Contains("escrowed in"));
    }
    {
        ScopedEnv pass("AUDITORIUM_ESCROW_PASSPHRASE", "not the right passphrase");
        auto [code, out] = run({AUD_CLI, "keys", "unescrow", "--from", escrow.string(), "--to",
                                (dir / "wrong.key").string()});
        INFO(out);
        CHECK(code == 3);
        CHECK_THAT(out, Contains("wrong passphrase"));
        CHECK_FALSE(fs::exists(dir / "wrong.key"));
    }
    ScopedEnv pass("AUDITORIUM_ESCROW_PASSPHRASE", "a long and secret passphrase");
    auto [code, out] = run({AUD_CLI, "keys", "unescrow", "--from", escrow.string(), "--to",
                            (dir / "master.key").string()});
    INFO(out);
    REQUIRE(code == 0);
    CHECK(slurp(dir / "master.key") == slurp(dir / "keys" / "master.key"));
}

TEST_CASE(
    "keys escrow reads the passphrase from standard input up to its line break, and writes the "
    "escrow 0600") {
    TempDir dir;
    const auto data = dir / "data";
    write_entries(data, 1);
    const auto input = dir / "passphrase.txt";
    {
        std::ofstream(input, std::ios::binary)
            << "a long and secret passphrase\r\nnot part of it\n";
    }
    const auto escrow = dir / "escrow.json";
    auto r = run_apart(
        {AUD_CLI, "keys", "escrow", "--data", data.string(), "--to", escrow.string()}, input);
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.code == 0);
    struct stat st {};
    REQUIRE(::stat(escrow.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    ScopedEnv pass("AUDITORIUM_ESCROW_PASSPHRASE", "a long and secret passphrase");
    auto [code, out] = run({AUD_CLI, "keys", "unescrow", "--from", escrow.string(), "--to",
                            (dir / "master.key").string()});
    INFO(out);
    REQUIRE(code == 0);
    CHECK(slurp(dir / "master.key") == slurp(dir / "keys" / "master.key"));
    // No temporary left beside what the commands wrote.
    for (const auto& e : fs::directory_iterator(dir.path())) {
        CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
    }
}

TEST_CASE(
    "keys escrow refuses a passphrase longer than its fixed buffer, naming it, before opening "
    "anything") {
    TempDir dir;
    const auto input = dir / "passphrase.txt";
    { std::ofstream(input, std::ios::binary) << std::string(2000, 'p') << "\n"; }
    auto r = run_apart({AUD_CLI, "keys", "escrow", "--data", (dir / "data").string(), "--to",
                        (dir / "escrow.json").string()},
                       input);
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Contains("passphrase"));
    CHECK_FALSE(fs::exists(dir / "data"));
    CHECK_FALSE(fs::exists(dir / "escrow.json"));
}
