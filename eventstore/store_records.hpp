// The store's own ledgered records that other modules read (docs/ledger-format.md): the purge
// record, whose cutoff the read models follow, and the erasure record's type. A projection folds
// these from the log; it must decode them here, never by searching the JSON text.
// The settings and signing-key records stay in internal/store_records.hpp.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore::store_records {

inline constexpr std::string_view kPurgesStream = "store-purges";
inline constexpr std::string_view kPurgedType = "store.purged";
// A subject's erasure: its entry's subject is the one erased (its keys are shredded).
inline constexpr std::string_view kErasureType = "store.subject_erased";

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
// Corruption naming the field when `clear` is not such a record (a missing or non-integer cutoff
// included).
Result<Purge> decode_purge(std::string_view clear);

}  // namespace auditorium::eventstore::store_records
