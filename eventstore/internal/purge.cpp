// purge_ledger and what it needs: retention, snapshots, legal holds, retention keys
// (contract in store.hpp).
#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <set>
#include <unordered_map>

#include "base/big_endian.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/months.hpp"
#include "eventstore/internal/rocks_status.hpp"
#include "eventstore/internal/store_jobs.hpp"
#include "eventstore/internal/store_records.hpp"
#include "eventstore/internal/vault.hpp"

namespace auditorium::eventstore::internal {
namespace {

constexpr int kSnapshotAttempts = 5;

class Purger {
public:
    explicit Purger(const PurgeParts& parts) : parts_(parts) {}

    Result<PurgeReport> run() {
        const std::int64_t now = parts_.config.now_us();
        report_.cutoff_us = now - parts_.config.retention.count();
        if (report_.cutoff_us <= 0) return report_;
        AUD_RETURN_IF_ERROR(find_candidates());
        for (auto& [stream, candidates] : candidates_) {
            AUD_RETURN_IF_ERROR(purge_stream(stream, candidates));
        }
        AUD_RETURN_IF_ERROR(destroy_retention_keys(now));
        if (!purged_.empty() || report_.retention_keys_destroyed > 0) {
            AUD_RETURN_IF_ERROR(record());
        }
        return report_;
    }

private:
    struct RetainedRef {
        Id subject;
        std::uint32_t month;
        bool operator<(const RetainedRef& o) const {
            return subject != o.subject ? subject < o.subject : month < o.month;
        }
    };
    struct Candidate {
        Position position;
        std::int64_t recorded_at_us;
        std::vector<RetainedRef> retained;
    };

    Result<bool> held(const Id& subject) {
        if (subject.is_none()) return false;
        if (auto it = held_.find(subject); it != held_.end()) return it->second;
        AUD_ASSIGN_OR_RETURN(bool h, parts_.subjects.is_held(subject));
        held_[subject] = h;
        return h;
    }

    // Pass 1: every live entry recorded before the cutoff, by stream; held ones are kept.
    Status find_candidates() {
        std::unique_ptr<rocksdb::Iterator> it(parts_.reader.db().db().NewIterator(
            rocksdb::ReadOptions(), parts_.reader.db().cf().ledger));
        const Position head = parts_.reader.head();
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
            const Position p = get_be64(it->key().ToStringView());
            if (p > head) break;
            const std::string_view bytes = it->value().ToStringView();
            if (layout::is_purged_value(bytes)) continue;
            auto d = decode_entry(bytes);
            if (!d) return d.status().with_context("position " + std::to_string(p));
            if (d->header.recorded_at_us >= report_.cutoff_us) break;  // times never decrease
            if (d->header.type.rfind("store.", 0) == 0) continue;      // the store's own records
            Candidate c{p, d->header.recorded_at_us, {}};
            bool is_held = false;
            AUD_ASSIGN_OR_RETURN(bool subject_held, held(d->header.subject));
            is_held = subject_held;
            for (const auto& s : d->sections) {
                AUD_ASSIGN_OR_RETURN(bool h, held(s.subject));
                is_held = is_held || h;
                if (s.key_class == KeyClass::kRetained) c.retained.push_back({s.subject, s.key_id});
            }
            if (is_held) {
                ++report_.entries_held;
                keep_keys(c);
                continue;
            }
            candidates_[d->header.stream].push_back(std::move(c));
        }
        return from_rocks(it->status(), "reading the ledger");
    }

    void keep_keys(const Candidate& c) {
        for (const auto& r : c.retained) kept_keys_.insert(r);
    }

