// Writes the seed corpus the fuzz targets start from, into <dir>/<target>/:
//   fuzz_make_seeds tests/fuzz/corpus
// Entry seeds are real encode_entry output, so the fuzzer starts past the flatbuffers verifier;
// proof seeds are fixed byte patterns that select each mode of fuzz_proof_verifier (its last
// byte picks the mode: odd is the tree mode). Export seeds are genuine signed JSONL exports in
// fuzz_export_reader's input layout, built without a store from the pieces the exporter uses
// (encode_entry, the Merkle frontier, a signed tree head, a minisign FileSigner) under a fixed
// test key, and each is checked with verify_export before it is written. The output is
// committed; keep it small.
#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "base/base64.hpp"
#include "eventstore/export.hpp"
#include "eventstore/internal/entry_codec.hpp"
#include "eventstore/internal/merkle.hpp"
#include "eventstore/minisign.hpp"
#include "eventstore/tree_head.hpp"
#include "eventstore/tree_head_json.hpp"
#include "tests/fuzz/export_input.hpp"

namespace {

namespace fs = std::filesystem;
using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::eventstore::internal;

void write(const fs::path& dir, const std::string& name, const std::string& bytes) {
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
}

Id id_of(std::uint8_t fill) {
    Id::Bytes b;
    b.fill(fill);
    return Id(b);
}

EntryHeader header() {
    EntryHeader h;
    h.position = 42;
    h.stream = "meeting-0a1b2c3d";
    h.version = 3;
    h.event_id = id_of(0x10);
    h.type = "meeting.scheduled";
    h.schema_version = 2;
    h.recorded_at_us = 1'700'000'000'000'000;
    h.actor = id_of(0x11);
    h.subject = id_of(0x22);
    h.correlation = id_of(0x33);
    h.causation = id_of(0x44);
    return h;
}

StoredSection section(const Id& subject, KeyClass key_class, std::uint32_t key_id) {
    return StoredSection{subject,
                         key_class,
                         key_id,
                         std::string(32, 'c'),
                         std::string(24, 'n'),
                         "sealed-payload-and-16-byte-tag.."};
}

void entry_seeds(const fs::path& dir) {
    EntryHeader minimal;
    minimal.stream = "s";
    minimal.type = "t";
    write(dir, "minimal", encode_entry(minimal, "", {}));
    write(dir, "clear-only", encode_entry(header(), R"({"title":"weekly"})", {}));
    write(dir, "one-section",
          encode_entry(header(), "{}", {section(id_of(0x22), KeyClass::kPersonal, 1)}));
    write(dir, "three-sections",
          encode_entry(
              header(), "{\"n\":3}",
              {section(Id(), KeyClass::kSystem, 0), section(id_of(0x22), KeyClass::kPersonal, 7),
               section(id_of(0x55), KeyClass::kRetained, 202405)}));
}

// `n` bytes of a fixed pattern, the last one choosing the mode.
std::string pattern(std::size_t n, std::uint8_t step, bool tree_mode) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * step + 1);
    s.back() = static_cast<char>(tree_mode ? 1 : 0);
    return s;
}

void proof_seeds(const fs::path& dir) {
    write(dir, "tree-small", pattern(48, 3, true));
    write(dir, "tree-large", pattern(400, 7, true));
    write(dir, "tree-duplicate-leaves", std::string(160, '\x05') + '\x01');
    write(dir, "raw-short-proof", pattern(200, 5, false));
    write(dir, "raw-long-proof", pattern(2800, 11, false));
}

// ---------------------------------------------------------------------------------------------
// Signed exports (the JSONL format of export.hpp, as internal/exporter.cpp writes it).

namespace json = boost::json;

// fuzz_export_reader's input (export_input.hpp): flags || body || separator || minisig || key.
constexpr char kNoKey = 0;
constexpr char kPinnedKey = static_cast<char>(fuzz::kExportKeyPinned);

