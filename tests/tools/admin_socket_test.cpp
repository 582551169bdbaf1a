// End-to-end: commands that change the store reach a running server through its admin socket.
#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {
const std::string kSubject = "0123456789abcdef0123456789abcdef";
const std::string kOther = "fedcba9876543210fedcba9876543210";
}  // namespace

TEST_CASE("privacy, key and purge commands go through a running server's 0600 admin socket") {
    TempDir dir;
    const auto data = dir / "data";
    Process serve({AUD_CLI, "serve", "--data", data.string()});
    REQUIRE(serve.wait_for_line("admin socket"));
    struct stat st {};
    REQUIRE(::stat((data / "admin.sock").c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0600);

    auto [ecode, eout] = run({AUD_CLI, "privacy", "erase", "--data", data.string(), "--subject", kSubject});
    INFO(eout);
    CHECK(ecode == 0);
    CHECK_THAT(eout, Contains("subject erased"));
    auto [hcode, hout] = run({AUD_CLI, "privacy", "hold", "--data", data.string(), "--subject", kOther});
    CHECK(hcode == 0);
    CHECK_THAT(hout, Contains("legal hold set"));
    auto [dcode, dout] = run({AUD_CLI, "privacy", "erase", "--data", data.string(), "--subject", kOther});
    CHECK(dcode == 0);
    CHECK_THAT(dout, Contains("deferred"));
    auto [rcode, rout] = run({AUD_CLI, "privacy", "hold", "--data", data.string(), "--subject", kOther, "--release"});
    CHECK(rcode == 0);
    CHECK_THAT(rout, Contains("released"));
    auto [kcode, kout] = run({AUD_CLI, "keys", "rotate", "--data", data.string(), "--signing"});
    INFO(kout);
    CHECK(kcode == 0);
    auto [pcode, pout] = run({AUD_CLI, "ledger", "purge", "--data", data.string()});
    INFO(pout);
    CHECK(pcode == 0);
    CHECK_THAT(pout, Contains("0 entries purged"));
    auto [bad, bad_out] = run({AUD_CLI, "privacy", "erase", "--data", data.string(), "--subject", "xyz"});
    CHECK(bad == 2);
    CHECK_THAT(bad_out, Contains("subject"));
    // The server logged each command; the ledger holds the records.
    serve.signal(SIGTERM);
    CHECK(serve.wait() == 0);
    CHECK_THAT(serve.output(), Contains("admin command"));
    CHECK_FALSE(std::filesystem::exists(data / "admin.sock"));
    auto [vcode, vout] = run({AUD_CLI, "ledger", "export", "--data", data.string(), "--out",
                              (dir / "x.jsonl").string(), "--type", "store.subject_erased"});
    INFO(vout);
    CHECK(vcode == 0);
    CHECK_THAT(vout, Contains("exported 2 records"));
}

TEST_CASE("without a server the same commands open the store themselves") {
    TempDir dir;
    const auto data = dir / "data";
    {
        Process serve({AUD_CLI, "serve", "--data", data.string()});
        REQUIRE(serve.wait_for_line("admin socket"));
        serve.signal(SIGTERM);
        REQUIRE(serve.wait() == 0);
    }
    auto [code, out] = run({AUD_CLI, "privacy", "erase", "--data", data.string(), "--subject", kSubject});
    INFO(out);
    CHECK(code == 0);
    CHECK_THAT(out, Contains("subject erased"));
}
