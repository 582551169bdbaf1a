// Fuzz target for the Merkle proof verifiers (eventstore/internal/merkle.hpp). The last input
// byte picks one of two modes:
//
// Raw: the input is parsed into (leaf index, tree size, m, n, leaf hash, roots, a proof) and fed
// to verify_inclusion and verify_consistency, which must never crash and must reject the inputs
// their contracts name: index >= size, m == 0, m > n, m == n with a non-empty proof or different
// roots, and proofs longer than their 64-step bound allows.
//
// Tree: a real tree of 1..64 leaves (each leaf one input byte, so duplicate leaves are common) is
// built with Frontier and kept in memory; a genuine inclusion and consistency proof are made with
// inclusion_proof/consistency_proof and must verify. Then each claim and its proof are mutated a
// few times (a bit flipped in a hash, the index or a size changed, a hash dropped, inserted,
// swapped or replaced by another genuine node) and the verifier's answer is checked against an
// oracle that knows the tree:
//
//   accepted  <=>  the claim is true of the tree  and  the proof is the genuine proof for it.
//
// So a no-op mutation is not a finding, nor is one that turns the claim into another true one (a
// duplicate leaf at another index, with the proof still the genuine one), nor the two claims that
// hold whatever the hashes (a head consistent with itself; a one-leaf tree whose root is its
// leaf). A falsified proof that verifies against the true root is a finding (cf. immudb
// GHSA-672p-m5jq-mrh8), and so is a genuine proof that is rejected. RFC 9162 verifiers take the
// tree size and the root as given: they cannot tell a root of one size presented with another
// size (a signed tree head binds the two), so a size changed without its root, or a size beyond
// the tree, is only run, never judged.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "eventstore/internal/merkle.hpp"

namespace {

namespace merkle = auditorium::eventstore::merkle;
using auditorium::Result;
using merkle::Hash;

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t kMaxLeaves = 64;
constexpr std::size_t kMaxRawProof = 80;  // beyond the 64 steps the verifiers are bounded by
constexpr int kMaxMutations = 3;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz_proof_verifier: %s\n", what);
    std::abort();
}

void check(bool ok, const char* what) {
    if (!ok) fail(what);
}

Hash consume_hash(FuzzedDataProvider& in) {
    Hash h{};
    const std::vector<std::uint8_t> bytes = in.ConsumeBytes<std::uint8_t>(h.size());
    std::copy(bytes.begin(), bytes.end(), h.begin());
    return h;
}