// A fixed test key: seed bytes 0x01.. and key id 0xa0.., never a real ledger's.
minisign::SigningKey test_key(std::uint8_t first) {
    unsigned char seed[crypto_sign_SEEDBYTES];
    for (std::size_t i = 0; i < sizeof seed; ++i) seed[i] = static_cast<unsigned char>(first + i);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pk, sk, seed);
    minisign::KeyId id;
    for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(0xa0 + first + i);
    auto key = minisign::SigningKey::from_bytes(
        std::string_view(reinterpret_cast<const char*>(sk), sizeof sk), id);
    if (!key.is_ok()) throw std::runtime_error(key.status().to_string());
    return std::move(key).value();
}

std::string key_bytes(const minisign::SigningKey& key) {
    const auto& k = key.public_key().key;
    return std::string(reinterpret_cast<const char*>(k.data()), k.size());
}

// A ledger of `n` small entries (positions 1..n), with every perfect Merkle node kept for proofs.
struct Ledger {
    std::vector<std::string> entries;
    std::vector<EntryHeader> headers;
    std::map<std::pair<unsigned, std::uint64_t>, merkle::Hash> nodes;
    merkle::Frontier frontier;

    explicit Ledger(std::uint64_t n) {
        std::vector<merkle::Hash> completed;
        for (std::uint64_t p = 1; p <= n; ++p) {
            EntryHeader h;
            h.position = p;
            h.stream = "meeting-" + std::to_string(p % 2);
            h.version = (p + 1) / 2;
            h.event_id = id_of(static_cast<std::uint8_t>(0x60 + p));
            h.type = p % 3 == 0 ? "member.invited" : "meeting.scheduled";
            h.recorded_at_us = 1'700'000'000'000'000 + static_cast<std::int64_t>(p) * 1'000'000;
            h.actor = id_of(0x11);
            h.subject = id_of(static_cast<std::uint8_t>(0x20 + p % 2));
            entries.push_back(encode_entry(h, "{\"n\":" + std::to_string(p) + "}", {}));
            headers.push_back(h);
            frontier.push(merkle::leaf_hash(entries.back()), completed);
            for (unsigned level = 0; level < completed.size(); ++level) {
                nodes[{level, (p - 1) >> level}] = completed[level];
            }
        }
    }

    std::vector<merkle::Hash> proof(Position p) const {
        auto path = merkle::inclusion_proof(
            p - 1, entries.size(),
            [this](unsigned level, std::uint64_t index) -> Result<merkle::Hash> {
                return nodes.at({level, index});
            });
        if (!path.is_ok()) throw std::runtime_error(path.status().to_string());
        return std::move(path).value();
    }
};

struct ExportSpec {
    std::uint64_t tree_size = 0;
    std::vector<Position> positions;  // empty: all (unfiltered)
    std::vector<Position> purged;  // listed by leaf hash alone, as an unfiltered export lists them
    bool final_newline = true;
    bool payload = false;  // add a "payload" member, as a decrypted export has
};

