// End-to-end: the auditor's commands on a real ledger, beside a live writer, and after tampering
// with RocksDB's own `ldb` tool as an attacker with the disk would.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

// Starts the append child on `data`, lets it acknowledge `count` appends, and stops it.
void write_entries(const std::filesystem::path& data, int count) {
    Process child({AUD_APPEND_CHILD, data.string()});
    for (int i = 0; i < count; ++i) REQUIRE(child.wait_for_line(" "));
    child.signal(SIGTERM);
    child.wait();
}

}  // namespace

TEST_CASE("ledger verify, proof and tree-head work beside a live writer") {
    TempDir dir;
    const auto data = dir / "data";
    Process writer({AUD_APPEND_CHILD, data.string()});
    for (int i = 0; i < 200; ++i) REQUIRE(writer.wait_for_line(" "));
    // The writer holds the ledger open and keeps appending; the auditor's tools read beside it.
    auto [code, out] = run({AUD_CLI, "ledger", "verify", "--data", data.string()});
    INFO(out);
    CHECK(code == 0);
    CHECK_THAT(out, Contains("ledger verified"));
    auto [hcode, head] = run({AUD_CLI, "ledger", "tree-head", "--data", data.string(), "--out",
                              (dir / "head.json").string()});
    INFO(head);
    CHECK(hcode == 0);
    CHECK_THAT(head, Contains("\"format\":\"auditorium/tree-head/v1\""));
    auto [pcode, proof] = run({AUD_CLI, "ledger", "proof", "inclusion", "--data", data.string(),
                               "--position", "3", "--size", "100"});
    INFO(proof);
    CHECK(pcode == 0);
    CHECK_THAT(proof, Contains("\"leaf_index\":2"));
    auto [ccode, consistency] = run({AUD_CLI, "ledger", "proof", "consistency", "--data",
                                     data.string(), "--from", "10", "--to", "100"});
    CHECK(ccode == 0);
    CHECK_THAT(consistency, Contains("\"from_size\":10"));
    auto [bad, bad_out] =
        run({AUD_CLI, "ledger", "proof", "inclusion", "--data", data.string(), "--position", "0"});
    CHECK(bad != 0);
    CHECK_THAT(bad_out, Contains("position"));
    writer.signal(SIGKILL);
    writer.wait();
    // The head saved while the writer ran is extended by the ledger as it is now.
    auto [vcode, vout] =
        run({AUD_CLI, "ledger", "verify", "--data", data.string(), "--previous-tree-head",
             (dir / "head.json").string(), "--keys", (dir / "keys").string()});
    INFO(vout);
    CHECK(vcode == 0);
    CHECK_THAT(vout, Contains("extends the previous tree head"));
    CHECK_THAT(vout, Contains("sections opened"));
}

TEST_CASE(
    "ledger digest and ledger entries read the ledger beside a live writer, opened only with the "
    "keys") {
    TempDir dir;
    const auto data = dir / "data";
    Process writer({AUD_APPEND_CHILD, data.string()});
    for (int i = 0; i < 40; ++i) REQUIRE(writer.wait_for_line(" "));

    // The digest at a size is the root every proof at that size is checked against.
    auto [dcode, digest] =
        run({AUD_CLI, "ledger", "digest", "--data", data.string(), "--size", "20"});
    INFO(digest);
    REQUIRE(dcode == 0);
    auto [pcode, proof] = run({AUD_CLI, "ledger", "proof", "inclusion", "--data", data.string(),
                               "--position", "7", "--size", "20"});
    REQUIRE(pcode == 0);
    const auto root_of = [](const std::string& json) {
        const auto at = json.find("\"root\":\"");
        REQUIRE(at != std::string::npos);
        return json.substr(at + 8, 64);
    };
    CHECK(root_of(digest) == root_of(proof));
    CHECK_THAT(digest, Contains("\"tree_size\":20"));

    // Without keys every section stays sealed; the clear part is there.
    auto [rcode, sealed] =
        run({AUD_CLI, "ledger", "entries", "--data", data.string(), "--from", "3", "--to", "12"});
    INFO(sealed);
    REQUIRE(rcode == 0);
    CHECK_THAT(sealed, Contains("\"position\":3,"));
    CHECK_THAT(sealed, Contains("\"position\":12,"));
    CHECK_THAT(sealed, !Contains("\"position\":13,"));
    CHECK_THAT(sealed, Contains("\"clear\":\"n=2\""));
    CHECK_THAT(sealed, Contains("\"state\":\"sealed\""));
    CHECK_THAT(sealed, !Contains("payload 2"));
    CHECK_THAT(sealed, Contains("printed 10 entries"));
    writer.signal(SIGTERM);
    writer.wait();

    // With the keys, the sections open; one stream, in version order.
    auto [kcode, opened] = run({AUD_CLI, "ledger", "entries", "--data", data.string(), "--keys",
                                (dir / "keys").string(), "--stream", "crash-1", "--to", "12"});
    INFO(opened);
    REQUIRE(kcode == 0);
    CHECK_THAT(opened, Contains("\"data\":\"payload 1\""));
    CHECK_THAT(opened, Contains("\"data\":\"payload 5\""));
    CHECK_THAT(opened, Contains("\"data\":\"payload 9\""));
    CHECK_THAT(opened, !Contains("payload 2\""));
    CHECK_THAT(opened, Contains("printed 3 entries"));
    auto [tcode, typed] =
        run({AUD_CLI, "ledger", "entries", "--data", data.string(), "--type", "no.such"});
    CHECK(tcode == 0);
    CHECK_THAT(typed, Contains("printed 0 entries"));

    auto [bad, bad_out] =
        run({AUD_CLI, "ledger", "entries", "--data", data.string(), "--from", "0"});
    CHECK(bad == 2);
    CHECK_THAT(bad_out, Contains("'--from' is invalid: expected a whole number from 1"));
    auto [big, big_out] =
        run({AUD_CLI, "ledger", "digest", "--data", data.string(), "--size", "100000"});
    CHECK(big == 2);
    CHECK_THAT(big_out, Contains("size"));
}