void flip_bit(FuzzedDataProvider& in, Hash& h) {
    const auto bit = in.ConsumeIntegralInRange<unsigned>(0, 8 * h.size() - 1);
    h[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
}

// A size or an index: mostly near the tree, sometimes anywhere in 64 bits.
std::uint64_t consume_size(FuzzedDataProvider& in, std::uint64_t tree_size) {
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
        case 0: return in.ConsumeIntegral<std::uint64_t>();
        case 1: return kMax - in.ConsumeIntegralInRange<std::uint64_t>(0, 2);
        case 2: return (std::uint64_t{1} << in.ConsumeIntegralInRange<unsigned>(0, 63));
        default: return in.ConsumeIntegralInRange<std::uint64_t>(0, tree_size + 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Raw mode.

void fuzz_raw(FuzzedDataProvider& in) {
    const std::uint64_t index = consume_size(in, kMaxLeaves);
    const std::uint64_t size = consume_size(in, kMaxLeaves);
    const std::uint64_t m = consume_size(in, kMaxLeaves);
    const std::uint64_t n = consume_size(in, kMaxLeaves);
    const Hash leaf = consume_hash(in);
    const Hash root = consume_hash(in);
    const Hash root_m = in.ConsumeBool() ? root : consume_hash(in);
    const Hash root_n = in.ConsumeBool() ? root_m : consume_hash(in);
    std::vector<Hash> proof(in.ConsumeIntegralInRange<std::size_t>(0, kMaxRawProof));
    for (Hash& h : proof) h = in.ConsumeBool() ? leaf : consume_hash(in);

    const bool included = merkle::verify_inclusion(index, size, leaf, proof, root);
    if (index >= size) check(!included, "inclusion accepted with index >= tree size");
    if (proof.size() > 64) check(!included, "inclusion accepted with a proof over 64 hashes");

    const bool consistent = merkle::verify_consistency(m, n, root_m, root_n, proof);
    if (m == 0 || m > n) check(!consistent, "consistency accepted with m == 0 or m > n");
    if (m == n && m != 0) {
        check(consistent == (proof.empty() && root_m == root_n),
              "consistency of a tree with itself judged other than by its roots");
    }
    // A consistency path is one starting hash and at most 64 steps.
    if (proof.size() > 65) check(!consistent, "consistency accepted with a proof over 65 hashes");
}

// ---------------------------------------------------------------------------------------------
// Tree mode.

// A tree of up to kMaxLeaves leaves with every perfect node and every historical root in memory.
class Tree {
public:
    explicit Tree(const std::vector<std::string>& entries) {
        merkle::Frontier frontier;
        std::vector<Hash> completed;
        roots_.push_back(frontier.root());
        for (std::uint64_t i = 0; i < entries.size(); ++i) {
            leaves_.push_back(merkle::leaf_hash(entries[i]));
            frontier.push(leaves_.back(), completed);
            check(completed.size() == merkle::completed_levels(i), "push completed a wrong count");
            for (unsigned level = 0; level < completed.size(); ++level) {
                nodes_[{level, i >> level}] = completed[level];
            }
            roots_.push_back(frontier.root());
        }
    }

    std::uint64_t size() const { return leaves_.size(); }
    const Hash& leaf(std::uint64_t i) const { return leaves_.at(i); }
    // REQUIRES: s <= size()
    const Hash& root(std::uint64_t s) const { return roots_.at(s); }
    bool is_root_of(std::uint64_t s, const Hash& h) const { return s <= size() && roots_[s] == h; }
    // True if `h` is the root of some size other than `s`: a claim pairing the two cannot be
    // judged by any RFC 9162 verifier (see the file comment).
    bool is_root_of_other_size(std::uint64_t s, const Hash& h) const {
        for (std::uint64_t k = 0; k < roots_.size(); ++k) {
            if (k != s && roots_[k] == h) return true;
        }
        return false;
    }

    // A lookup that serves the tree of the first `limit` leaves and aborts if asked for a node
    // outside it: merkle.hpp promises to ask only for nodes wholly inside the size it was given.
    merkle::NodeLookup lookup(std::uint64_t limit) const {
        return [this, limit](unsigned level, std::uint64_t index) -> Result<Hash> {
            check(level < 64 && index < (kMax >> level), "lookup of an unrepresentable node");
            check(((index + 1) << level) <= limit, "lookup of a node outside the tree size");
            const auto it = nodes_.find({level, index});
            check(it != nodes_.end(), "lookup of a node the tree never completed");
            return it->second;
        };
    }

    // Any hash the tree holds (a leaf, a perfect node, a root), or an arbitrary one.
    Hash pick_hash(FuzzedDataProvider& in) const {
        switch (in.ConsumeIntegralInRange<int>(0, 3)) {
            case 0: return leaf(in.ConsumeIntegralInRange<std::uint64_t>(0, size() - 1));
            case 1: {
                auto it = nodes_.begin();
                std::advance(it, in.ConsumeIntegralInRange<std::size_t>(0, nodes_.size() - 1));
                return it->second;
            }
            case 2: return root(in.ConsumeIntegralInRange<std::uint64_t>(0, size()));
            default: return consume_hash(in);
        }
    }

private:
    std::vector<Hash> leaves_;
    std::vector<Hash> roots_;  // roots_[s]: the root of the first s leaves
    std::map<std::pair<unsigned, std::uint64_t>, Hash> nodes_;
};

std::vector<std::string> consume_entries(FuzzedDataProvider& in) {
    std::vector<std::string> entries(in.ConsumeIntegralInRange<std::uint64_t>(1, kMaxLeaves));
    for (std::string& e : entries) e = in.ConsumeBytesAsString(1);
    return entries;
}

// Proof-list mutations shared by both kinds of claim. Returns false if `op` is not one of them.
bool mutate_proof(FuzzedDataProvider& in, const Tree& tree, int op, std::vector<Hash>& proof) {
    const auto any = [&] { return in.ConsumeIntegralInRange<std::size_t>(0, proof.size() - 1); };
    switch (op) {
        case 0:
            if (!proof.empty()) flip_bit(in, proof[any()]);
            return true;
        case 1:
            if (!proof.empty()) proof.erase(proof.begin() + static_cast<std::ptrdiff_t>(any()));
            return true;
        case 2: {
            const auto at = in.ConsumeIntegralInRange<std::size_t>(0, proof.size());
            proof.insert(proof.begin() + static_cast<std::ptrdiff_t>(at), tree.pick_hash(in));
            return true;
        }
        case 3:
            if (!proof.empty()) {
                const std::size_t a = any();
                const std::size_t b = any();
                std::swap(proof[a], proof[b]);
            }
            return true;
        case 4:
            if (!proof.empty()) proof[any()] = tree.pick_hash(in);
            return true;
        case 5: proof.resize(in.ConsumeIntegralInRange<std::size_t>(0, proof.size())); return true;
        default: return false;
    }
}

constexpr int kProofOps = 6;

// Moves `size` to a new value; a root that was the true root of the old size becomes the true
// root of the new one, so the claim stays judgeable.
void resize_claim(FuzzedDataProvider& in, const Tree& tree, std::uint64_t& size, Hash& root) {
    const bool paired = tree.is_root_of(size, root);
    size = consume_size(in, tree.size());
    if (paired && size <= tree.size()) root = tree.root(size);
}

struct InclusionClaim {
    std::uint64_t index;
    std::uint64_t size;
    Hash leaf;
    Hash root;
    std::vector<Hash> proof;
};

void mutate(FuzzedDataProvider& in, const Tree& tree, InclusionClaim& c) {
    const int op = in.ConsumeIntegralInRange<int>(0, kProofOps + 3);
    if (mutate_proof(in, tree, op, c.proof)) return;
    switch (op - kProofOps) {
        case 0: flip_bit(in, c.leaf); break;
        case 1: flip_bit(in, c.root); break;
        case 2: c.index = consume_size(in, tree.size()); break;
        case 3: resize_claim(in, tree, c.size, c.root); break;
    }
}

void report(const char* what, const InclusionClaim& c) {
    std::fprintf(stderr,
                 "inclusion claim: index %llu, tree size %llu, leaf %s, root %s, %zu hashes\n",
                 static_cast<unsigned long long>(c.index), static_cast<unsigned long long>(c.size),
                 merkle::to_hex(c.leaf).c_str(), merkle::to_hex(c.root).c_str(), c.proof.size());
    fail(what);
}

void judge(const Tree& tree, const InclusionClaim& c) {
    const bool accepted = merkle::verify_inclusion(c.index, c.size, c.leaf, c.proof, c.root);
    if (c.index == 0 && c.size == 1 && c.leaf == c.root) {
        // A one-leaf tree whose root is the leaf holds that leaf, whatever the leaf is.
        if (accepted != c.proof.empty()) report("a one-leaf tree judged other than by its leaf", c);
        return;
    }
    if (c.size > tree.size() || tree.is_root_of_other_size(c.size, c.root)) return;
    const bool is_true =
        c.index < c.size && tree.leaf(c.index) == c.leaf && tree.root(c.size) == c.root;
    bool genuine = false;
    if (is_true) {
        Result<std::vector<Hash>> proof =
            merkle::inclusion_proof(c.index, c.size, tree.lookup(c.size));
        check(proof.is_ok(), "inclusion_proof failed on a complete tree");
        genuine = *proof == c.proof;
    }
    if (accepted && !is_true) report("a falsified inclusion proof was accepted", c);
    if (accepted && !genuine) report("a non-genuine inclusion proof was accepted", c);
    if (!accepted && genuine) report("a genuine inclusion proof was rejected", c);
}

void fuzz_inclusion(FuzzedDataProvider& in, const Tree& tree) {
    const auto size = in.ConsumeIntegralInRange<std::uint64_t>(1, tree.size());
    const auto index = in.ConsumeIntegralInRange<std::uint64_t>(0, size - 1);
    Result<std::vector<Hash>> proof = merkle::inclusion_proof(index, size, tree.lookup(size));
    check(proof.is_ok(), "inclusion_proof failed on a complete tree");
    InclusionClaim c{index, size, tree.leaf(index), tree.root(size), std::move(proof).value()};
    judge(tree, c);
    const int rounds = in.ConsumeIntegralInRange<int>(1, kMaxMutations);
    for (int r = 0; r < rounds; ++r) mutate(in, tree, c);
    judge(tree, c);
}

struct ConsistencyClaim {
    std::uint64_t m;
    std::uint64_t n;
    Hash root_m;
    Hash root_n;
    std::vector<Hash> proof;
};

void mutate(FuzzedDataProvider& in, const Tree& tree, ConsistencyClaim& c) {
    const int op = in.ConsumeIntegralInRange<int>(0, kProofOps + 4);
    if (mutate_proof(in, tree, op, c.proof)) return;
    switch (op - kProofOps) {
        case 0: flip_bit(in, c.root_m); break;
        case 1: flip_bit(in, c.root_n); break;
        case 2: resize_claim(in, tree, c.m, c.root_m); break;
        case 3: resize_claim(in, tree, c.n, c.root_n); break;
        case 4:
            std::swap(c.m, c.n);
            std::swap(c.root_m, c.root_n);
            break;
    }
}

void report(const char* what, const ConsistencyClaim& c) {
    std::fprintf(stderr, "consistency claim: m %llu, n %llu, root_m %s, root_n %s, %zu hashes\n",
                 static_cast<unsigned long long>(c.m), static_cast<unsigned long long>(c.n),
                 merkle::to_hex(c.root_m).c_str(), merkle::to_hex(c.root_n).c_str(),
                 c.proof.size());
    fail(what);
}

void judge(const Tree& tree, const ConsistencyClaim& c) {
    const bool accepted = merkle::verify_consistency(c.m, c.n, c.root_m, c.root_n, c.proof);
    if (c.m != 0 && c.m == c.n && c.root_m == c.root_n) {
        // A head is consistent with itself whatever its root, and the empty proof is the proof.
        if (accepted != c.proof.empty()) {
            report("a tree head judged other than by its proof being empty", c);
        }
        return;
    }
    if (c.n > tree.size() || c.m > tree.size()) return;
    if (tree.is_root_of_other_size(c.m, c.root_m) || tree.is_root_of_other_size(c.n, c.root_n)) {
        return;
    }
    const bool is_true =
        c.m != 0 && c.m <= c.n && tree.root(c.m) == c.root_m && tree.root(c.n) == c.root_n;
    bool genuine = false;
    if (is_true) {
        Result<std::vector<Hash>> proof = merkle::consistency_proof(c.m, c.n, tree.lookup(c.n));
        check(proof.is_ok(), "consistency_proof failed on a complete tree");
        genuine = *proof == c.proof;
    }
    if (accepted && !is_true) report("a falsified consistency proof was accepted", c);
    if (accepted && !genuine) report("a non-genuine consistency proof was accepted", c);
    if (!accepted && genuine) report("a genuine consistency proof was rejected", c);
}

void fuzz_consistency(FuzzedDataProvider& in, const Tree& tree) {
    const auto n = in.ConsumeIntegralInRange<std::uint64_t>(1, tree.size());
    const auto m = in.ConsumeIntegralInRange<std::uint64_t>(1, n);
    Result<std::vector<Hash>> proof = merkle::consistency_proof(m, n, tree.lookup(n));
    check(proof.is_ok(), "consistency_proof failed on a complete tree");
    ConsistencyClaim c{m, n, tree.root(m), tree.root(n), std::move(proof).value()};
    judge(tree, c);
    const int rounds = in.ConsumeIntegralInRange<int>(1, kMaxMutations);
    for (int r = 0; r < rounds; ++r) mutate(in, tree, c);
    judge(tree, c);
}

void fuzz_tree(FuzzedDataProvider& in) {
    const Tree tree(consume_entries(in));
    // The stored nodes and the frontier must agree on every head the proofs are checked against.
    const auto s = in.ConsumeIntegralInRange<std::uint64_t>(0, tree.size());
    Result<Hash> root = merkle::root_at(s, tree.lookup(s));
    check(root.is_ok() && *root == tree.root(s), "root_at disagrees with the frontier");
    Result<merkle::Frontier> restored = merkle::Frontier::restore(s, tree.lookup(s));
    check(restored.is_ok() && restored->size() == s && restored->root() == tree.root(s),
          "a restored frontier disagrees with the original");

    fuzz_inclusion(in, tree);
    fuzz_consistency(in, tree);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    if (in.ConsumeBool()) {
        fuzz_tree(in);
    } else {
        fuzz_raw(in);
    }
    return 0;
}