// The body and .minisig of a signed JSONL export of a ledger of spec.tree_size entries.
std::pair<std::string, std::string> make_export(const minisign::SigningKey& key,
                                                const ExportSpec& spec) {
    const Ledger ledger(spec.tree_size);
    const bool filtered = !spec.positions.empty();
    std::vector<Position> positions = spec.positions;
    if (!filtered) {
        for (Position p = 1; p <= spec.tree_size; ++p) positions.push_back(p);
    }

    SignedTreeHead head;
    head.store_id = id_of(0x5a);
    head.size = spec.tree_size;
    head.root = merkle::to_string(ledger.frontier.root());
    head.time_us = 1'700'000'100'000'000;
    head.key_id = key.public_key().id;
    head.dev = true;
    head.signature = minisign::sign(key, head.message());

    std::vector<std::string> lines;
    json::object filter;
    filter["from"] = filtered ? positions.front() : 1;
    if (filtered) filter["to"] = positions.back();
    json::object h;
    h["format"] = "auditorium/export/v1";
    h["store_id"] = head.store_id.hex();
    h["dev"] = head.dev;
    h["filtered"] = filtered;
    h["filter"] = std::move(filter);
    h["tree_size"] = head.size;
    h["public_key"] = minisign::public_key_base64(key.public_key());
    h["key_id"] = signing_key_id_hex(head.key_id);
    h["decrypted"] = spec.payload;
    lines.push_back(json::serialize(h));

    for (const Position p : positions) {
        const std::string& bytes = ledger.entries.at(p - 1);
        const EntryHeader& eh = ledger.headers.at(p - 1);
        if (std::find(spec.purged.begin(), spec.purged.end(), p) != spec.purged.end()) {
            lines.push_back("{\"position\":" + std::to_string(p) +
                            ",\"purged\":true,\"leaf_hash\":\"" +
                            merkle::to_hex(merkle::leaf_hash(bytes)) + "\"}");
            continue;
        }
        json::object r;
        r["position"] = p;
        r["stream"] = eh.stream;
        r["version"] = eh.version;
        r["type"] = eh.type;
        r["time"] = rfc3339(eh.recorded_at_us);
        r["time_us"] = eh.recorded_at_us;
        r["event_id"] = eh.event_id.hex();
        r["actor"] = eh.actor.hex();
        r["subject"] = eh.subject.hex();
        r["leaf_hash"] = merkle::to_hex(merkle::leaf_hash(bytes));
        r["entry"] = base64_encode(bytes);
        if (filtered) {
            json::array list;
            for (const auto& hash : ledger.proof(p)) list.emplace_back(merkle::to_hex(hash));
            r["proof"] = std::move(list);
        }
        if (spec.payload) {
            json::object payload;
            payload["clear"] = "{\"n\":" + std::to_string(p) + "}";
            payload["sections"] = json::array();
            r["payload"] = std::move(payload);
        }
        lines.push_back(json::serialize(r));
    }
    lines.push_back("{\"tree_head\":" + tree_head_to_json(head) + "}");

    std::string body;
    for (const auto& line : lines) body += line + "\n";
    if (!spec.final_newline) body.pop_back();
    minisign::FileSigner signer(key);
    signer.update(body);
    const std::string comment = "auditorium export store=" + head.store_id.hex() +
                                " tree_size=" + std::to_string(head.size) +
                                " records=" + std::to_string(positions.size()) +
                                " filtered=" + (filtered ? "1" : "0") + " format=jsonl dev";
    auto minisig = signer.finish(comment, "auditorium ledger export");
    if (!minisig.is_ok()) throw std::runtime_error(minisig.status().to_string());
    return {body, *minisig};
}

// Writes an export seed after checking that verify_export answers it as expected.
void write_export(const fs::path& dir, const std::string& name, char flags,
                  const std::pair<std::string, std::string>& file, const std::string& key,
                  bool valid) {
    std::istringstream body(file.first);
    auto result = verify_export(body, file.second, key);
    if (result.is_ok() != valid) {
        throw std::runtime_error(name + ": verify_export answers " + result.status().to_string());
    }
    write(dir, name, flags + file.first + std::string(fuzz::kExportSeparator) + file.second + key);
}

void export_seeds(const fs::path& dir) {
    const minisign::SigningKey key = test_key(0x01);
    const minisign::SigningKey other = test_key(0x41);
    const auto five = make_export(key, {.tree_size = 5});
    write_export(dir, "unfiltered", kNoKey, five, "", true);
    write_export(dir, "unfiltered-pinned", kPinnedKey, five, key_bytes(key), true);
    write_export(dir, "unfiltered-other-key", kPinnedKey, five, key_bytes(other), false);
    write_export(dir, "filtered-pinned", kPinnedKey,
                 make_export(key, {.tree_size = 6, .positions = {2, 5}}), key_bytes(key), true);
    write_export(dir, "empty-tree", kNoKey, make_export(key, {.tree_size = 0}), "", true);
    write_export(dir, "purged-pinned", kPinnedKey,
                 make_export(key, {.tree_size = 3, .purged = {1, 2}}), key_bytes(key), true);
    write_export(dir, "payload-no-final-newline", kNoKey,
                 make_export(key, {.tree_size = 2, .final_newline = false, .payload = true}), "",
                 true);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    const fs::path root(argv[1]);
    entry_seeds(root / "fuzz_entry_decoder");
    proof_seeds(root / "fuzz_proof_verifier");
    export_seeds(root / "fuzz_export_reader");
    return 0;
}
