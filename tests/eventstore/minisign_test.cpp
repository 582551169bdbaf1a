#include "eventstore/minisign.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "base/base64.hpp"
#include "tests/support/process.hpp"
#include "tests/support/status.hpp"
#include "tests/support/temp_dir.hpp"

namespace auditorium::eventstore::minisign {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// ---------------------------------------------------------------------------------------------
// Helpers

// The stock tool. Interoperability is the point of this module, so its absence fails the test.
std::string minisign_tool() {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path == nullptr ? "" : path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const fs::path candidate = fs::path(dir.empty() ? "." : dir) / "minisign";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    FAIL("the stock minisign tool is not on PATH; run scripts/setup.sh, which installs it");
    return {};
}

// Runs the stock tool; returns (exit code, merged stdout and stderr).
std::pair<int, std::string> run_minisign(std::vector<std::string> args) {
    args.insert(args.begin(), minisign_tool());
    return testing::run(std::move(args));
}

void write_file(const fs::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Deterministic bytes, long enough to cross the tool's 64 KiB read buffer several times.
std::string sample_file(std::size_t size = 300'000) {
    std::string out(size, '\0');
    std::uint32_t x = 2463534242u;
    for (auto& c : out) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x);
    }
    return out;
}

// Feeds `bytes` in uneven pieces, so chunk boundaries cannot matter.
template <typename Sink>
void feed(Sink& sink, std::string_view bytes) {
    std::size_t piece = 1;
    while (!bytes.empty()) {
        const std::size_t n = std::min(piece, bytes.size());
        sink.update(bytes.substr(0, n));
        bytes.remove_prefix(n);
        piece = piece * 7 + 3;
    }
}

std::string sign_file(const SigningKey& key, std::string_view bytes, std::string_view comment) {
    FileSigner signer(key);
    feed(signer, bytes);
    Result<std::string> minisig = signer.finish(comment);
    REQUIRE(minisig.is_ok());
    return std::move(minisig).value();
}

Result<std::string> verify_file(const PublicKey& key, std::string_view minisig,
                                std::string_view bytes) {
    AUD_ASSIGN_OR_RETURN(FileVerifier verifier, FileVerifier::start(key, minisig));
    feed(verifier, bytes);
    return verifier.finish();
}

// A key pair made by the stock tool in `dir`, without a password: (pub path, sec path).
std::pair<fs::path, fs::path> stock_key_pair(const TempDir& dir) {
    const fs::path pub = dir / "stock.pub";
    const fs::path sec = dir / "stock.key";
    const auto [code, output] = run_minisign({"-G", "-W", "-p", pub.string(), "-s", sec.string()});
    INFO(output);
    REQUIRE(code == 0);
    return {pub, sec};
}

