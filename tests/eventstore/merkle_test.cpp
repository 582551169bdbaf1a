#include "eventstore/internal/merkle.hpp"

#include <openssl/sha.h>

#include <bit>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "base/id.hpp"

namespace auditorium::eventstore::merkle {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

// ---------------------------------------------------------------------------------------------
// Reference: the RFC 9162 2.1 definitions (MTH, PATH, SUBPROOF) transcribed literally, recursive
// and over raw strings, with their own hashing (OpenSSL's one-shot SHA256), so they share no code
// with the module under test.

using Entries = std::vector<std::string>;

std::string ref_sha256(const std::string& data) {
    unsigned char out[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
    return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

// The largest power of two smaller than n (n > 1).
std::size_t ref_split(std::size_t n) {
    std::size_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
}

// MTH(D[begin:end]).
std::string ref_mth(const Entries& d, std::size_t begin, std::size_t end) {
    const std::size_t n = end - begin;
    if (n == 0) return ref_sha256("");
    if (n == 1) return ref_sha256(std::string(1, '\x00') + d[begin]);
    const std::size_t k = ref_split(n);
    return ref_sha256("\x01" + ref_mth(d, begin, begin + k) + ref_mth(d, begin + k, end));
}

// PATH(m, D[begin:end]), m relative to begin.
std::vector<std::string> ref_path(const Entries& d, std::size_t m, std::size_t begin,
                                  std::size_t end) {
    const std::size_t n = end - begin;
    if (n <= 1) return {};
    const std::size_t k = ref_split(n);
    std::vector<std::string> out;
    if (m < k) {
        out = ref_path(d, m, begin, begin + k);
        out.push_back(ref_mth(d, begin + k, end));
    } else {
        out = ref_path(d, m - k, begin + k, end);
        out.push_back(ref_mth(d, begin, begin + k));
    }
    return out;
}

// SUBPROOF(m, D[begin:end], b), m relative to begin.
std::vector<std::string> ref_subproof(const Entries& d, std::size_t m, std::size_t begin,
                                      std::size_t end, bool b) {
    const std::size_t n = end - begin;
    if (m == n) {
        if (b) return {};
        return {ref_mth(d, begin, end)};
    }
    const std::size_t k = ref_split(n);
    std::vector<std::string> out;
    if (m <= k) {
        out = ref_subproof(d, m, begin, begin + k, b);
        out.push_back(ref_mth(d, begin + k, end));
    } else {
        out = ref_subproof(d, m - k, begin + k, end, false);
        out.push_back(ref_mth(d, begin, begin + k));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Helpers.

std::string hex_of(std::string_view raw) { return auditorium::to_hex(raw); }

std::vector<std::string> hexes(const std::vector<Hash>& hashes) {
    std::vector<std::string> out;
    for (const Hash& h : hashes) out.push_back(merkle::to_hex(h));
    return out;
}

std::vector<std::string> hexes(const std::vector<std::string>& raw) {
    std::vector<std::string> out;
    for (const std::string& r : raw) out.push_back(hex_of(r));
    return out;
}

Hash hash_from_hex(std::string_view hex) {
    std::optional<std::string> bytes = auditorium::from_hex(hex);
    REQUIRE(bytes.has_value());
    Result<Hash> hash = from_string(*bytes);
    REQUIRE(hash.is_ok());
    return *hash;
}

std::vector<Hash> hashes_from_hex(const std::vector<std::string_view>& hexes) {
    std::vector<Hash> out;
    for (std::string_view h : hexes) out.push_back(hash_from_hex(h));
    return out;
}

Hash flip_bit(Hash h, std::uint8_t mask) {
    h[0] ^= mask;
    return h;
}

std::vector<Hash> with_back(std::vector<Hash> proof, const Hash& extra) {
    proof.push_back(extra);
    return proof;
}

std::vector<Hash> with_front(std::vector<Hash> proof, const Hash& extra) {
    proof.insert(proof.begin(), extra);
    return proof;
}

// A tree kept the way the store keeps it: under each leaf, the hashes of the perfect subtrees it
// completes. Lookups can be bounded to a tree size, which checks that the module asks only for
// nodes inside the tree it was given.
class MemoryTree {
public:
    void append(const std::string& entry) {
        entries_.push_back(entry);
        std::vector<Hash> completed;
        frontier_.push(leaf_hash(entry), completed);
        completed_.push_back(std::move(completed));
    }

    NodeLookup lookup(std::uint64_t tree_size) const {
        return [this, tree_size](unsigned level, std::uint64_t index) -> Result<Hash> {
            ++lookups_;
            const NodeLocation at = locate(level, index);
            if (at.leaf_index >= tree_size || at.leaf_index >= completed_.size() ||
                at.slot >= completed_[at.leaf_index].size()) {
                return not_found("no node at level " + std::to_string(level) + " index " +
                                 std::to_string(index));
            }
            return completed_[at.leaf_index][at.slot];
        };
    }
    NodeLookup lookup() const { return lookup(size()); }

    std::uint64_t size() const { return entries_.size(); }
    const Entries& entries() const { return entries_; }
    const Frontier& frontier() const { return frontier_; }
    const std::vector<Hash>& completed(std::uint64_t leaf) const { return completed_[leaf]; }
    std::uint64_t lookups() const { return lookups_; }
    void reset_lookups() const { lookups_ = 0; }

private:
    Entries entries_;
    std::vector<std::vector<Hash>> completed_;
    Frontier frontier_;
    mutable std::uint64_t lookups_ = 0;
};

// Entries of varied length, with zero bytes, from a fixed seed so failures reproduce.
MemoryTree random_tree(std::size_t size, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    MemoryTree tree;
    for (std::size_t i = 0; i < size; ++i) {
        std::string entry(rng() % 40, '\0');
        for (char& c : entry) c = static_cast<char>(rng() % 4 == 0 ? 0 : rng() % 256);
        tree.append(entry);
    }
    return tree;
}

// ---------------------------------------------------------------------------------------------
// The RFC 6962 reference tree: leaf inputs, tree heads and node hashes as published in
// transparency-dev/merkle (testonly/constants.go, proof/verify_test.go), the same values as
// google/certificate-transparency cpp/merkletree/merkle_tree_test.cc.

const std::vector<std::string_view> kReferenceInputsHex = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

constexpr std::string_view kEmptyRootHex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Indexed by tree size - 1.
const std::vector<std::string_view> kReferenceRootsHex = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

// Perfect-subtree node hashes of the 8-leaf tree, [level][index].
const std::vector<std::vector<std::string_view>> kReferenceNodesHex = {
    {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    },
    {
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    },
    {
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    },
    {
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    },
};

struct InclusionVector {
    std::uint64_t leaf_index;  // 0-based; the published vectors number leaves from 1
    std::uint64_t tree_size;
    std::vector<std::string_view> proof;
};

const std::vector<InclusionVector> kReferenceInclusion = {
    {0, 1, {}},
    {0,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

struct ConsistencyVector {
    std::uint64_t m;
    std::uint64_t n;
    std::vector<std::string_view> proof;
};

const std::vector<ConsistencyVector> kReferenceConsistency = {
    {1, 1, {}},
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

MemoryTree reference_tree() {
    MemoryTree tree;
    for (std::string_view hex : kReferenceInputsHex) tree.append(*auditorium::from_hex(hex));
    return tree;
}

Hash reference_root(std::uint64_t size) {
    return size == 0 ? hash_from_hex(kEmptyRootHex) : hash_from_hex(kReferenceRootsHex[size - 1]);
}

// ---------------------------------------------------------------------------------------------
// Tampering, after the probes of the reference implementations' verifier tests. Each probe must
// be rejected; `desc` names the one that was not.

void check_inclusion_tampering_rejected(std::uint64_t index, std::uint64_t size, const Hash& leaf,
                                        const std::vector<Hash>& proof, const Hash& root) {
    const Hash zero{};
    const Hash other = leaf_hash("some other entry");
    struct Probe {
        const char* desc;
        std::uint64_t index;
        std::uint64_t size;
        Hash leaf;
        std::vector<Hash> proof;
        Hash root;
    };
    std::vector<Probe> probes = {
        {"index - 1", index - 1, size, leaf, proof, root},
        {"index + 1", index + 1, size, leaf, proof, root},
        {"index ^ 2", index ^ 2, size, leaf, proof, root},
        {"size * 2", index, size * 2, leaf, proof, root},
        {"size / 2", index, size / 2, leaf, proof, root},
        {"index == size", size, size, leaf, proof, root},
        {"wrong leaf", index, size, leaf_hash("WrongLeaf"), proof, root},
        {"empty root", index, size, leaf, proof, empty_root()},
        {"other root", index, size, leaf, proof, other},
        {"trailing zero hash", index, size, leaf, with_back(proof, zero), root},
        {"trailing root", index, size, leaf, with_back(proof, root), root},
        {"preceding zero hash", index, size, leaf, with_front(proof, zero), root},
        {"preceding root", index, size, leaf, with_front(proof, root), root},
    };
    for (std::size_t i = 0; i < proof.size(); ++i) {
        std::vector<Hash> flipped = proof;
        flipped[i] = flip_bit(flipped[i], 8);
        probes.push_back({"flipped bit in one hash", index, size, leaf, flipped, root});
    }
    if (!proof.empty()) {
        std::vector<Hash> truncated(proof.begin(), proof.end() - 1);
        probes.push_back({"truncated proof", index, size, leaf, truncated, root});
    }
    if (proof.size() > 1) {
        std::vector<Hash> inserted = proof;
        inserted.insert(inserted.begin() + 1, other);
        probes.push_back({"inserted hash", index, size, leaf, inserted, root});
    }
    for (const Probe& p : probes) {
        INFO("leaf " << index << " of " << size << ", probe: " << p.desc);
        CHECK_FALSE(verify_inclusion(p.index, p.size, p.leaf, p.proof, p.root));
    }
}

void check_consistency_tampering_rejected(std::uint64_t m, std::uint64_t n, const Hash& root_m,
                                          const Hash& root_n, const std::vector<Hash>& proof) {
    REQUIRE_FALSE(proof.empty());
    const Hash zero{};
    const Hash wrong = leaf_hash("WrongRoot");
    struct Probe {
        const char* desc;
        std::uint64_t m;
        std::uint64_t n;
        Hash root_m;
        Hash root_n;
        std::vector<Hash> proof;
    };
    std::vector<Probe> probes = {
        {"m - 1", m - 1, n, root_m, root_n, proof},
        {"m + 1", m + 1, n, root_m, root_n, proof},
        {"m ^ 2", m ^ 2, n, root_m, root_n, proof},
        {"n * 2", m, n * 2, root_m, root_n, proof},
        {"n / 2", m, n / 2, root_m, root_n, proof},
        {"m > n", n + 1, n, root_m, root_n, proof},
        {"m == 0", 0, n, root_m, root_n, proof},
        {"wrong old root", m, n, wrong, root_n, proof},
        {"wrong new root", m, n, root_m, wrong, proof},
        {"swapped roots", m, n, root_n, root_m, proof},
        {"empty proof", m, n, root_m, root_n, {}},
        {"trailing zero hash", m, n, root_m, root_n, with_back(proof, zero)},
        {"trailing old root", m, n, root_m, root_n, with_back(proof, root_m)},
        {"trailing new root", m, n, root_m, root_n, with_back(proof, root_n)},
        {"trailing copy of the last hash", m, n, root_m, root_n, with_back(proof, proof.back())},
        {"preceding zero hash", m, n, root_m, root_n, with_front(proof, zero)},
        {"preceding old root", m, n, root_m, root_n, with_front(proof, root_m)},
        {"preceding new root", m, n, root_m, root_n, with_front(proof, root_n)},
        {"preceding copy of the first hash", m, n, root_m, root_n, with_front(proof, proof[0])},
        {"truncated proof", m, n, root_m, root_n,
         std::vector<Hash>(proof.begin(), proof.end() - 1)},
    };
    for (std::size_t i = 0; i < proof.size(); ++i) {
        std::vector<Hash> flipped = proof;
        flipped[i] = flip_bit(flipped[i], 16);
        probes.push_back({"flipped bit in one hash", m, n, root_m, root_n, flipped});
    }
    for (const Probe& p : probes) {
        INFO("sizes " << m << " -> " << n << ", probe: " << p.desc);
        CHECK_FALSE(verify_consistency(p.m, p.n, p.root_m, p.root_n, p.proof));
    }
}

// ---------------------------------------------------------------------------------------------
// Known answers.

TEST_CASE("leaf and node hashes are SHA-256 with the RFC 9162 domain-separation prefixes") {
    CHECK(merkle::to_hex(empty_root()) == kEmptyRootHex);
    CHECK(merkle::to_hex(leaf_hash("")) == kReferenceRootsHex[0]);
    const Hash left = leaf_hash("");
    const Hash right = leaf_hash(std::string(1, '\x00'));
    CHECK(merkle::to_hex(node_hash(left, right)) == kReferenceRootsHex[1]);

    std::mt19937_64 rng(7);
    for (std::size_t len : {0u, 1u, 31u, 55u, 56u, 63u, 64u, 65u, 1000u, 100000u}) {
        std::string entry(len, '\0');
        for (char& c : entry) c = static_cast<char>(rng());
        INFO("entry of " << len << " bytes");
        CHECK(merkle::to_hex(leaf_hash(entry)) ==
              hex_of(ref_sha256(std::string(1, '\x00') + entry)));
    }
    const Hash a = leaf_hash("a");
    const Hash b = leaf_hash("b");
    CHECK(merkle::to_hex(node_hash(a, b)) ==
          hex_of(ref_sha256("\x01" + merkle::to_string(a) + merkle::to_string(b))));
    CHECK(node_hash(a, b) != node_hash(b, a));
}

TEST_CASE("tree heads of the RFC 6962 reference tree match the published roots for sizes 0 to 8") {
    MemoryTree tree;
    CHECK(merkle::to_hex(tree.frontier().root()) == kEmptyRootHex);
    for (std::size_t size = 1; size <= kReferenceInputsHex.size(); ++size) {
        tree.append(*auditorium::from_hex(kReferenceInputsHex[size - 1]));
        INFO("size " << size);
        CHECK(tree.frontier().size() == size);
        CHECK(merkle::to_hex(tree.frontier().root()) == kReferenceRootsHex[size - 1]);
    }
    for (std::uint64_t size = 0; size <= tree.size(); ++size) {
        INFO("root_at size " << size);
        Result<Hash> root = root_at(size, tree.lookup(size));
        REQUIRE(root.is_ok());
        CHECK(*root == reference_root(size));
    }
}

TEST_CASE(
    "hashes completed by each leaf of the RFC 6962 reference tree match the published "
    "nodes") {
    const MemoryTree tree = reference_tree();
    for (std::uint64_t leaf = 0; leaf < tree.size(); ++leaf) {
        const std::vector<Hash>& completed = tree.completed(leaf);
        INFO("leaf " << leaf);
        REQUIRE(completed.size() == completed_levels(leaf));
        for (unsigned level = 0; level < completed.size(); ++level) {
            const std::uint64_t index = ((leaf + 1) >> level) - 1;
            CHECK(merkle::to_hex(completed[level]) == kReferenceNodesHex[level][index]);
        }
    }
}

TEST_CASE("inclusion proofs in the RFC 6962 reference tree match the published vectors") {
    MemoryTree tree = reference_tree();
    for (const InclusionVector& v : kReferenceInclusion) {
        INFO("leaf " << v.leaf_index << " of " << v.tree_size);
        Result<std::vector<Hash>> proof =
            inclusion_proof(v.leaf_index, v.tree_size, tree.lookup(v.tree_size));
        REQUIRE(proof.is_ok());
        const std::vector<Hash> expected = hashes_from_hex(v.proof);
        CHECK(hexes(*proof) == hexes(expected));
        const Hash leaf = tree.completed(v.leaf_index)[0];
        CHECK(verify_inclusion(v.leaf_index, v.tree_size, leaf, expected,
                               reference_root(v.tree_size)));
    }
}

TEST_CASE("consistency proofs in the RFC 6962 reference tree match the published vectors") {
    MemoryTree tree = reference_tree();
    for (const ConsistencyVector& v : kReferenceConsistency) {
        INFO("sizes " << v.m << " -> " << v.n);
        Result<std::vector<Hash>> proof = consistency_proof(v.m, v.n, tree.lookup(v.n));
        REQUIRE(proof.is_ok());
        const std::vector<Hash> expected = hashes_from_hex(v.proof);
        CHECK(hexes(*proof) == hexes(expected));
        CHECK(verify_consistency(v.m, v.n, reference_root(v.m), reference_root(v.n), expected));
    }
}

// ---------------------------------------------------------------------------------------------
// Rejection.

TEST_CASE("tampered published inclusion proofs, indexes, sizes, leaves and roots are rejected") {
    const MemoryTree tree = reference_tree();
    for (const InclusionVector& v : kReferenceInclusion) {
        check_inclusion_tampering_rejected(v.leaf_index, v.tree_size,
                                           tree.completed(v.leaf_index)[0],
                                           hashes_from_hex(v.proof), reference_root(v.tree_size));
    }
}

TEST_CASE("tampered published consistency proofs, sizes and roots are rejected") {
    for (const ConsistencyVector& v : kReferenceConsistency) {
        if (v.proof.empty()) continue;
        check_consistency_tampering_rejected(v.m, v.n, reference_root(v.m), reference_root(v.n),
                                             hashes_from_hex(v.proof));
    }
}

TEST_CASE("inclusion verification rejects impossible indexes and sizes without crashing") {
    const Hash leaf = leaf_hash("data");
    const Hash other = leaf_hash("other");
    const std::vector<Hash> none;
    // A one-leaf tree's root is its leaf hash, with an empty proof.
    CHECK(verify_inclusion(0, 1, leaf, none, leaf));
    CHECK_FALSE(verify_inclusion(0, 1, leaf, none, other));
    CHECK_FALSE(verify_inclusion(0, 0, leaf, none, leaf));
    CHECK_FALSE(verify_inclusion(1, 0, leaf, none, leaf));
    CHECK_FALSE(verify_inclusion(1, 1, leaf, none, leaf));
    CHECK_FALSE(verify_inclusion(2, 1, leaf, none, leaf));
    CHECK_FALSE(verify_inclusion(kMax, kMax, leaf, none, leaf));
    CHECK_FALSE(verify_inclusion(kMax, 1, leaf, none, leaf));
    CHECK_FALSE(verify_inclusion(0, kMax, leaf, none, leaf));
    CHECK_FALSE(verify_inclusion(kMax - 1, kMax, leaf, std::vector<Hash>(3, other), leaf));
    // An overlong proof stops being read once the path reaches the root.
    CHECK_FALSE(verify_inclusion(0, 1, leaf, std::vector<Hash>(100000, other), leaf));
    CHECK_FALSE(verify_inclusion(5, kMax, leaf, std::vector<Hash>(100000, other), leaf));
}

TEST_CASE(
    "consistency verification rejects an old size of zero, sizes out of order and "
    "mismatched heads of equal size") {
    const Hash a = leaf_hash("a");
    const Hash b = leaf_hash("b");
    const std::vector<Hash> none;
    const std::vector<Hash> one{empty_root()};
    CHECK(verify_consistency(1, 1, a, a, none));
    CHECK(verify_consistency(kMax, kMax, a, a, none));
    CHECK_FALSE(verify_consistency(1, 1, a, b, none));
    CHECK_FALSE(verify_consistency(1, 1, a, a, one));
    CHECK_FALSE(verify_consistency(0, 0, a, a, none));
    CHECK_FALSE(verify_consistency(0, 1, empty_root(), a, none));
    CHECK_FALSE(verify_consistency(0, 1, empty_root(), a, one));
    CHECK_FALSE(verify_consistency(1, 0, a, b, none));
    CHECK_FALSE(verify_consistency(2, 1, a, b, none));
    CHECK_FALSE(verify_consistency(2, 1, a, b, one));
    CHECK_FALSE(verify_consistency(1, 2, a, b, none));
    CHECK_FALSE(verify_consistency(kMax, kMax - 1, a, b, one));
    CHECK_FALSE(verify_consistency(kMax - 1, kMax, a, b, one));
    CHECK_FALSE(verify_consistency(3, kMax, a, b, std::vector<Hash>(100000, b)));
    CHECK_FALSE(verify_consistency(1, 2, a, b, std::vector<Hash>(100000, b)));
}

TEST_CASE("verifiers reject an overlong proof") {
    // How fast they give up is the benchmark's business (make bench), not a timed test's.
    const Hash a = leaf_hash("a");
    const std::vector<Hash> huge(200000, leaf_hash("b"));
    CHECK_FALSE(verify_inclusion(3, 1000, a, huge, a));
    CHECK_FALSE(verify_consistency(3, 1000, a, a, huge));
}

TEST_CASE("proof generation rejects leaves outside the tree and sizes out of order") {
    const MemoryTree tree = reference_tree();
    const NodeLookup lookup = tree.lookup();
    CHECK(inclusion_proof(0, 0, lookup).status().code() == StatusCode::kInvalidArgument);
    CHECK(inclusion_proof(8, 8, lookup).status().code() == StatusCode::kInvalidArgument);
    CHECK(inclusion_proof(kMax, 8, lookup).status().code() == StatusCode::kInvalidArgument);
    CHECK(consistency_proof(0, 0, lookup).status().code() == StatusCode::kInvalidArgument);
    CHECK(consistency_proof(0, 8, lookup).status().code() == StatusCode::kInvalidArgument);
    CHECK(consistency_proof(5, 4, lookup).status().code() == StatusCode::kInvalidArgument);
    Result<std::vector<Hash>> same = consistency_proof(8, 8, lookup);
    REQUIRE(same.is_ok());
    CHECK(same->empty());
}

TEST_CASE("a failed node lookup is passed through with its code and some context") {
    const NodeLookup broken = [](unsigned, std::uint64_t) -> Result<Hash> {
        return unavailable("storage is gone");
    };
    const Result<Frontier> frontier = Frontier::restore(5, broken);
    REQUIRE_FALSE(frontier.is_ok());
    CHECK(frontier.status().code() == StatusCode::kUnavailable);
    CHECK(frontier.status().message().find("storage is gone") != std::string::npos);
    CHECK(frontier.status().message().find("size 5") != std::string::npos);

    CHECK(root_at(3, broken).status().code() == StatusCode::kUnavailable);
    CHECK(inclusion_proof(1, 3, broken).status().code() == StatusCode::kUnavailable);
    CHECK(consistency_proof(1, 3, broken).status().code() == StatusCode::kUnavailable);

    // The empty tree needs no lookup at all.
    REQUIRE(root_at(0, broken).is_ok());
    CHECK(*root_at(0, broken) == empty_root());
    REQUIRE(Frontier::restore(0, broken).is_ok());
    CHECK(Frontier::restore(0, broken)->root() == empty_root());
}

// ---------------------------------------------------------------------------------------------
// Agreement with the RFC definitions on many tree shapes.

// Every size from 1 to 64, then a few random sizes up to 300 (fixed seed).
std::vector<std::uint64_t> sizes_to_check() {
    std::vector<std::uint64_t> sizes;
    for (std::uint64_t s = 1; s <= 64; ++s) sizes.push_back(s);
    std::mt19937_64 rng(2024);
    for (int i = 0; i < 6; ++i) sizes.push_back(65 + rng() % 236);
    sizes.push_back(256);
    sizes.push_back(300);
    return sizes;
}

TEST_CASE("inclusion proofs match the RFC definition and verify for every leaf of many trees") {
    const MemoryTree tree = random_tree(300, 1);
    for (std::uint64_t size : sizes_to_check()) {
        const std::string root = ref_mth(tree.entries(), 0, size);
        const Hash root_hash = *from_string(root);
        for (std::uint64_t leaf = 0; leaf < size; ++leaf) {
            INFO("leaf " << leaf << " of " << size);
            Result<std::vector<Hash>> proof = inclusion_proof(leaf, size, tree.lookup(size));
            REQUIRE(proof.is_ok());
            REQUIRE(hexes(*proof) == hexes(ref_path(tree.entries(), leaf, 0, size)));
            const Hash leaf_h = leaf_hash(tree.entries()[leaf]);
            REQUIRE(verify_inclusion(leaf, size, leaf_h, *proof, root_hash));
            if (size <= 64) {
                check_inclusion_tampering_rejected(leaf, size, leaf_h, *proof, root_hash);
            }
        }
    }
}

TEST_CASE(
    "consistency proofs match the RFC definition and verify for every pair of sizes of many "
    "trees") {
    const MemoryTree tree = random_tree(300, 2);
    for (std::uint64_t n : sizes_to_check()) {
        const Hash root_n = *from_string(ref_mth(tree.entries(), 0, n));
        for (std::uint64_t m = 1; m <= n; ++m) {
            INFO("sizes " << m << " -> " << n);
            Result<std::vector<Hash>> proof = consistency_proof(m, n, tree.lookup(n));
            REQUIRE(proof.is_ok());
            REQUIRE(hexes(*proof) == hexes(ref_subproof(tree.entries(), m, 0, n, true)));
            const Hash root_m = *from_string(ref_mth(tree.entries(), 0, m));
            REQUIRE(verify_consistency(m, n, root_m, root_n, *proof));
            if (m < n && n <= 64) {
                check_consistency_tampering_rejected(m, n, root_m, root_n, *proof);
            }
        }
    }
}

TEST_CASE("the frontier root and root_at equal the RFC tree head at every size up to 300") {
    const MemoryTree full = random_tree(300, 3);
    MemoryTree tree;
    for (std::uint64_t size = 0; size <= full.size(); ++size) {
        INFO("size " << size);
        const std::string expected = hex_of(ref_mth(full.entries(), 0, size));
        CHECK(tree.frontier().size() == size);
        CHECK(merkle::to_hex(tree.frontier().root()) == expected);
        Result<Hash> at = root_at(size, full.lookup(size));
        REQUIRE(at.is_ok());
        CHECK(merkle::to_hex(*at) == expected);
        if (size < full.size()) tree.append(full.entries()[size]);
    }
}

TEST_CASE("each push reports the roots of exactly the perfect subtrees its leaf completes") {
    const MemoryTree tree = random_tree(300, 4);
    for (std::uint64_t leaf = 0; leaf < tree.size(); ++leaf) {
        const std::vector<Hash>& completed = tree.completed(leaf);
        INFO("leaf " << leaf);
        REQUIRE(completed.size() == completed_levels(leaf));
        for (unsigned level = 0; level < completed.size(); ++level) {
            const std::uint64_t width = std::uint64_t{1} << level;
            CHECK(merkle::to_hex(completed[level]) ==
                  hex_of(ref_mth(tree.entries(), leaf + 1 - width, leaf + 1)));
        }
    }
}

TEST_CASE("a frontier restored from stored nodes behaves like the frontier built by pushes") {
    const MemoryTree full = random_tree(340, 5);
    MemoryTree built;
    for (std::uint64_t size = 0; size <= 300; ++size) {
        INFO("size " << size);
        full.reset_lookups();
        Result<Frontier> restored = Frontier::restore(size, full.lookup(size));
        REQUIRE(restored.is_ok());
        CHECK(full.lookups() == static_cast<std::uint64_t>(std::popcount(size)));
        CHECK(restored->size() == built.frontier().size());
        CHECK(restored->root() == built.frontier().root());
        // Both go on the same way: same completed hashes, same roots.
        Frontier a = *restored;
        Frontier b = built.frontier();
        std::vector<Hash> completed_a;
        std::vector<Hash> completed_b;
        for (std::uint64_t next = size; next < size + 40; ++next) {
            const Hash leaf = leaf_hash(full.entries()[next]);
            a.push(leaf, completed_a);
            b.push(leaf, completed_b);
            REQUIRE(hexes(completed_a) == hexes(completed_b));
            REQUIRE(hexes(completed_a) == hexes(full.completed(next)));
            REQUIRE(a.root() == b.root());
        }
        built.append(full.entries()[size]);
    }
}

// ---------------------------------------------------------------------------------------------
// Storage layout.

TEST_CASE("a node is stored under its last leaf in the slot of its level") {
    CHECK(completed_levels(0) == 1);
    CHECK(completed_levels(1) == 2);
    CHECK(completed_levels(2) == 1);
    CHECK(completed_levels(3) == 3);
    CHECK(completed_levels(5) == 2);
    CHECK(completed_levels(7) == 4);
    CHECK(completed_levels(kMax - 1) == 1);
    CHECK(completed_levels(kMax >> 1) == 64);

    CHECK(locate(0, 0).leaf_index == 0);
    CHECK(locate(0, 9).leaf_index == 9);
    CHECK(locate(1, 0).leaf_index == 1);
    CHECK(locate(2, 1).leaf_index == 7);
    CHECK(locate(2, 1).slot == 2);
    CHECK(locate(3, 0).leaf_index == 7);
    CHECK(locate(0, kMax).leaf_index == kMax);
    CHECK(locate(63, 1).leaf_index == kMax);
    CHECK(locate(63, 0).leaf_index == kMax >> 1);

    // Every slot of every leaf is the location of exactly the node it holds.
    for (std::uint64_t leaf = 0; leaf < 1024; ++leaf) {
        for (unsigned slot = 0; slot < completed_levels(leaf); ++slot) {
            const NodeLocation at = locate(slot, ((leaf + 1) >> slot) - 1);
            CHECK(at.leaf_index == leaf);
            CHECK(at.slot == slot);
        }
    }
}

TEST_CASE("a hash round-trips through its 32 raw bytes and other lengths are corruption") {
    const Hash h = leaf_hash("x");
    const std::string raw = merkle::to_string(h);
    CHECK(raw.size() == 32);
    Result<Hash> back = from_string(raw);
    REQUIRE(back.is_ok());
    CHECK(*back == h);
    CHECK(merkle::to_hex(h) == hex_of(raw));
    CHECK(from_string(raw.substr(1)).status().code() == StatusCode::kCorruption);
    CHECK(from_string(raw + "x").status().code() == StatusCode::kCorruption);
    CHECK(from_string("").status().code() == StatusCode::kCorruption);
}

// ---------------------------------------------------------------------------------------------
// Scale. A tree whose leaves are all the same entry has, at each level, one node hash shared by
// every node of that level; it is a real RFC 9162 tree of any size whose nodes cost nothing to
// look up, so proofs on it must verify against its root. (It cannot catch a proof for the wrong
// index; the trees above do.)

struct UniformTree {
    std::vector<Hash> level_hash;  // [level]
    std::uint64_t size;
    mutable std::uint64_t lookups = 0;

    explicit UniformTree(std::uint64_t tree_size) : size(tree_size) {
        level_hash.push_back(leaf_hash("the same entry"));
        while (level_hash.size() < 64) {
            level_hash.push_back(node_hash(level_hash.back(), level_hash.back()));
        }
    }
    NodeLookup lookup(std::uint64_t tree_size) const {
        return [this, tree_size](unsigned level, std::uint64_t index) -> Result<Hash> {
            ++lookups;
            if (level >= 64 || locate(level, index).leaf_index >= tree_size) {
                return not_found("outside the tree");
            }
            return level_hash[level];
        };
    }
};

TEST_CASE("proofs in a tree of ten million leaves need O(log n) lookups") {
    constexpr std::uint64_t n = 10'000'000;
    const UniformTree tree(n);
    const Result<Hash> root = root_at(n, tree.lookup(n));
    REQUIRE(root.is_ok());

    const auto bound = static_cast<std::uint64_t>(2 * std::bit_width(n) + 1);
    std::mt19937_64 rng(6);
    constexpr int kProofs = 500;
    for (int i = 0; i < kProofs; ++i) {
        const std::uint64_t leaf = rng() % n;
        const std::uint64_t m = 1 + rng() % n;
        const Hash root_m = *root_at(m, tree.lookup(m));

        tree.lookups = 0;
        Result<std::vector<Hash>> inclusion = inclusion_proof(leaf, n, tree.lookup(n));
        const std::uint64_t inclusion_lookups = tree.lookups;
        tree.lookups = 0;
        Result<std::vector<Hash>> consistency = consistency_proof(m, n, tree.lookup(n));

        INFO("leaf " << leaf << ", old size " << m);
        REQUIRE(inclusion.is_ok());
        REQUIRE(consistency.is_ok());
        CHECK(inclusion_lookups <= bound);
        CHECK(tree.lookups <= bound);
        CHECK(verify_inclusion(leaf, n, tree.level_hash[0], *inclusion, *root));
        CHECK(verify_consistency(m, n, root_m, *root, *consistency));
    }
}

TEST_CASE("proofs and restores near 2^64 leaves neither overflow nor fail to verify") {
    for (std::uint64_t n : {(std::uint64_t{1} << 63) + 12345, kMax - 1, kMax}) {
        const UniformTree tree(n);
        INFO("size " << n);
        const Result<Hash> root = root_at(n, tree.lookup(n));
        REQUIRE(root.is_ok());
        const std::uint64_t quarter = std::uint64_t{1} << 62;
        for (std::uint64_t leaf : {std::uint64_t{0}, quarter, n / 2 + 1, n - 2, n - 1}) {
            INFO("leaf " << leaf);
            Result<std::vector<Hash>> proof = inclusion_proof(leaf, n, tree.lookup(n));
            REQUIRE(proof.is_ok());
            CHECK(verify_inclusion(leaf, n, tree.level_hash[0], *proof, *root));
        }
        for (std::uint64_t m : {std::uint64_t{1}, std::uint64_t{1} << 63, n - 1, n}) {
            INFO("old size " << m);
            const Hash root_m = *root_at(m, tree.lookup(m));
            Result<std::vector<Hash>> proof = consistency_proof(m, n, tree.lookup(n));
            REQUIRE(proof.is_ok());
            CHECK(verify_consistency(m, n, root_m, *root, *proof));
        }
        Result<Frontier> frontier = Frontier::restore(n - 1, tree.lookup(n - 1));
        REQUIRE(frontier.is_ok());
        std::vector<Hash> completed;
        frontier->push(tree.level_hash[0], completed);
        CHECK(completed.size() == completed_levels(n - 1));
        CHECK(frontier->size() == n);
        CHECK(frontier->root() == *root);
    }
}

}  // namespace
}  // namespace auditorium::eventstore::merkle
