// The audit and subject indexes of the read models (read_models.hpp: `audit`, `subjects`): their
// layout, and how an entry goes into them and a purge takes entries out again. fold.cpp writes
// them; the audit queries (audit_queries.cpp) read them. Functions only; each call works on the
// batch it is given, on the fold's one thread.
//
//   audit    'h' BE64(second)                        -> records of the entries of that second
//            't' type 0x00 BE64(position >> 10)        -> BE64 positions of that type
//            'a' actor(16) BE64(position)              -> (empty) an entry by that actor
//   subjects subject(16) BE64(position)                -> (empty) an entry holding their data
// Times and types are posting lists (a batch of a thousand entries touches a few rows, not a
// thousand); actors and subjects are a key per entry, because most of them (registrants) appear
// once or twice: a list would cost a lookup that misses for every new person, a key costs none.
// A record: BE64 position, BE64 time, actor(16), BE64 count, subjects(16 each), type length, type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "eventstore/log.hpp"
#include "projections/model_store.hpp"

namespace auditorium::projections::internal {

inline constexpr std::int64_t kSecond = 1'000'000;

struct AuditRecord {
    eventstore::Position position = 0;
    std::int64_t time_us = 0;
    Id actor;
    std::vector<Id> subjects;
    std::string type;
};

// The key of the time bucket `time_us` falls in ('h' BE64(second)).
std::string time_bucket(std::int64_t time_us);
// The key prefix of the posting lists of `type`.
std::string type_prefix(std::string_view type);
// The key prefix of the entries by `actor`.
std::string actor_prefix(const Id& actor);

// Corruption when a record is cut short.
Result<std::vector<AuditRecord>> decode_records(std::string_view list);
// The positions of a posting list (a trailing part shorter than 8 bytes is ignored).
std::vector<eventstore::Position> decode_positions(std::string_view list);

// Adds `entry` to the audit index (by time, type and actor) and to the subject index.
Status index_entry(const eventstore::Entry& entry, ModelStore::Batch& batch);

// After the purge record `purge`: removes the index rows of the entries it purged (before its
// cutoff, held ones excepted), as a rebuild would never have made them. Reads `ledger` to learn
// which entries were purged.
Status unindex_purged(eventstore::Log& ledger, const eventstore::Entry& purge,
                      ModelStore::Batch& batch);

}  // namespace auditorium::projections::internal
