#include "eventstore/internal/merkle.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <memory>

#include "base/id.hpp"

namespace auditorium::eventstore::merkle {
namespace {

constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;

[[noreturn]] void broken_invariant(const char* what) {
    spdlog::critical("merkle: {}; aborting", what);
    std::abort();
}

// Fetched once: EVP_MD_fetch per call would cost a provider lookup on every hash. Never freed,
// because per-thread contexts of threads still running at exit may refer to it. Null when
// OpenSSL has no SHA-256, which check_sha256() reports at start-up.
const EVP_MD* sha256_md() {
    static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

struct DigestCtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// One context per thread, reused: allocating a context per hash would dominate the cost of
// hashing 65 bytes, and sharing one across threads would need a lock.
EVP_MD_CTX* thread_digest_ctx() {
    thread_local const std::unique_ptr<EVP_MD_CTX, DigestCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx) broken_invariant("no memory for a SHA-256 context");
    return ctx.get();
}

// SHA-256 of the concatenation of `parts`. SHA-256 over memory cannot fail short of a broken
// OpenSSL installation, which check_sha256() refuses at start-up, so a failure is a broken
// invariant and aborts.
Hash sha256(std::initializer_list<std::string_view> parts) {
    EVP_MD_CTX* ctx = thread_digest_ctx();
    const EVP_MD* md = sha256_md();
    if (md == nullptr) broken_invariant("OpenSSL provides no SHA-256");
    bool ok = EVP_DigestInit_ex(ctx, md, nullptr) == 1;
    for (std::string_view part : parts) {
        ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
    }
    Hash out;
    unsigned int len = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &len) == 1 && len == out.size();
    if (!ok) broken_invariant("OpenSSL SHA-256 failed");
    return out;
}

std::string_view bytes_of(const Hash& hash) {
    return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

// The MTH of a tree whose perfect-subtree decomposition, largest first, is `parts` (non-empty).
// RFC 9162 splits n leaves at the largest power of two below n, which for a non-perfect tree is
// its largest perfect part; so the MTH is the first part hashed with the MTH of the rest, and
// folding from the right reproduces it.
Hash fold_right(const std::vector<Hash>& parts) {
    assert(!parts.empty());
    Hash acc = parts.back();
    for (auto it = parts.rbegin() + 1; it != parts.rend(); ++it) acc = node_hash(*it, acc);
    return acc;
}

Result<Hash> fetch(const NodeLookup& lookup, unsigned level, std::uint64_t index) {
    Result<Hash> node = lookup(level, index);
    if (!node.is_ok()) {
        return node.status().with_context("Merkle node level " + std::to_string(level) + " index " +
                                          std::to_string(index));
    }
    return node;
}

// The perfect nodes that tile leaves [begin, begin + count), largest first: one per set bit of
// count. REQUIRES: count > 0, and begin is a multiple of bit_floor(count), which holds for every
// subtree of an RFC 9162 tree (so each tile is aligned to its own width).
Result<std::vector<Hash>> tiles(std::uint64_t begin, std::uint64_t count,
                                const NodeLookup& lookup) {
    assert(count > 0 && begin % std::bit_floor(count) == 0);
    std::vector<Hash> parts;
    parts.reserve(static_cast<std::size_t>(std::popcount(count)));
    for (std::uint64_t rest = count; rest != 0;) {
        const auto level = static_cast<unsigned>(std::bit_width(rest) - 1);
        const std::uint64_t width = std::uint64_t{1} << level;
        AUD_ASSIGN_OR_RETURN(Hash part, fetch(lookup, level, begin >> level));
        parts.push_back(part);
        begin += width;
        rest -= width;
    }
    return parts;
}

// The MTH of leaves [begin, begin + count): popcount(count) lookups. REQUIRES as for tiles().
Result<Hash> range_root(std::uint64_t begin, std::uint64_t count, const NodeLookup& lookup) {
    AUD_ASSIGN_OR_RETURN(std::vector<Hash> parts, tiles(begin, count, lookup));
    return fold_right(parts);
}

// RFC 9162 2.1.1: the split point k of a subtree of n > 1 leaves, the largest power of two < n.
std::uint64_t split(std::uint64_t n) { return std::bit_floor(n - 1); }

bool is_power_of_two(std::uint64_t n) { return std::has_single_bit(n); }

// RFC 9162 2.1.3.2 and 2.1.4.2: "right-shift fn and sn equally until LSB(fn) is set or fn is 0".
void shift_while_even(std::uint64_t& fn, std::uint64_t& sn) {
    while (fn != 0 && (fn & 1) == 0) {
        fn >>= 1;
        sn >>= 1;
    }
}

}  // namespace

Status check_sha256() {
    if (sha256_md() == nullptr) return unavailable("OpenSSL provides no SHA-256");
    return Status::ok();
}

Hash leaf_hash(std::string_view entry_bytes) {
    const char prefix = static_cast<char>(kLeafPrefix);
    return sha256({std::string_view(&prefix, 1), entry_bytes});
}

Hash node_hash(const Hash& left, const Hash& right) {
    // One contiguous update: cheaper than three for a 65-byte message.
    char buf[1 + 2 * sizeof(Hash)];
    buf[0] = static_cast<char>(kNodePrefix);
    std::memcpy(buf + 1, left.data(), left.size());
    std::memcpy(buf + 1 + left.size(), right.data(), right.size());
    return sha256({std::string_view(buf, sizeof(buf))});
}

Hash empty_root() {
    static const Hash root = sha256({});
    return root;
}

std::string to_string(const Hash& hash) { return std::string(bytes_of(hash)); }

Result<Hash> from_string(std::string_view bytes) {
    Hash hash;
    if (bytes.size() != hash.size()) {
        return corruption("Merkle hash of " + std::to_string(bytes.size()) + " bytes, want 32");
    }
    std::memcpy(hash.data(), bytes.data(), hash.size());
    return hash;
}

std::string to_hex(const Hash& hash) { return auditorium::to_hex(bytes_of(hash)); }

NodeLocation locate(unsigned level, std::uint64_t index) {
    // REQUIRES: the node's last leaf, (index + 1) * 2^level - 1, is representable.
    assert(level < 64 && index <= (std::numeric_limits<std::uint64_t>::max() >> level));
    const std::uint64_t width = std::uint64_t{1} << level;
    return {(index << level) + (width - 1), level};
}

unsigned completed_levels(std::uint64_t leaf_index) {
    return static_cast<unsigned>(std::countr_one(leaf_index)) + 1;
}

void Frontier::push(const Hash& leaf, std::vector<Hash>& completed) {
    // REQUIRES: the tree is not full.
    assert(size_ != std::numeric_limits<std::uint64_t>::max());
    completed.clear();
    completed.push_back(leaf);
    // Each trailing one-bit of the old size is a perfect subtree as tall as the one the new leaf
    // has just completed; the two merge, and so on up.
    Hash subtree = leaf;
    for (std::uint64_t s = size_; (s & 1) != 0; s >>= 1) {
        subtree = node_hash(edge_.back(), subtree);
        edge_.pop_back();
        completed.push_back(subtree);
    }
    edge_.push_back(subtree);
    ++size_;
}

Hash Frontier::root() const { return edge_.empty() ? empty_root() : fold_right(edge_); }

Result<Frontier> Frontier::restore(std::uint64_t size, const NodeLookup& lookup) {
    Frontier frontier;
    if (size == 0) return frontier;
    Result<std::vector<Hash>> edge = tiles(0, size, lookup);
    if (!edge.is_ok()) {
        return edge.status().with_context("restoring the Merkle frontier at size " +
                                          std::to_string(size));
    }
    frontier.edge_ = std::move(edge).value();
    frontier.size_ = size;
    return frontier;
}

Result<Hash> root_at(std::uint64_t tree_size, const NodeLookup& lookup) {
    if (tree_size == 0) return empty_root();
    return range_root(0, tree_size, lookup);
}

Result<std::vector<Hash>> inclusion_proof(std::uint64_t leaf_index, std::uint64_t tree_size,
                                          const NodeLookup& lookup) {
    if (leaf_index >= tree_size) {
        return invalid_argument("inclusion proof of leaf " + std::to_string(leaf_index) +
                                " in a tree of size " + std::to_string(tree_size));
    }
    // Walk PATH(m, D[n]) from the root down, collecting siblings root side first. Only the first
    // right sibling can be a non-perfect subtree: once the walk turns left it is inside a
    // perfect subtree, where every sibling is one stored node.
    std::vector<Hash> proof;
    std::uint64_t begin = 0;
    std::uint64_t count = tree_size;
    while (count > 1) {
        const std::uint64_t k = split(count);
        if (leaf_index < begin + k) {
            AUD_ASSIGN_OR_RETURN(Hash right, range_root(begin + k, count - k, lookup));
            proof.push_back(right);
            count = k;
        } else {
            AUD_ASSIGN_OR_RETURN(Hash left, range_root(begin, k, lookup));
            proof.push_back(left);
            begin += k;
            count -= k;
        }
    }
    std::reverse(proof.begin(), proof.end());
    return proof;
}

Result<std::vector<Hash>> consistency_proof(std::uint64_t m, std::uint64_t n,
                                            const NodeLookup& lookup) {
    if (m == 0 || m > n) {
        return invalid_argument("consistency proof between sizes " + std::to_string(m) + " and " +
                                std::to_string(n));
    }
    // Walk SUBPROOF(m, D[n], true) from the root down, collecting siblings root side first.
    // Invariant: begin < m <= begin + count. `whole` is the RFC's b: the current subtree's root
    // is the old tree's root, which the verifier already holds.
    std::vector<Hash> proof;
    std::uint64_t begin = 0;
    std::uint64_t count = n;
    bool whole = true;
    while (m != begin + count) {
        const std::uint64_t k = split(count);
        if (m <= begin + k) {
            AUD_ASSIGN_OR_RETURN(Hash right, range_root(begin + k, count - k, lookup));
            proof.push_back(right);
            count = k;
        } else {
            AUD_ASSIGN_OR_RETURN(Hash left, range_root(begin, k, lookup));
            proof.push_back(left);
            begin += k;
            count -= k;
            whole = false;
        }
    }
    if (!whole) {
        AUD_ASSIGN_OR_RETURN(Hash old_subtree, range_root(begin, count, lookup));
        proof.push_back(old_subtree);
    }
    std::reverse(proof.begin(), proof.end());
    return proof;
}

bool verify_inclusion(std::uint64_t leaf_index, std::uint64_t tree_size, const Hash& leaf,
                      const std::vector<Hash>& proof, const Hash& root) {
    if (leaf_index >= tree_size) return false;
    std::uint64_t fn = leaf_index;
    std::uint64_t sn = tree_size - 1;
    Hash r = leaf;
    for (const Hash& p : proof) {
        // sn reaches 0 within 64 steps, which bounds the work for an overlong proof.
        if (sn == 0) return false;
        if ((fn & 1) != 0 || fn == sn) {
            r = node_hash(p, r);
            shift_while_even(fn, sn);
        } else {
            r = node_hash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r == root;
}

bool verify_consistency(std::uint64_t m, std::uint64_t n, const Hash& root_m, const Hash& root_n,
                        const std::vector<Hash>& proof) {
    if (m == 0 || m > n) return false;
    // RFC 9162 defines the proof for m == n as empty, but its verification steps reject an
    // empty path; a tree is consistent with itself exactly when the roots agree.
    if (m == n) return proof.empty() && root_m == root_n;
    if (proof.empty()) return false;  // step 1
    // Step 2 prepends root_m when m is a power of two; index into the path instead of copying.
    const std::size_t offset = is_power_of_two(m) ? 1 : 0;
    auto path = [&](std::size_t i) -> const Hash& {
        return i < offset ? root_m : proof[i - offset];
    };
    const std::size_t path_size = proof.size() + offset;

    std::uint64_t fn = m - 1;  // step 3
    std::uint64_t sn = n - 1;
    while ((fn & 1) != 0) {  // step 4
        fn >>= 1;
        sn >>= 1;
    }
    Hash fr = path(0);  // step 5
    Hash sr = path(0);
    for (std::size_t i = 1; i < path_size; ++i) {  // step 6
        const Hash& c = path(i);
        if (sn == 0) return false;  // also bounds the work for an overlong proof
        if ((fn & 1) != 0 || fn == sn) {
            fr = node_hash(c, fr);
            sr = node_hash(c, sr);
            shift_while_even(fn, sn);
        } else {
            sr = node_hash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return fr == root_m && sr == root_n && sn == 0;  // step 7
}

}  // namespace auditorium::eventstore::merkle
