// Fuzz target for verify_export (eventstore/export_verify.cpp), the offline check of a signed JSONL
// export, which reads files handed out to anyone. Input layout (export_input.hpp; fuzz_make_seeds
// writes real exports in it):
//
//   flags (1 byte) || body || separator || minisig || key
//
// flags bit 0: a key is pinned, taken from the end of the input: 32 bytes, or with bit 1 also set
// (flags >> 2) bytes (0..63), so that wrong-sized keys are tried too. Without bit 0 the key is
// empty and the checker trusts the export's own header. Without a separator, all is body and the
// .minisig is empty. The body is read through a std::istringstream, as the checker reads a file.
//
// verify_export must never crash, hang or leak, must answer Corruption or InvalidArgument when it
// refuses, and must never answer OK for an export that is not correctly signed. The fuzzer cannot
// forge Ed25519 signatures, so OK is only reachable from the seeds' genuine exports, with changes
// the signatures do not cover (the untrusted comment, the key-pinning flags). On OK the oracle
// re-checks, with code independent of the checker's line loop:
//   - the key the checker trusted is the pinned one (32 bytes), or with no pin the key in the
//     header line, and ExportCheck::key_from_export says which;
//   - the .minisig verifies over the whole body, fed in one piece, under that key, and its
//     trusted comment is the one reported;
//   - the body's last line (less one final "\n") is {"tree_head":{..}}, whose signature checks
//     under that key, and whose size and root are the ones reported;
//   - an unfiltered export holds exactly tree_size records.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "eventstore/export.hpp"
#include "eventstore/minisign.hpp"
#include "eventstore/tree_head.hpp"
#include "eventstore/tree_head_json.hpp"
#include "tests/fuzz/export_input.hpp"

namespace {

namespace json = boost::json;
namespace minisign = auditorium::eventstore::minisign;
using auditorium::StatusCode;
using auditorium::eventstore::ExportCheck;
using auditorium::eventstore::tree_head_from_json;
using auditorium::eventstore::verify_export;
using auditorium::eventstore::verify_tree_head;

using auditorium::fuzz::kExportKeyPinned;
using auditorium::fuzz::kExportKeySized;
using auditorium::fuzz::kExportSeparator;

constexpr std::size_t kKeyBytes = 32;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz_export_reader: %s\n", what);
    std::abort();
}

void check(bool ok, const char* what) {
    if (!ok) fail(what);
}

struct Input {
    std::string_view body;
    std::string_view minisig;
    std::string key;
};

Input split(std::string_view data) {
    Input in;
    if (data.empty()) return in;
    const auto flags = static_cast<std::uint8_t>(data.front());
    data.remove_prefix(1);
    if ((flags & kExportKeyPinned) != 0) {
        const std::size_t want =
            (flags & kExportKeySized) != 0 ? static_cast<std::size_t>(flags >> 2) : kKeyBytes;
        const std::size_t n = std::min(want, data.size());
        in.key = std::string(data.substr(data.size() - n));
        data.remove_suffix(n);
    }
    const std::size_t at = data.find(kExportSeparator);
    in.body = data.substr(0, at);
    if (at != std::string_view::npos) in.minisig = data.substr(at + kExportSeparator.size());
    return in;
}

// The first line and the last line (less one final "\n") of `body`.
std::string_view first_line(std::string_view body) { return body.substr(0, body.find('\n')); }
std::string_view last_line(std::string_view body) {
    if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
    const std::size_t nl = body.rfind('\n');
    return nl == std::string_view::npos ? body : body.substr(nl + 1);
}

// The oracle: `result` is OK; check that the export really is signed by the key trusted.
void judge_ok(const Input& in, const ExportCheck& result) {
    // The trusted key: the header's public_key, with its key bytes replaced by the pinned ones.
    boost::system::error_code ec;
    const json::value header = json::parse(first_line(in.body), ec);
    check(!ec && header.is_object(), "OK for an export whose first line is not a JSON object");
    const auto* text = header.as_object().if_contains("public_key");
    check(text != nullptr && text->is_string(), "OK for an export whose header has no public_key");
    auto header_key = minisign::parse_public_key(std::string_view(text->as_string()));
    check(header_key.is_ok(), "OK for an export whose header key does not parse");
    minisign::PublicKey trusted = *header_key;
    if (in.key.empty()) {
        check(result.key_from_export, "no key was pinned, but key_from_export is false");
    } else {
        check(in.key.size() == kKeyBytes, "OK with a pinned key that is not 32 bytes");
        check(!result.key_from_export, "a key was pinned, but key_from_export is true");
        std::memcpy(trusted.key.data(), in.key.data(), kKeyBytes);
        check(trusted == *header_key, "OK with a pinned key other than the export's");
    }

    // The .minisig over the whole body, in one piece.
    auto verifier = minisign::FileVerifier::start(trusted, in.minisig);
    check(verifier.is_ok(), "OK for an export whose .minisig does not start verifying");
    verifier->update(in.body);
    auto comment = verifier->finish();
    check(comment.is_ok(), "OK for an export whose .minisig does not verify over the body");
    check(*comment == result.trusted_comment,
          "OK with another trusted comment than the .minisig's");

    // The tree head on the last line.
    const json::value tail = json::parse(last_line(in.body), ec);
    check(!ec && tail.is_object() && tail.as_object().contains("tree_head"),
          "OK for an export whose last line is not {\"tree_head\":..}");
    auto head = tree_head_from_json(json::serialize(tail.as_object().at("tree_head")));
    check(head.is_ok(), "OK for an export whose last line's tree head does not parse");
    const std::string_view key_bytes(reinterpret_cast<const char*>(trusted.key.data()), kKeyBytes);
    check(verify_tree_head(*head, key_bytes).is_ok(),
          "OK for an export whose tree head is not signed by the trusted key");
    check(head->size == result.tree_size && head->root == result.root,
          "OK with another tree size or root than the last line's tree head");
    if (!result.filtered) {
        check(result.records == result.tree_size,
              "OK for an unfiltered export without every record of the tree");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Input in = split(std::string_view(reinterpret_cast<const char*>(data), size));
    std::istringstream body{std::string(in.body)};
    auto result = verify_export(body, in.minisig, in.key);
    if (result.is_ok()) {
        judge_ok(in, *result);
    } else {
        const StatusCode code = result.status().code();
        check(code == StatusCode::kCorruption || code == StatusCode::kInvalidArgument,
              "a refusal other than Corruption or InvalidArgument");
        check(!result.status().message().empty(), "a refusal without a message");
    }
    return 0;
}
