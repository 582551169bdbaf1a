#include "projections/internal/audit_index.hpp"

#include <algorithm>
#include <utility>

#include "base/big_endian.hpp"
#include "eventstore/store_records.hpp"
#include "projections/internal/row_codec.hpp"
#include "projections/read_models.hpp"

namespace auditorium::projections::internal {

namespace {

using eventstore::Entry;
using eventstore::Position;

constexpr int kBucketShift = 10;  // lists of up to 1024 positions (8 KiB)

std::string type_bucket(std::string_view type, Position p) {
    return 't' + std::string(type) + '\0' + be64(p >> kBucketShift);
}
std::string actor_key(const Id& actor, Position p) { return key('a', actor, be64(p)); }
std::string subject_key(const Id& subject, Position p) {
    return std::string(subject.view()) + be64(p);
}

std::string encode_record(const AuditRecord& r) {
    std::string out = be64(r.position) + be64(static_cast<std::uint64_t>(r.time_us));
    out.append(r.actor.view());
    out.append(be64(r.subjects.size()));
    for (const auto& s : r.subjects) out.append(s.view());
    out.push_back(static_cast<char>(r.type.size()));
    out.append(r.type);
    return out;
}

// Removes `position` from a list of positions; the row goes when the list is empty.
Status remove_from(ModelStore::Batch& batch, Model model, const std::string& bucket,
                   Position position) {
    AUD_ASSIGN_OR_RETURN(auto row, batch.get(model, bucket));
    if (!row) return Status::ok();
    std::string kept;
    const std::string_view list = row->clear;
    for (std::size_t at = 0; at + 8 <= list.size(); at += 8) {
        if (get_be64(list.substr(at)) != position) kept.append(list.substr(at, 8));
    }
    if (kept.empty()) {
        batch.remove(model, bucket);
    } else {
        batch.put(model, bucket, kept);
    }
    return Status::ok();
}

using Bucket = std::pair<std::string, std::vector<AuditRecord>>;

// The time buckets of the seconds before `cutoff_us`, with their records.
Result<std::vector<Bucket>> buckets_before(ModelStore::Batch& batch, std::int64_t cutoff_us) {
    std::vector<Bucket> buckets;
    Status bad = Status::ok();
    AUD_RETURN_IF_ERROR(batch.scan(kAudit, "h", [&](std::string_view k, const Row& row) {
        if (k.size() != 9) {
            bad = corruption("a malformed audit time bucket key");
            return false;
        }
        if (static_cast<std::int64_t>(get_be64(k.substr(1))) * kSecond >= cutoff_us) return false;
        auto records = decode_records(row.clear);
        if (!records) {
            bad = records.status();
            return false;
        }
        buckets.emplace_back(std::string(k), std::move(records).value());
        return true;
    }));
    AUD_RETURN_IF_ERROR(bad);
    return buckets;
}

}  // namespace

std::string time_bucket(std::int64_t time_us) {
    return 'h' + be64(static_cast<std::uint64_t>(time_us / kSecond));
}
std::string type_prefix(std::string_view type) { return 't' + std::string(type) + '\0'; }
std::string actor_prefix(const Id& actor) { return key('a', actor); }

Result<std::vector<AuditRecord>> decode_records(std::string_view list) {
    constexpr std::size_t kFixed = 8 + 8 + 16 + 8;  // position, time, actor, subject count
    std::vector<AuditRecord> out;
    while (!list.empty()) {
        if (list.size() < kFixed + 1) return corruption("a malformed audit record");
        AuditRecord r;
        r.position = get_be64(list);
        r.time_us = static_cast<std::int64_t>(get_be64(list.substr(8)));
        r.actor = *Id::from_bytes(list.substr(16, 16));
        const std::uint64_t n = get_be64(list.substr(32));
        if (n > (list.size() - kFixed - 1) / 16) return corruption("a malformed audit record");
        for (std::size_t i = 0; i < n; ++i)
            r.subjects.push_back(*Id::from_bytes(list.substr(kFixed + 16 * i, 16)));
        const std::size_t type_at = kFixed + 16 * n;
        const std::size_t t = static_cast<unsigned char>(list[type_at]);
        if (list.size() < type_at + 1 + t) return corruption("a malformed audit record");
        r.type = std::string(list.substr(type_at + 1, t));
        list.remove_prefix(type_at + 1 + t);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<Position> decode_positions(std::string_view list) {
    std::vector<Position> out;
    for (std::size_t at = 0; at + 8 <= list.size(); at += 8)
        out.push_back(get_be64(list.substr(at)));
    return out;
}

Status index_entry(const Entry& entry, ModelStore::Batch& batch) {
    std::vector<Id> subjects;
    for (const auto& s : entry.sections) {
        if (!s.subject.is_none() &&
            std::find(subjects.begin(), subjects.end(), s.subject) == subjects.end()) {
            subjects.push_back(s.subject);
        }
    }
    const AuditRecord record{entry.position, entry.recorded_at_us, entry.actor, subjects,
                             entry.type};
    AUD_RETURN_IF_ERROR(
        batch.append(kAudit, time_bucket(entry.recorded_at_us), encode_record(record)));
    AUD_RETURN_IF_ERROR(
        batch.append(kAudit, type_bucket(entry.type, entry.position), be64(entry.position)));
    if (!entry.actor.is_none()) batch.put(kAudit, actor_key(entry.actor, entry.position), "");
    for (const auto& s : subjects) batch.put(kSubjects, subject_key(s, entry.position), "");
    return Status::ok();
}

Status unindex_purged(eventstore::Log& ledger, const Entry& purge_entry, ModelStore::Batch& batch) {
    AUD_ASSIGN_OR_RETURN(auto purge, eventstore::store_records::decode_purge(purge_entry.clear));
    AUD_ASSIGN_OR_RETURN(auto buckets, buckets_before(batch, purge.cutoff_us));
    for (auto& [bucket, records] : buckets) {
        std::string kept;
        for (const auto& r : records) {
            AUD_ASSIGN_OR_RETURN(auto read, ledger.read_all(r.position, 1));
            if (read.empty() || !read[0].purged) {
                kept += encode_record(r);
                continue;
            }
            AUD_RETURN_IF_ERROR(
                remove_from(batch, kAudit, type_bucket(r.type, r.position), r.position));
            if (!r.actor.is_none()) batch.remove(kAudit, actor_key(r.actor, r.position));
            for (const auto& s : r.subjects) batch.remove(kSubjects, subject_key(s, r.position));
        }
        if (kept.empty()) {
            batch.remove(kAudit, bucket);
        } else {
            batch.put(kAudit, bucket, kept);
        }
    }
    return Status::ok();
}

}  // namespace auditorium::projections::internal
