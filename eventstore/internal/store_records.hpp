// The store's own ledgered records that verify checks the mutable rows against (types "store.*",
// docs/ledger-format.md, "What verify checks, and what it cannot"): their streams, types and the
// JSON of their clear parts, as typed structs. The records other modules read (the purge, the
// erasure type) are public in eventstore/store_records.hpp and are named here too, so the store's
// code says store_records:: for all of them. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "eventstore/store_records.hpp"
#include "eventstore/tree_head.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore::internal::store_records {

using eventstore::store_records::decode_purge;
using eventstore::store_records::encode_purge;
using eventstore::store_records::kErasureType;
using eventstore::store_records::kPurgedType;
using eventstore::store_records::kPurgesStream;
using eventstore::store_records::Purge;
using eventstore::store_records::PurgedRange;

inline constexpr std::string_view kSettingsStream = "store-settings";
inline constexpr std::string_view kSettingsType = "store.settings";
inline constexpr std::string_view kKeysStream = "store-keys";
inline constexpr std::string_view kSigningKeyRotatedType = "store.signing_key_rotated";
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

}  // namespace auditorium::eventstore::internal::store_records