// Replaces line `index` (0-based) of a .minisig.
std::string replace_line(std::string_view minisig, std::size_t index, std::string_view line) {
    std::vector<std::string> lines;
    std::stringstream in{std::string(minisig)};
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    REQUIRE(index < lines.size());
    lines[index] = line;
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

std::string line_of(std::string_view text, std::size_t index) {
    std::stringstream in{std::string(text)};
    std::string line;
    for (std::size_t i = 0; i <= index; ++i) REQUIRE(std::getline(in, line));
    return line;
}

std::string b64_decode(std::string_view text) {
    auto bytes = base64_decode(text);
    REQUIRE(bytes.is_ok());
    return std::move(bytes).value();
}

void require_error(const Status& status, StatusCode code, std::string_view needle) {
    INFO(status.to_string());
    REQUIRE(status.code() == code);
    REQUIRE(status.message().find(needle) != std::string::npos);
}

// The key the stock tool printed in one real run: `minisign -G -W` wrote this .pub file.
constexpr std::string_view kStockPubFile =
    "untrusted comment: minisign public key 84220E5C4D039E3B\n"
    "RWQ7ngNNXA4ihB64K7cwPrG935g3LCt20jB3meN1Ta9C8yf1jg32KBr7\n";
constexpr std::string_view kStockPubBase64 =
    "RWQ7ngNNXA4ihB64K7cwPrG935g3LCt20jB3meN1Ta9C8yf1jg32KBr7";

// ---------------------------------------------------------------------------------------------
// Interoperability with the stock tool

TEST_CASE("a file signed here verifies with the stock minisign tool") {
    TempDir dir;
    const SigningKey key = SigningKey::generate();
    const std::string bytes = sample_file();
    const fs::path file = dir / "export.bin";
    write_file(file, bytes);
    write_file(dir / "export.bin.minisig", sign_file(key, bytes, "tree_size:42\tfile:export.bin"));
    write_file(dir / "key.pub", public_key_file(key.public_key()));

    {  // -H: the tool must also see a prehashed signature.
        const auto [code, output] = run_minisign(
            {"-V", "-H", "-m", file.string(), "-P", public_key_base64(key.public_key())});
        INFO(output);
        REQUIRE(code == 0);
        REQUIRE(output.find("Trusted comment: tree_size:42\tfile:export.bin") != std::string::npos);
    }
    {  // The .pub file written here is one the tool reads.
        const auto [code, output] =
            run_minisign({"-Vm", file.string(), "-p", (dir / "key.pub").string()});
        INFO(output);
        REQUIRE(code == 0);
    }

    std::string tampered = bytes;
    tampered[123'456] ^= 0x01;
    write_file(file, tampered);
    const auto [code, output] =
        run_minisign({"-Vm", file.string(), "-P", public_key_base64(key.public_key())});
    INFO(output);
    REQUIRE(code != 0);
    REQUIRE(output.find("Signature verification failed") != std::string::npos);
}

TEST_CASE("an empty file signed here verifies with the stock minisign tool") {
    TempDir dir;
    const SigningKey key = SigningKey::generate();
    const fs::path file = dir / "empty";
    write_file(file, "");
    write_file(dir / "empty.minisig", sign_file(key, "", ""));
    const auto [code, output] =
        run_minisign({"-Vm", file.string(), "-P", public_key_base64(key.public_key())});
    INFO(output);
    REQUIRE(code == 0);
}

TEST_CASE("a trusted comment altered after signing here is rejected by the stock tool") {
    TempDir dir;
    const SigningKey key = SigningKey::generate();
    const fs::path file = dir / "f";
    write_file(file, "contents");
    const std::string minisig = sign_file(key, "contents", "tree_size:1");
    write_file(dir / "f.minisig", replace_line(minisig, 2, "trusted comment: tree_size:2"));
    const auto [code, output] =
        run_minisign({"-Vm", file.string(), "-P", public_key_base64(key.public_key())});
    INFO(output);
    REQUIRE(code != 0);
    REQUIRE(output.find("Comment signature verification failed") != std::string::npos);
}

TEST_CASE("a file signed by the stock minisign tool verifies here") {
    TempDir dir;
    const auto [pub, sec] = stock_key_pair(dir);
    const std::string bytes = sample_file();
    const fs::path file = dir / "release.tar";
    write_file(file, bytes);
    const auto [code, output] =
        run_minisign({"-S", "-s", sec.string(), "-m", file.string(), "-t", "release 1.2.3"});
    INFO(output);
    REQUIRE(code == 0);

    const Result<PublicKey> key = parse_public_key(read_file(pub));
    REQUIRE(key.is_ok());
    const std::string minisig = read_file(dir / "release.tar.minisig");
    const Result<std::string> comment = verify_file(*key, minisig, bytes);
    REQUIRE_OK(comment);
    REQUIRE(*comment == "release 1.2.3");

    std::string tampered = bytes;
    tampered.back() ^= 0x80;
    require_error(verify_file(*key, minisig, tampered).status(), StatusCode::kCorruption,
                  "file signature does not verify");
    require_error(verify_file(*key, minisig, bytes + "x").status(), StatusCode::kCorruption,
                  "file signature does not verify");
    require_error(
        verify_file(*key, replace_line(minisig, 2, "trusted comment: release 9.9.9"), bytes)
            .status(),
        StatusCode::kCorruption, "trusted comment signature does not verify");
}

TEST_CASE("a stock key file round-trips to the same bytes and -P string") {
    TempDir dir;
    const auto [pub, sec] = stock_key_pair(dir);
    const std::string pub_file = read_file(pub);
    const Result<PublicKey> key = parse_public_key(pub_file);
    REQUIRE(key.is_ok());
    REQUIRE(public_key_file(*key) == pub_file);
    // The comment's id is the key id without zero padding, as the tool prints ids.
    std::string id = key_id_hex(key->id);
    id.erase(0, std::min(id.find_first_not_of('0'), id.size() - 1));
    REQUIRE(pub_file.find("minisign public key " + id + "\n") != std::string::npos);
    REQUIRE(public_key_base64(*key) == line_of(pub_file, 1));
}

TEST_CASE("key id hex matches what the stock tool prints for keys made here") {
    // The tool prints both ids when a signature's key id differs from the public key's.
    TempDir dir;
    const SigningKey signer = SigningKey::generate();
    const SigningKey other = SigningKey::generate();
    const fs::path file = dir / "f";
    write_file(file, "x");
    write_file(dir / "f.minisig", sign_file(signer, "x", "c"));
    const auto [code, output] =
        run_minisign({"-Vm", file.string(), "-P", public_key_base64(other.public_key())});
    INFO(output);
    REQUIRE(code != 0);
    // The tool prints ids without zero padding (seen: "... is 493E0FB02F3979D but the key id in
    // the public key is A556089AE8F55469"); ours are padded to 16 digits.
    const auto unpadded = [](std::string hex) {
        hex.erase(0, std::min(hex.find_first_not_of('0'), hex.size() - 1));
        return hex;
    };
    REQUIRE(output.find(" is " + unpadded(key_id_hex(signer.public_key().id)) + "\n") !=
            std::string::npos);
    REQUIRE(output.find("public key is " + unpadded(key_id_hex(other.public_key().id)) + "\n") !=
            std::string::npos);
}

TEST_CASE("a legacy signature from the stock tool is refused with a reason") {
    TempDir dir;
    const auto [pub, sec] = stock_key_pair(dir);
    const fs::path file = dir / "f";
    write_file(file, "legacy");
    const auto [code, output] =
        run_minisign({"-S", "-l", "-s", sec.string(), "-m", file.string(), "-t", "old"});
    INFO(output);
    REQUIRE(code == 0);
    const Result<PublicKey> key = parse_public_key(read_file(pub));
    REQUIRE(key.is_ok());
    require_error(FileVerifier::start(*key, read_file(dir / "f.minisig")).status(),
                  StatusCode::kInvalidArgument, "legacy");
}

// ---------------------------------------------------------------------------------------------
// Keys

TEST_CASE("key id hex is the little-endian integer in uppercase") {
    const KeyId id = {0x3b, 0x9e, 0x03, 0x4d, 0x5c, 0x0e, 0x22, 0x84};
    REQUIRE(key_id_hex(id) == "84220E5C4D039E3B");
    REQUIRE(key_id_hex(KeyId{}) == "0000000000000000");
}

TEST_CASE("a public key printed by the stock tool parses as a string and as a file") {
    const Result<PublicKey> from_string = parse_public_key(kStockPubBase64);
    const Result<PublicKey> from_file = parse_public_key(kStockPubFile);
    REQUIRE(from_string.is_ok());
    REQUIRE(from_file.is_ok());
    REQUIRE(*from_string == *from_file);
    REQUIRE(key_id_hex(from_file->id) == "84220E5C4D039E3B");
    REQUIRE(public_key_base64(*from_file) == kStockPubBase64);
    REQUIRE(public_key_file(*from_file) == kStockPubFile);
    REQUIRE(parse_public_key(std::string(kStockPubBase64) + "\n").is_ok());
    REQUIRE(parse_public_key("untrusted comment: x\r\n" + std::string(kStockPubBase64) + "\r\n")
                .is_ok());
}

TEST_CASE("malformed public keys are rejected with a reason") {
    const StatusCode invalid = StatusCode::kInvalidArgument;
    require_error(parse_public_key("").status(), invalid, "found 0 lines");
    require_error(
        parse_public_key("RWQ7ngNNXA4ihB64K7cwPrG935g3LCt20jB3meN1Ta9C8yf1jg32KBr!").status(),
        invalid, "not valid base64");
    require_error(parse_public_key(" " + std::string(kStockPubBase64)).status(), invalid,
                  "not valid base64");
    require_error(
        parse_public_key("RWQ7ngNNXA4ihB64K7cwPrG935g3LCt20jB3meN1Ta9C8yf1jg32KA==").status(),
        invalid, "decodes to 40 bytes; expected 42");
    // "XX" in place of "Ed", same length.
    require_error(
        parse_public_key("WFg7ngNNXA4ihB64K7cwPrG935g3LCt20jB3meN1Ta9C8yf1jg32KBr7").status(),
        invalid, "unknown algorithm \"XX\"");
    require_error(parse_public_key("comment\n" + std::string(kStockPubBase64)).status(), invalid,
                  "line 1 does not start with \"untrusted comment: \"");
    require_error(parse_public_key(std::string(kStockPubFile) + "extra\n").status(), invalid,
                  "found 3 lines");
}

TEST_CASE("a secret key round-trips through its bytes") {
    const SigningKey key = SigningKey::generate();
    const std::string secret = key.secret_bytes();
    REQUIRE(secret.size() == kSecretKeyBytes);
    Result<SigningKey> again = SigningKey::from_bytes(secret, key.public_key().id);
    REQUIRE(again.is_ok());
    REQUIRE(again->public_key() == key.public_key());
    const std::string minisig = sign_file(*again, "data", "c");
    REQUIRE(verify_file(key.public_key(), minisig, "data").is_ok());
}

TEST_CASE("secret keys of the wrong length or with a foreign public half are refused") {
    const SigningKey key = SigningKey::generate();
    const SigningKey other = SigningKey::generate();
    const std::string secret = key.secret_bytes();
    require_error(SigningKey::from_bytes(secret.substr(0, 32), key.public_key().id).status(),
                  StatusCode::kInvalidArgument, "32 bytes; expected 64");
    const std::string spliced = secret.substr(0, 32) + other.secret_bytes().substr(32);
    require_error(SigningKey::from_bytes(spliced, key.public_key().id).status(),
                  StatusCode::kInvalidArgument, "public half");
}

TEST_CASE("a moved-from signing key no longer holds the secret") {
    SigningKey key = SigningKey::generate();
    const PublicKey pk = key.public_key();
    SigningKey moved = std::move(key);
    REQUIRE(moved.public_key() == pk);
    REQUIRE(key.secret_bytes() == std::string(kSecretKeyBytes, '\0'));  // NOLINT: use after move
}

// ---------------------------------------------------------------------------------------------
// Signature files

TEST_CASE("a signature file made here has the four lines of the format") {
    const SigningKey key = SigningKey::generate();
    FileSigner signer(key);
    signer.update("abc");
    const Result<std::string> minisig = signer.finish("trusted", "untrusted");
    REQUIRE(minisig.is_ok());
    REQUIRE(line_of(*minisig, 0) == "untrusted comment: untrusted");
    const KeyId& id = key.public_key().id;
    const std::string encoded = b64_decode(line_of(*minisig, 1));
    REQUIRE(encoded.size() == 2 + kKeyIdBytes + kSignatureBytes);
    REQUIRE(encoded.substr(0, 10) == "ED" + std::string(id.begin(), id.end()));
    REQUIRE(line_of(*minisig, 2) == "trusted comment: trusted");
    REQUIRE(minisig->back() == '\n');
    REQUIRE(sign_file(key, "abc", "c")
                .starts_with("untrusted comment: signature from minisign secret key\n"));
}

TEST_CASE("a signature file round-trips here, streamed in any chunking") {
    const SigningKey key = SigningKey::generate();
    const std::string bytes = sample_file(70'000);
    FileSigner signer(key);
    signer.update(bytes);  // one piece here, many pieces in verify_file
    const Result<std::string> minisig = signer.finish("one piece");
    REQUIRE(minisig.is_ok());
    const Result<std::string> comment = verify_file(key.public_key(), *minisig, bytes);
    REQUIRE(comment.is_ok());
    REQUIRE(*comment == "one piece");
}

TEST_CASE("signature files with CRLF line ends or no final newline verify") {
    const SigningKey key = SigningKey::generate();
    const std::string minisig = sign_file(key, "data", "comment");
    std::string crlf;
    for (const char c : minisig) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    REQUIRE(verify_file(key.public_key(), crlf, "data").value() == "comment");
    REQUIRE(verify_file(key.public_key(), minisig.substr(0, minisig.size() - 1), "data").value() ==
            "comment");
}

TEST_CASE(
    "comments that would not survive the stock tool are refused and the signer stays usable") {
    const SigningKey key = SigningKey::generate();
    FileSigner signer(key);
    signer.update("data");
    const StatusCode invalid = StatusCode::kInvalidArgument;
    require_error(signer.finish("two\nlines").status(), invalid,
                  "trusted comment must be a single line");
    require_error(signer.finish("carriage\rreturn").status(), invalid, "single line");
    require_error(signer.finish(std::string_view("nul\0byte", 8)).status(), invalid, "single line");
    require_error(signer.finish("ok", "un\ntrusted").status(), invalid,
                  "untrusted comment must be a single line");
    require_error(signer.finish(std::string(kMaxTrustedCommentBytes + 1, 'a')).status(), invalid,
                  "8174 bytes; minisign reads at most 8173");
    require_error(signer.finish("ok", std::string(kMaxUntrustedCommentBytes + 1, 'a')).status(),
                  invalid, "1004 bytes; minisign reads at most 1003");

    const std::string longest(kMaxTrustedCommentBytes, 't');
    const Result<std::string> minisig =
        signer.finish(longest, std::string(kMaxUntrustedCommentBytes, 'u'));
    REQUIRE(minisig.is_ok());
    REQUIRE(verify_file(key.public_key(), *minisig, "data").value() == longest);
}

TEST_CASE("comments of the longest length allowed verify with the stock tool") {
    TempDir dir;
    const SigningKey key = SigningKey::generate();
    const fs::path file = dir / "f";
    write_file(file, "data");
    FileSigner signer(key);
    signer.update("data");
    const Result<std::string> minisig = signer.finish(std::string(kMaxTrustedCommentBytes, 't'),
                                                      std::string(kMaxUntrustedCommentBytes, 'u'));
    REQUIRE(minisig.is_ok());
    write_file(dir / "f.minisig", *minisig);
    const auto [code, output] =
        run_minisign({"-Vm", file.string(), "-P", public_key_base64(key.public_key())});
    INFO(output);
    REQUIRE(code == 0);
}

TEST_CASE("malformed signature files are rejected with a reason") {
    const SigningKey key = SigningKey::generate();
    const PublicKey& pk = key.public_key();
    const std::string good = sign_file(key, "data", "comment");
    const StatusCode corrupt = StatusCode::kCorruption;
    auto start_error = [&](std::string_view minisig) {
        return FileVerifier::start(pk, minisig).status();
    };

    require_error(start_error(""), corrupt, "expected 4 lines, found 0");
    require_error(start_error(good + "extra\n"), corrupt, "expected 4 lines, found 5");
    require_error(start_error(replace_line(good, 0, "comment: x")), corrupt,
                  "line 1: does not start with \"untrusted comment: \"");
    require_error(start_error(replace_line(good, 1, "not base64!")), corrupt,
                  "line 2 (signature): not valid base64");
    require_error(start_error(replace_line(good, 1, line_of(good, 3))), corrupt,
                  "line 2 (signature): decodes to 64 bytes; expected 74");
    require_error(start_error(replace_line(good, 2, "comment: x")), corrupt,
                  "line 3: does not start with \"trusted comment: \"");
    require_error(start_error(replace_line(good, 2, "trusted comment: a\rb")), corrupt,
                  "line 3: trusted comment contains");
    require_error(start_error(replace_line(good, 3, line_of(good, 1))), corrupt,
                  "line 4 (trusted comment signature): decodes to 74 bytes; expected 64");

    std::string encoded = b64_decode(line_of(good, 1));
    encoded.replace(0, 2, "XX");
    require_error(start_error(replace_line(good, 1, base64_encode(encoded))), corrupt,
                  "unknown algorithm \"XX\"");
    encoded.replace(0, 2, std::string_view("\x01\xff", 2));
    require_error(start_error(replace_line(good, 1, base64_encode(encoded))), corrupt,
                  "unknown algorithm 0x01ff");
}

TEST_CASE("a signature by another key is rejected naming both key ids") {
    const SigningKey signer = SigningKey::generate();
    const SigningKey other = SigningKey::generate();
    const std::string minisig = sign_file(signer, "data", "c");
    require_error(FileVerifier::start(other.public_key(), minisig).status(),
                  StatusCode::kInvalidArgument,
                  "signed by key id " + key_id_hex(signer.public_key().id) +
                      ", but the public key's id is " + key_id_hex(other.public_key().id));
}

TEST_CASE("a signature by another key claiming the same key id is corrupt") {
    const SigningKey signer = SigningKey::generate();
    const SigningKey impostor_base = SigningKey::generate();
    Result<SigningKey> impostor =
        SigningKey::from_bytes(impostor_base.secret_bytes(), signer.public_key().id);
    REQUIRE(impostor.is_ok());
    const std::string minisig = sign_file(*impostor, "data", "c");
    require_error(FileVerifier::start(signer.public_key(), minisig).status(),
                  StatusCode::kCorruption, "trusted comment signature does not verify");
}

TEST_CASE("a file signature swapped from another file is detected at finish") {
    // Same key, same trusted comment: the global signature covers the file signature, so
    // swapping line 2 alone breaks it; swapping lines 2 and 4 together passes start() and is
    // caught only by the file's hash.
    const SigningKey key = SigningKey::generate();
    const std::string a = sign_file(key, "file a", "c");
    const std::string b = sign_file(key, "file b", "c");
    require_error(FileVerifier::start(key.public_key(), replace_line(a, 1, line_of(b, 1))).status(),
                  StatusCode::kCorruption, "trusted comment signature does not verify");
    require_error(verify_file(key.public_key(), b, "file a").status(), StatusCode::kCorruption,
                  "file signature does not verify");
}

// ---------------------------------------------------------------------------------------------
// Detached signatures

TEST_CASE("detached signatures verify only for the signed message and key") {
    const SigningKey key = SigningKey::generate();
    const SigningKey other = SigningKey::generate();
    const std::string signature = sign(key, "auditorium/tree-head/v1 size=7");
    REQUIRE(signature.size() == kSignatureBytes);
    REQUIRE(verify(key.public_key(), "auditorium/tree-head/v1 size=7", signature));
    REQUIRE_FALSE(verify(key.public_key(), "auditorium/tree-head/v1 size=8", signature));
    REQUIRE_FALSE(verify(other.public_key(), "auditorium/tree-head/v1 size=7", signature));
    REQUIRE_FALSE(verify(key.public_key(), "auditorium/tree-head/v1 size=7", signature.substr(1)));
    REQUIRE_FALSE(verify(key.public_key(), "auditorium/tree-head/v1 size=7", signature + "x"));
    std::string flipped = signature;
    flipped[10] ^= 0x04;
    REQUIRE_FALSE(verify(key.public_key(), "auditorium/tree-head/v1 size=7", flipped));
}

}  // namespace
}  // namespace auditorium::eventstore::minisign

TEST_CASE(
    "a public key file names a key id with a leading zero nibble without padding, as the stock "
    "tool") {
    // Regression: the stock tool writes this comment with "%" PRIX64 (seen: 0AD1CF279FC64643 was
    // written as AD1CF279FC64643), so one key in sixteen made the byte-for-byte test fail.
    auditorium::eventstore::minisign::PublicKey pk;
    pk.id = {0x43, 0x46, 0xC6, 0x9F, 0x27, 0xCF, 0xD1, 0x0A};
    const std::string file = auditorium::eventstore::minisign::public_key_file(pk);
    CHECK(file.rfind("untrusted comment: minisign public key AD1CF279FC64643\n", 0) == 0);
    CHECK(auditorium::eventstore::minisign::key_id_hex(pk.id) == "0AD1CF279FC64643");
    CHECK(auditorium::eventstore::minisign::parse_public_key(file).is_ok());
}
