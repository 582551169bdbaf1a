// RocksStore::purge and what it needs: retention, snapshots, legal holds, retention keys
// (contract in store.hpp).
#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <map>
#include <set>
#include <unordered_map>

#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/months.hpp"
#include "eventstore/internal/rocks_status.hpp"
#include "eventstore/internal/rocks_store.hpp"

namespace auditorium::eventstore::internal {
namespace {

constexpr int kSnapshotAttempts = 5;

}  // namespace

class RocksStore::Purger {
public:
    explicit Purger(RocksStore& store) : store_(store) {}

    Result<PurgeReport> run() {
        const std::int64_t now = store_.now_us();
        report_.cutoff_us = now - store_.retention_.count();
        if (report_.cutoff_us <= 0) return report_;
        AUD_RETURN_IF_ERROR(find_candidates());
        for (auto& [stream, candidates] : candidates_) {
            AUD_RETURN_IF_ERROR(purge_stream(stream, candidates));
        }
        AUD_RETURN_IF_ERROR(destroy_retention_keys(now));
        if (report_.entries_purged > 0 || report_.retention_keys_destroyed > 0) {
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
        std::vector<RetainedRef> retained;
    };

    Result<bool> held(const Id& subject) {
        if (subject.is_none()) return false;
        if (auto it = held_.find(subject); it != held_.end()) return it->second;
        AUD_ASSIGN_OR_RETURN(bool h, store_.is_held(subject));
        held_[subject] = h;
        return h;
    }

    // Pass 1: every live entry recorded before the cutoff, by stream; held ones are kept.
    Status find_candidates() {
        std::unique_ptr<rocksdb::Iterator> it(
            store_.db_->NewIterator(rocksdb::ReadOptions(), store_.cf_->ledger));
        const Position head = store_.head();
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
            const Position p = layout::get_be64(it->key().ToStringView());
            if (p > head) break;
            const std::string_view bytes = it->value().ToStringView();
            if (layout::is_purged_value(bytes)) continue;
            auto d = decode_entry(bytes);
            if (!d) return d.status().with_context("position " + std::to_string(p));
            if (d->header.recorded_at_us >= report_.cutoff_us) break;  // times never decrease
            if (d->header.type.rfind("store.", 0) == 0) continue;     // the store's own records
            Candidate c{p, {}};
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

    // Appends the stream's snapshot (retrying on a concurrent append), then drops the payloads.
    Status purge_stream(const std::string& stream, const std::vector<Candidate>& candidates) {
        const std::string type(stream_type(stream));
        auto fn = store_.snapshots_.find(type);
        if (fn == store_.snapshots_.end()) {
            report_.no_snapshot_function[type] += candidates.size();
            for (const auto& c : candidates) keep_keys(c);
            return Status::ok();
        }
        for (int attempt = 1;; ++attempt) {
            AUD_ASSIGN_OR_RETURN(auto entries,
                                 store_.read_stream(stream, 1, Direction::kForward, SIZE_MAX));
            AUD_ASSIGN_OR_RETURN(auto snapshot, fn->second(stream, entries));
            if (!snapshot) break;
            if (snapshot->type.rfind("store.", 0) == 0) {
                return invalid_argument("the snapshot function of " + type + " made a store.* event");
            }
            const StreamVersion current = entries.empty() ? 0 : entries.back().version;
            auto appended = store_.append(stream, ExpectedVersion::exact(current), {std::move(*snapshot)});
            if (appended) {
                ++report_.snapshots_appended;
                break;
            }
            if (!conflict_of(appended.status()) || attempt == kSnapshotAttempts) {
                return appended.status().with_context("appending the snapshot of " + stream);
            }
        }
        rocksdb::WriteBatch batch;
        for (const auto& c : candidates) {
            batch.Put(store_.cf_->ledger, layout::position_key(c.position), layout::purged_value(c.position));
        }
        rocksdb::WriteOptions wo;
        wo.sync = true;
        AUD_RETURN_IF_ERROR(from_rocks(store_.db_->Write(wo, &batch), "purging " + stream));
        report_.entries_purged += candidates.size();
        return Status::ok();
    }

    // A retention key goes once its month has passed retention and no kept entry needs it.
    Status destroy_retention_keys(std::int64_t now) {
        AUD_ASSIGN_OR_RETURN(auto keys, store_.vault_->retained_keys());
        std::vector<Vault::RetainedKey> due;
        for (const auto& k : keys) {
            if (month_end_us(k.month) + store_.retention_.count() > now) continue;
            if (kept_keys_.count(RetainedRef{k.subject, k.month}) != 0) continue;
            due.push_back(k);
        }
        AUD_RETURN_IF_ERROR(store_.vault_->destroy_retained_keys(due));
        report_.retention_keys_destroyed = due.size();
        return Status::ok();
    }

    Status record() {
        std::string summary = "{\"cutoff_us\":" + std::to_string(report_.cutoff_us) +
                              ",\"entries_purged\":" + std::to_string(report_.entries_purged) +
                              ",\"snapshots_appended\":" + std::to_string(report_.snapshots_appended) +
                              ",\"entries_held\":" + std::to_string(report_.entries_held) +
                              ",\"retention_keys_destroyed\":" +
                              std::to_string(report_.retention_keys_destroyed) + "}";
        NewEvent e;
        e.event_id = random_id();
        e.type = "store.purged";
        e.clear = std::move(summary);
        AUD_ASSIGN_OR_RETURN(auto appended,
                             store_.append_store_record("store-purges", ExpectedVersion::any(), std::move(e)));
        report_.record = appended.first_position;
        spdlog::info("event store: purge: {} entries purged, {} snapshots, {} held, {} retention keys destroyed",
                     report_.entries_purged, report_.snapshots_appended, report_.entries_held,
                     report_.retention_keys_destroyed);
        return Status::ok();
    }

    RocksStore& store_;
    PurgeReport report_;
    std::map<std::string, std::vector<Candidate>> candidates_;
    std::unordered_map<Id, bool> held_;
    std::set<RetainedRef> kept_keys_;
};

Result<PurgeReport> RocksStore::purge() {
    if (read_only_) return failed_precondition("the store is open read-only");
    return Purger(*this).run();
}

}  // namespace auditorium::eventstore::internal
