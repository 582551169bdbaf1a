// A ledger, its vault and its read models written by the binaries of d9a7ba9, the commit before the
// refactoring of issue 14 (fixtures/README.md): today's CLI verifies them, and its replay, its
// digest of the read models, its Merkle root and its listing of the entries equal what d9a7ba9
// printed, before and after today's `serve` has opened them read-write.
#include <signal.h>
#include <sodium.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "base/id.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace auditorium;
using namespace auditorium::testing;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;

namespace {

const std::string kExpected = AUD_TOOLS_FIXTURES "/store-before-refactor/";

// A file the code of d9a7ba9 wrote (its printed output).
std::string expected(const std::string& name) {
    std::ifstream in(kExpected + name, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// `ledger verify`'s line without its trailing duration (", 0.38 s").
std::string without_duration(const std::string& line) {
    const std::string trimmed = trim(line);
    const auto comma = trimmed.rfind(", ");
    REQUIRE(comma != std::string::npos);
    REQUIRE(trimmed.substr(trimmed.size() - 2) == " s");
    return trimmed.substr(0, comma);
}

std::string sha256_hex(const std::string& text) {
    std::string digest(crypto_hash_sha256_BYTES, '\0');
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                       reinterpret_cast<const unsigned char*>(text.data()), text.size());
    return to_hex(digest);
}

struct StoreBeforeRefactor {
    TempDir dir;
    StoreBeforeRefactor() {
        auto [code, out] =
            run({"/usr/bin/tar", "xzf", AUD_TOOLS_FIXTURES "/store-before-refactor.tgz", "-C",
                 dir.path().string()});
        INFO(out);
        REQUIRE(code == 0);
    }
    std::string data() const { return (dir / "store/data").string(); }
    std::string keys() const { return (dir / "store/keys").string(); }
    // Runs the CLI on this store and returns its standard output; it must succeed.
    std::string cli(std::vector<std::string> args) const {
        args.insert(args.begin(), AUD_CLI);
        const Outcome done = run_apart(args);
        INFO(args[1] << " " << args[2] << ": " << done.err);
        REQUIRE(done.code == 0);
        return done.out;
    }
    std::string verify() const {
        return cli({"ledger", "verify", "--data", data(), "--keys", keys(), "--previous-tree-head",
                    kExpected + "tree-head.json"});
    }
};

// The outputs that must not change, whatever today's code did to the store.
void check_same_digests(const StoreBeforeRefactor& store) {
    CHECK(store.cli({"ledger", "replay", "--data", store.data()}) == expected("replay.jsonl"));
    CHECK(store.cli({"projections", "digest", "--data", store.data()}) ==
          expected("projections-digest.jsonl"));
    CHECK(store.cli({"ledger", "digest", "--data", store.data()}) ==
          expected("ledger-digest.json"));
    CHECK(sha256_hex(store.cli({"ledger", "entries", "--data", store.data(), "--keys",
                                store.keys()})) == trim(expected("entries.sha256")));
}

}  // namespace

TEST_CASE("a store written by d9a7ba9 verifies and replays to the digests d9a7ba9 printed") {
    StoreBeforeRefactor store;
    // The whole verification line: entries, root, signed heads, sections opened and erased, and
    // that the ledger extends the head saved by the older code.
    CHECK(without_duration(store.verify()) == without_duration(expected("verify.txt")));
    check_same_digests(store);
    // The replay is the same as the live read models, model by model (as the older code printed).
    CHECK(expected("replay.jsonl") == expected("projections-digest.jsonl"));
}

TEST_CASE(
    "a store written by d9a7ba9 opened read-write by serve still verifies with the same digests") {
    StoreBeforeRefactor store;
    // serve signs tree heads of its own, so after it only the count of signed heads may differ:
    // the line must start and end as the older code's did.
    const std::string verified = without_duration(expected("verify.txt"));
    const auto heads = verified.find(" signed tree heads checked");
    REQUIRE(heads != std::string::npos);
    const std::string before_heads = verified.substr(0, verified.rfind(", ", heads) + 2);
    const std::string after_heads = verified.substr(heads);
    REQUIRE_THAT(before_heads, StartsWith("ledger verified: 1069 entries, tree size 1069, root "));
    {
        // serve opens the ledger, the vault and the read models read-write; the models are at the
        // ledger's head, so it folds nothing.
        Process serve(
            {AUD_CLI, "serve", "--data", store.data(), "--maintenance-first-delay", "3600"});
        const auto caught_up = serve.wait_for_line("projections: caught up at position 1069");
        INFO(serve.output());
        REQUIRE(caught_up);
        serve.signal(SIGTERM);
        CHECK(serve.wait() == 0);
        CHECK_THAT(serve.output(), !Contains("[error]"));
    }
    const std::string after = without_duration(store.verify());
    CHECK_THAT(after, StartsWith(before_heads));
    CHECK_THAT(after, EndsWith(after_heads));
    check_same_digests(store);
}