TEST_CASE("a byte changed with ldb in the ledger column family fails verify, naming the position") {
    TempDir dir;
    const auto data = dir / "data";
    write_entries(data, 30);
    auto [gcode, value] = run({"/usr/bin/ldb", "--db=" + data.string(), "--column_family=ledger",
                               "--hex", "get", "0x0000000000000011"});
    INFO(value);
    REQUIRE(gcode == 0);
    std::string hex = trim(value);
    REQUIRE(hex.rfind("0x", 0) == 0);
    // Change one hex digit in the middle of the entry.
    char& digit = hex[hex.size() / 2];
    digit = digit == '0' ? '1' : '0';
    auto [pcode, pout] = run({"/usr/bin/ldb", "--db=" + data.string(), "--column_family=ledger",
                              "--hex", "put", "0x0000000000000011", hex});
    INFO(pout);
    REQUIRE(pcode == 0);
    auto [code, out] = run({AUD_CLI, "ledger", "verify", "--data", data.string()});
    INFO(out);
    CHECK(code == 4);
    CHECK_THAT(out, Contains("position 17"));
    CHECK_THAT(out, Contains("FAILED"));
}

TEST_CASE("keys show prints the signing key in minisign's format") {
    TempDir dir;
    const auto data = dir / "data";
    write_entries(data, 1);
    auto [code, out] = run({AUD_CLI, "keys", "show", "--data", data.string()});
    INFO(out);
    CHECK(code == 0);
    CHECK_THAT(out, Contains("active signing key"));
    CHECK_THAT(out, Contains("untrusted comment: minisign public key "));
    CHECK_THAT(out, Contains("\nRW"));
}

TEST_CASE("a malformed previous tree head is refused, naming the field") {
    TempDir dir;
    const auto data = dir / "data";
    write_entries(data, 1);
    {
        std::ofstream f(dir / "bad.json");
        f << R"({"format":"auditorium/tree-head/v1","store_id":"zz"})";
    }
    auto [code, out] = run({AUD_CLI, "ledger", "verify", "--data", data.string(),
                            "--previous-tree-head", (dir / "bad.json").string()});
    CHECK(code == 2);
    CHECK_THAT(out, Contains("store_id"));
}

TEST_CASE("keys rotate rotates the signing or the master key, and refuses ambiguous options") {
    TempDir dir;
    const auto data = dir / "data";
    write_entries(data, 3);
    auto [both, both_out] =
        run({AUD_CLI, "keys", "rotate", "--data", data.string(), "--signing", "--master"});
    CHECK(both == 2);
    CHECK_THAT(both_out, Contains("exactly one"));
    auto [scode, sout] = run({AUD_CLI, "keys", "rotate", "--data", data.string(), "--signing"});
    INFO(sout);
    CHECK(scode == 0);
    CHECK_THAT(sout, Contains("signing key rotated"));
    auto [mcode, mout] = run({AUD_CLI, "keys", "rotate", "--data", data.string(), "--master"});
    INFO(mout);
    CHECK(mcode == 0);
    CHECK_THAT(mout, Contains("master key rotated"));
    auto [kcode, kout] = run({AUD_CLI, "keys", "show", "--data", data.string()});
    CHECK_THAT(kout, Contains("retired signing key"));
    CHECK_THAT(kout, Contains("active signing key"));
    auto [vcode, vout] = run(
        {AUD_CLI, "ledger", "verify", "--data", data.string(), "--keys", (dir / "keys").string()});
    INFO(vout);
    CHECK(vcode == 0);
}

TEST_CASE(
    "ledger export --decrypt writes the export and its signature 0600, leaving no temporary "
    "behind") {
    TempDir dir;
    const auto data = dir / "data";
    write_entries(data, 20);
    const auto exports = dir / "exports";
    std::filesystem::create_directory(exports);
    auto [code, out] = run({AUD_CLI, "ledger", "export", "--data", data.string(), "--out",
                            (exports / "personal.jsonl").string(), "--decrypt"});
    INFO(out);
    REQUIRE(code == 0);
    for (const char* name : {"personal.jsonl", "personal.jsonl.minisig"}) {
        struct stat st {};
        REQUIRE(::stat((exports / name).c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0600);
    }
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(exports))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"personal.jsonl", "personal.jsonl.minisig"});
}
