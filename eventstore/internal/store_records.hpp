// The store's own ledgered records that verify checks the mutable rows against (types "store.*",
// docs/ledger-format.md, "What verify checks, and what it cannot"): their streams, types and the
// JSON of their clear parts, as typed structs. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "eventstore/tree_head.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore::internal::store_records {

inline constexpr std::string_view kSettingsStream = "store-settings";
inline constexpr std::string_view kSettingsType = "store.settings";
inline constexpr std::string_view kPurgesStream = "store-purges";
inline constexpr std::string_view kPurgedType = "store.purged";
inline constexpr std::string_view kKeysStream = "store-keys";
inline constexpr std::string_view kSigningKeyRotatedType = "store.signing_key_rotated";
inline constexpr std::string_view kErasureType = "store.subject_erased";
inline constexpr std::string_view kHoldSetType = "store.legal_hold_set";
inline constexpr std::string_view kHoldReleasedType = "store.legal_hold_released";
inline constexpr std::string_view kErasureDeferredType = "store.erasure_deferred";

// The stream of a subject's legal hold records ("hold-" + subject hex).
std::string hold_stream(const Id& subject);

// A signing key as a ledgered record announces it: every `signing_key:` row of `meta` must be one.
struct AnnouncedKey {
    SigningKeyId id{};
    std::string public_key;  // 32 bytes, Ed25519
};

// store.settings: what the mutable `meta` rows must say. Written when the store is created, or at
// the first read-write open of a store made before settings were ledgered (`reason` says which);
// it then lists every signing key meta held, as the keys trusted from then on.
struct Settings {
    std::int64_t retention_us = 0;
    bool dev = false;
    std::vector<AnnouncedKey> signing_keys;
    std::string reason;  // "created" or "first_open"
};
std::string encode_settings(const Settings& s);
// Corruption naming the field when `clear` is not such a record.
Result<Settings> decode_settings(std::string_view clear);

// The new key of a store.signing_key_rotated record.
Result<AnnouncedKey> decode_signing_key_rotated(std::string_view clear);

// A run of consecutive positions one purge replaced by purge markers; every entry in it was
// recorded at or before `last_recorded_at_us` (times never decrease along positions).
struct PurgedRange {
    Position first = 0;
    Position last = 0;
    std::int64_t last_recorded_at_us = 0;
};

// store.purged. `has_ranges` is false for a record written before purges listed their ranges.
struct Purge {
    std::int64_t cutoff_us = 0;
    std::uint64_t entries_purged = 0;
    std::uint64_t snapshots_appended = 0;
    std::uint64_t entries_held = 0;
    std::uint64_t retention_keys_destroyed = 0;
    bool has_ranges = true;
    std::vector<PurgedRange> ranges;  // ascending, disjoint
};
std::string encode_purge(const Purge& p);
Result<Purge> decode_purge(std::string_view clear);

}  // namespace auditorium::eventstore::internal::store_records
