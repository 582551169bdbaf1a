// The ledger's Merkle tree: RFC 9162 section 2.1 hashing, tree heads, inclusion and consistency
// proofs, and the in-memory right edge the append path extends.
//
// Storage model. The store keeps only the roots of perfect subtrees. Node (level L, index j) is
// the root of the perfect subtree over leaves [j*2^L, (j+1)*2^L); it becomes final when its last
// leaf, (j+1)*2^L - 1, is appended, so the store keeps it under that leaf in slot L. Leaf i
// completes the perfect subtrees at levels 0..t, t being the number of trailing one-bits of i, so
// leaf i owns completed_levels(i) = t+1 slots; slot 0 is the leaf hash itself. Every other node of
// any tree head (the non-perfect subtrees along the right edge) is recomputed on demand from the
// perfect nodes that tile it, which costs O(log n) lookups. Nothing stored ever changes once
// written.
//
// Hashes are SHA-256 (RFC 9162 2.1.1): leaf = H(0x00 || entry), node = H(0x01 || left || right),
// empty tree = H(""). Proofs are listed leaf-side first, exactly as RFC 9162 2.1.3.1 and 2.1.4.1
// define them, so any RFC 9162 (or RFC 6962) verifier accepts them.
//
// Thread safety: the free functions are safe to call from any thread (hashing uses a per-thread
// digest context); those taking a NodeLookup are as safe as the lookup they are given. A Frontier
// is not thread-safe: it belongs to the single writer of the append path.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/status.hpp"

namespace auditorium::eventstore::merkle {

using Hash = std::array<std::uint8_t, 32>;

// OK when OpenSSL provides SHA-256, else Unavailable. Store::open and verify_export call it
// first, so the hashing below may treat a failure as a broken invariant (logged, then abort).
Status check_sha256();

Hash leaf_hash(std::string_view entry_bytes);         // SHA-256(0x00 || entry_bytes)
Hash node_hash(const Hash& left, const Hash& right);  // SHA-256(0x01 || left || right)
Hash empty_root();                                    // SHA-256(""): the root of the empty tree

// The 32 raw bytes, as stored in RocksDB and signed tree heads.
std::string to_string(const Hash& hash);
// The inverse of to_string: Corruption unless `bytes` is exactly 32 bytes (a stored node or root
// of any other length means the stored bytes are damaged).
Result<Hash> from_string(std::string_view bytes);
// 64 lowercase hex digits, for logs and JSON.
std::string to_hex(const Hash& hash);

// Where the store keeps node (level, index): under leaf `leaf_index`, in slot `slot` (== level).
struct NodeLocation {
    std::uint64_t leaf_index;
    unsigned slot;
};
// REQUIRES: level < 64 and the node's last leaf, (index + 1) * 2^level - 1, fits in 64 bits.
NodeLocation locate(unsigned level, std::uint64_t index);
// How many node hashes leaf `leaf_index` (0-based) completes, so how many slots it owns:
// the number of trailing one-bits of leaf_index, plus one: 1..64 for every leaf a tree can hold
// (indexes below 2^64 - 1).
unsigned completed_levels(std::uint64_t leaf_index);

// Looks up perfect-subtree node (level, index). The store implements it over RocksDB; tests over
// memory. The functions below only ask for nodes that lie wholly inside the tree size they were
// given, so a lookup that fails (NotFound, DataLoss, Unavailable, ...) means the store is missing
// something it should have; its Status is passed through unchanged, with context added.
using NodeLookup = std::function<Result<Hash>(unsigned level, std::uint64_t index)>;

// The right edge of the tree: the roots of the perfect subtrees whose concatenation is the whole
// tree, one per set bit of size(), largest first. O(log n) hashes, kept in memory by the single
// writer so that an append costs amortized one node hash and no lookups.
//
// Thread safety: none; one writer owns it. Copyable, so the writer can stage a batch on a copy
// and keep the original if the batch fails to commit.
class Frontier {
public:
    Frontier() = default;  // the empty tree

    // Appends leaf hash `leaf` (from leaf_hash). Replaces the contents of `completed` with the
    // hashes of the perfect subtrees this leaf completes, level 0 (the leaf itself) first:
    // completed.size() == completed_levels(size() before the push). The store writes them under
    // the new leaf, slots 0.. in order. `completed` is an out-parameter so the caller can reuse
    // its allocation across appends.
    // REQUIRES: size() < 2^64 - 1.
    void push(const Hash& leaf, std::vector<Hash>& completed);

    std::uint64_t size() const { return size_; }
    // RFC 9162 MTH of all leaves pushed so far; empty_root() for size 0. O(log n) node hashes.
    Hash root() const;

    // Rebuilds the frontier of the tree of `size` leaves from stored nodes: one lookup per set bit
    // of `size`. A failed lookup is returned with context; nothing is half-built.
    static Result<Frontier> restore(std::uint64_t size, const NodeLookup& lookup);

private:
    // Invariant: edge_[k] is the root of the k-th perfect subtree of the binary decomposition of
    // size_, largest first; edge_.size() == popcount(size_).
    std::vector<Hash> edge_;
    std::uint64_t size_ = 0;
};

// The RFC 9162 MTH of the first `tree_size` leaves (a historical tree head): popcount(tree_size)
// lookups. empty_root() for size 0, without lookups.
Result<Hash> root_at(std::uint64_t tree_size, const NodeLookup& lookup);

// RFC 9162 2.1.3.1 inclusion proof (audit path) of leaf `leaf_index` (0-based) in the tree of the
// first `tree_size` leaves. At most 2*log2(tree_size) lookups.
// InvalidArgument unless leaf_index < tree_size.
Result<std::vector<Hash>> inclusion_proof(std::uint64_t leaf_index, std::uint64_t tree_size,
                                          const NodeLookup& lookup);

// RFC 9162 2.1.4.1 consistency proof between the trees of the first m and the first n leaves.
// m == n gives the empty proof. At most 2*log2(n) + 1 lookups.
// InvalidArgument unless 0 < m <= n.
Result<std::vector<Hash>> consistency_proof(std::uint64_t m, std::uint64_t n,
                                            const NodeLookup& lookup);

// RFC 9162 2.1.3.2: true iff `proof` proves that `leaf` (a leaf hash) is leaf `leaf_index` of the
// tree of `tree_size` leaves whose root is `root`. Any malformed input (leaf_index >= tree_size,
// a proof of the wrong length, ...) yields false. Work is bounded by 64 steps whatever the
// proof's length.
bool verify_inclusion(std::uint64_t leaf_index, std::uint64_t tree_size, const Hash& leaf,
                      const std::vector<Hash>& proof, const Hash& root);

// RFC 9162 2.1.4.2: true iff `proof` proves that the tree of m leaves with root `root_m` is a
// prefix of the tree of n leaves with root `root_n`. m == n verifies iff the proof is empty and
// the roots are equal. Any malformed input (m == 0, m > n, a proof of the wrong length, ...)
// yields false; in particular the empty tree is not accepted as a prefix here, since a client that
// holds no tree head has nothing to check. Work is bounded by 64 steps whatever the proof's length.
bool verify_consistency(std::uint64_t m, std::uint64_t n, const Hash& root_m, const Hash& root_n,
                        const std::vector<Hash>& proof);

}  // namespace auditorium::eventstore::merkle
