// The RocksDB layout of the ledger and of the key vault, in one place. docs/ledger-format.md is
// the prose twin of this header: change both together.
//
// Ledger (data directory), one column family per index. An append writes one `ledger` key and one
// `event_ids` key per event, and one `streams` key and one or a few `tree` keys per append (the
// keys written decide the throughput), all in the same write batch:
//   ledger     BE64(position)                       -> entry bytes (flatbuffers, schema/entry.fbs)
//   streams    stream || 0x00 || BE64(first version) -> BE64(first position) || BE64(count): a run
//                                                      of versions an append gave the stream, at
//                                                      consecutive positions
//   event_ids  event id (16)                        -> BE64(position) || BE64(version) || stream
//   tree       BE64(first position)                 -> a piece: for each leaf from the first
//                                                      position on, the 32-byte hashes of the
//                                                      perfect subtrees it completes, level 0 (the
//                                                      leaf hash) first; a piece holds the leaves
//                                                      of one commit within one 256-leaf block
//   tree_upper BE64(position), position a multiple of 256 -> the hashes of levels 8 and up that
//                                                      leaf completes (also in its piece): nodes
//                                                      of large subtrees under a key a proof can
//                                                      compute, so it reads them by point lookups
//   erasures   subject (16)                         -> BE64(position of the erasure record)
//   meta       name                                 -> value (see kMeta*)
//   tree_heads BE64(size) || BE64(time_us)          -> signed tree head (tree_head.hpp): beside
//                                                      the entries, never one of them
// Vault (keys directory, "vault"), default column family:
//   'k' || subject (16) || key class (1) || BE32(key id) -> wrapped key (see vault.hpp)
//   'p' || subject (16)                                  -> "" (an erasure whose shredding is due)
//   'm' || name                                          -> vault metadata
//   'x' || name                                          -> a wrapped secret (the signing seeds)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/big_endian.hpp"
#include "base/id.hpp"

namespace auditorium::eventstore::layout {

inline constexpr std::string_view kLedgerCf = "ledger";
inline constexpr std::string_view kStreamsCf = "streams";
inline constexpr std::string_view kEventIdsCf = "event_ids";
inline constexpr std::string_view kTreeCf = "tree";
inline constexpr std::string_view kErasuresCf = "erasures";
inline constexpr std::string_view kTreeUpperCf = "tree_upper";
inline constexpr std::string_view kMetaCf = "meta";
inline constexpr std::string_view kTreeHeadsCf = "tree_heads";
inline constexpr std::string_view kHoldsCf = "holds";  // subject -> BE64(position)
inline constexpr std::string_view kDeferredErasuresCf =
    "deferred_erasures";                                            // subject -> BE64(position)
inline constexpr std::string_view kMetaRetention = "retention_us";  // decimal microseconds

// A purged entry's value in `ledger`: the marker and its position; its leaf hash stays in `tree`.
inline constexpr std::string_view kPurgedMarker{"AUDPURGED\0", 10};
inline bool is_purged_value(std::string_view v) {
    return v.size() == kPurgedMarker.size() + 8 &&
           v.substr(0, kPurgedMarker.size()) == kPurgedMarker;
}
inline std::string purged_value(std::uint64_t position) {
    std::string v(kPurgedMarker);
    put_be64(v, position);
    return v;
}

inline constexpr std::string_view kMetaFormat = "format";     // "1"
inline constexpr std::string_view kMetaStoreId = "store_id";  // 16 bytes
inline constexpr std::string_view kMetaDev = "dev";           // "0" or "1"
inline constexpr std::string_view kMetaCreatedAt = "created_at_us";
// "1" once the ledger has a head witness in its keys directory: from then on a missing witness
// is reported instead of made anew (head_witness.hpp).
inline constexpr std::string_view kMetaWitness = "head_witness";
inline constexpr std::string_view kLedgerFormat = "1";
// "signing_key:" || 16 hex digits -> Ed25519 public key (32) || active (1) || BE64(created_at_us)
inline constexpr std::string_view kMetaSigningKeyPrefix = "signing_key:";

inline constexpr std::string_view kVaultDir = "vault";
inline constexpr std::string_view kMasterKeyFile = "master.key";
inline constexpr std::string_view kHeadWitnessFile = "head.witness";
inline constexpr char kVaultKeyTag = 'k';
inline constexpr char kVaultPendingShredTag = 'p';
inline constexpr char kVaultMetaTag = 'm';
inline constexpr char kVaultSecretTag = 'x';

inline std::string position_key(std::uint64_t position) { return be64(position); }
inline std::string stream_prefix(std::string_view stream) {
    std::string k(stream);
    k.push_back('\0');
    return k;
}
inline std::string stream_key(std::string_view stream, std::uint64_t version) {
    std::string k = stream_prefix(stream);
    put_be64(k, version);
    return k;
}
inline std::string stream_run_value(std::uint64_t first_position, std::uint64_t count) {
    std::string v;
    put_be64(v, first_position);
    put_be64(v, count);
    return v;
}

// Tree pieces. Leaf (position) p owns completed_levels(p - 1) hashes (merkle.hpp); the leaves
// before position p own tree_slots_before(p) = 2(p-1) - popcount(p-1) hashes in all, so a leaf's
// hashes sit at a computable offset in the piece that holds it.
inline constexpr std::uint64_t kTreePieceLeaves = 256;
inline std::uint64_t tree_slots_before(std::uint64_t position) {
    const std::uint64_t n = position - 1;
    return 2 * n - static_cast<std::uint64_t>(__builtin_popcountll(n));
}
inline bool starts_tree_piece(std::uint64_t position) {
    return (position - 1) % kTreePieceLeaves == 0;
}
// Levels from here up are also kept in `tree_upper`: a node of level >= 8 is completed by a leaf
// whose position is a multiple of 256 (2^8), and its slot there is level - 8.
inline constexpr unsigned kTreeUpperLevel = 8;
static_assert(kTreePieceLeaves == (std::uint64_t{1} << kTreeUpperLevel));

inline std::string event_id_value(std::uint64_t position, std::uint64_t version,
                                  std::string_view stream) {
    std::string v;
    put_be64(v, position);
    put_be64(v, version);
    v.append(stream);
    return v;
}
inline std::string vault_key_prefix(const Id& subject) {
    std::string k(1, kVaultKeyTag);
    k.append(subject.view());
    return k;
}
inline std::string vault_key(const Id& subject, std::uint8_t key_class, std::uint32_t key_id) {
    std::string k = vault_key_prefix(subject);
    k.push_back(static_cast<char>(key_class));
    put_be32(k, key_id);
    return k;
}
inline std::string vault_pending_shred_key(const Id& subject) {
    std::string k(1, kVaultPendingShredTag);
    k.append(subject.view());
    return k;
}
inline std::string vault_secret_key(std::string_view name) {
    std::string k(1, kVaultSecretTag);
    k.append(name);
    return k;
}
inline std::string vault_meta_key(std::string_view name) {
    std::string k(1, kVaultMetaTag);
    k.append(name);
    return k;
}

}  // namespace auditorium::eventstore::layout