    // Appends the stream's snapshot (retrying on a concurrent append), then marks its candidates
    // for the purge record, whose append drops their payloads in the same batch.
    Status purge_stream(const std::string& stream, const std::vector<Candidate>& candidates) {
        const std::string type(stream_type(stream));
        auto fn = parts_.config.snapshots.find(type);
        if (fn == parts_.config.snapshots.end()) {
            report_.no_snapshot_function[type] += candidates.size();
            for (const auto& c : candidates) keep_keys(c);
            return Status::ok();
        }
        for (int attempt = 1;; ++attempt) {
            AUD_ASSIGN_OR_RETURN(auto entries,
                                 parts_.reader.read_stream(stream, 1, Log::Direction::kForward,
                                                           SIZE_MAX, rocksdb::ReadOptions()));
            AUD_ASSIGN_OR_RETURN(auto snapshot, fn->second(stream, entries));
            if (!snapshot) break;
            if (snapshot->type.rfind("store.", 0) == 0) {
                return invalid_argument("the snapshot function of " + type +
                                        " made a store.* event");
            }
            const StreamVersion current = entries.empty() ? 0 : entries.back().version;
            auto appended = parts_.pipeline.append(stream, ExpectedVersion::exact(current),
                                                   {std::move(*snapshot)});
            if (appended) {
                ++report_.snapshots_appended;
                break;
            }
            if (!conflict_of(appended.status()) || attempt == kSnapshotAttempts) {
                return appended.status().with_context("appending the snapshot of " + stream);
            }
        }
        for (const auto& c : candidates) purged_.emplace_back(c.position, c.recorded_at_us);
        report_.entries_purged += candidates.size();
        return Status::ok();
    }

    // A retention key goes once its month has passed retention and no kept entry needs it.
    Status destroy_retention_keys(std::int64_t now) {
        AUD_ASSIGN_OR_RETURN(auto keys, parts_.vault.retained_keys());
        std::vector<Vault::RetainedKey> due;
        for (const auto& k : keys) {
            if (month_end_us(k.month) + parts_.config.retention.count() > now) continue;
            if (kept_keys_.count(RetainedRef{k.subject, k.month}) != 0) continue;
            due.push_back(k);
        }
        AUD_RETURN_IF_ERROR(parts_.vault.destroy_retained_keys(due));
        report_.retention_keys_destroyed = due.size();
        return Status::ok();
    }

    // The positions purged, as ranges of consecutive positions, each with the newest time recorded
    // in it: what verify checks every purge marker against once the entries' own times are gone.
    std::vector<store_records::PurgedRange> ranges() {
        std::sort(purged_.begin(), purged_.end());
        std::vector<store_records::PurgedRange> out;
        for (const auto& [p, at] : purged_) {
            if (!out.empty() && out.back().last + 1 == p) {
                out.back().last = p;
                out.back().last_recorded_at_us = std::max(out.back().last_recorded_at_us, at);
            } else {
                out.push_back({p, p, at});
            }
        }
        return out;
    }

    // The record and the purge markers go in one write batch: no marker without its record.
    Status record() {
        store_records::Purge summary{report_.cutoff_us,
                                     report_.entries_purged,
                                     report_.snapshots_appended,
                                     report_.entries_held,
                                     report_.retention_keys_destroyed,
                                     true,
                                     ranges()};
        using W = PreparedEntry::IndexWrite;
        std::vector<W> markers;
        markers.reserve(purged_.size());
        for (const auto& [p, at] : purged_) {
            markers.push_back(
                W{W::Family::kLedger, layout::position_key(p), false, layout::purged_value(p)});
        }
        NewEvent e;
        e.event_id = random_id();
        e.type = std::string(store_records::kPurgedType);
        e.clear = store_records::encode_purge(summary);
        AUD_ASSIGN_OR_RETURN(
            auto appended, parts_.pipeline.append_store_record(store_records::kPurgesStream,
                                                               ExpectedVersion::any(), std::move(e),
                                                               std::move(markers)));
        report_.record = appended.first_position;
        spdlog::info(
            "event store: purge: {} entries purged, {} snapshots, {} held, {} retention keys "
            "destroyed",
            report_.entries_purged, report_.snapshots_appended, report_.entries_held,
            report_.retention_keys_destroyed);
        return Status::ok();
    }

    const PurgeParts& parts_;
    PurgeReport report_;
    std::map<std::string, std::vector<Candidate>> candidates_;
    std::unordered_map<Id, bool> held_;
    std::set<RetainedRef> kept_keys_;
    std::vector<std::pair<Position, std::int64_t>>
        purged_;  // (position, recorded at), for record()
};

}  // namespace

Result<PurgeReport> purge_ledger(const PurgeParts& parts) { return Purger(parts).run(); }

}  // namespace auditorium::eventstore::internal
