#include "eventstore/internal/append_pipeline.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <unordered_set>

#include "base/big_endian.hpp"
#include "eventstore/internal/entry_codec.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/months.hpp"
#include "eventstore/internal/public_random.hpp"
#include "eventstore/internal/rocks_status.hpp"
#include "eventstore/internal/vault.hpp"

namespace auditorium::eventstore::internal {
namespace {

constexpr std::size_t kMaxEventsPerAppend = 10'000;
constexpr std::string_view kStoreTypePrefix = "store.";
constexpr std::uint32_t kSingleKeyId = 1;  // personal and system keys: one per subject

Status validate_type(std::string_view type) {
    if (type.empty() || type.size() > 100)
        return invalid_argument("event type must be 1..100 characters");
    for (char c : type) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
        if (!ok)
            return invalid_argument("event type '" + std::string(type) +
                                    "' may hold only [a-z0-9._]");
    }
    return Status::ok();
}

Status validate_events(const std::vector<NewEvent>& events) {
    if (events.empty()) return invalid_argument("an append needs at least one event");
    if (events.size() > kMaxEventsPerAppend) {
        return invalid_argument("an append holds at most " + std::to_string(kMaxEventsPerAppend) +
                                " events, not " + std::to_string(events.size()));
    }
    std::unordered_set<Id> seen;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const NewEvent& e = events[i];
        const std::string where = "event " + std::to_string(i) + ": ";
        if (e.event_id.is_none()) return invalid_argument(where + "event_id is missing");
        if (!seen.insert(e.event_id).second) {
            return invalid_argument(where + "event_id " + e.event_id.hex() +
                                    " repeats in the append");
        }
        AUD_RETURN_IF_ERROR(validate_type(e.type).with_context(where + "type"));
        for (const SectionInput& s : e.sections) {
            const bool system = s.key_class == KeyClass::kSystem;
            if (system != s.subject.is_none()) {
                return invalid_argument(
                    where + "a section has subject none exactly when its key class is system");
            }
            if (s.key_class > KeyClass::kRetained)
                return invalid_argument(where + "unknown key class");
        }
    }
    return Status::ok();
}

}  // namespace

Result<LedgerTail> read_ledger_tail(const LedgerDb& db, const LedgerReader& reader) {
    LedgerTail tail;
    {
        std::unique_ptr<rocksdb::Iterator> it(
            db.db().NewIterator(rocksdb::ReadOptions(), db.cf().ledger));
        it->SeekToLast();
        if (it->Valid()) {
            tail.last = get_be64(it->key().ToStringView());
            auto decoded = decode_entry(it->value().ToStringView());
            if (!decoded)
                return decoded.status().with_context("last entry at position " +
                                                     std::to_string(tail.last));
            tail.last_recorded_us = decoded->header.recorded_at_us;
        }
        AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading the ledger's head"));
    }
    auto pieces = reader.tree_pieces(rocksdb::ReadOptions());
    auto frontier = merkle::Frontier::restore(
        tail.last,
        [&pieces](unsigned level, std::uint64_t index) { return pieces->node(level, index); });
    if (!frontier) return frontier.status().with_context("restoring the Merkle tree");
    tail.frontier = std::move(frontier).value();
    return tail;
}

AppendPipeline::AppendPipeline(LedgerDb& db, Vault& vault, const SubjectIndex& subjects,
                               LedgerReader& reader, const StoreConfig& config,
                               DurableHead& durable, LedgerTail tail)
    : db_(db),
      vault_(vault),
      subjects_(subjects),
      reader_(reader),
      config_(config),
      durable_(durable),
      frontier_(std::move(tail.frontier)),
      sequencer_(tail.last, tail.last_recorded_us),
      queue_(std::make_unique<CommitQueue>(
          [this](const std::vector<std::shared_ptr<CommitSlot>>& batch) {
              return commit(batch);
          })) {}

AppendPipeline::~AppendPipeline() { close(); }

// queue_ stays valid while the writer drains, for an append_async made by the answer to another.
void AppendPipeline::close() {
    if (queue_) queue_->close();
}

Result<AppendResult> AppendPipeline::append(std::string_view stream, ExpectedVersion expected,
                                            const std::vector<NewEvent>& events) {
    AUD_RETURN_IF_ERROR(validate_append(stream, events));
    return finish_waiting(submit(stream, expected, events));
}

void AppendPipeline::append_async(std::string_view stream, ExpectedVersion expected,
                                  const std::vector<NewEvent>& events, Log::AppendDone done) {
    if (Status s = validate_append(stream, events); !s.is_ok()) return done(std::move(s));
    Submitted submitted = submit(stream, expected, events);
    if (submitted.answer) return done(std::move(*submitted.answer));
    // Called once the append's last position is durable, or with why it never will be.
    auto finish = [done = std::move(done), ok = submitted.if_durable](const Status& s) {
        if (s.is_ok()) {
            done(ok);
        } else {
            done(s);
        }
    };
    if (submitted.slot) {
        submitted.slot->on_committed = std::move(finish);
        queue_->mark_prepared(submitted.slot);
        return;
    }
    durable_.when_durable(submitted.if_durable.last_position,
                          std::move(finish));  // the original's sync
}

Status AppendPipeline::validate_append(std::string_view stream,
                                       const std::vector<NewEvent>& events) const {
    AUD_RETURN_IF_ERROR(validate_stream_name(stream));
    AUD_RETURN_IF_ERROR(validate_events(events));
    // The store's records live in streams "store-*": an event of another's there could take the
    // version a store record expects (the settings record is written once, to a new stream).
    if (stream.starts_with("store-")) {
        return invalid_argument("stream " + std::string(stream) +
                                ": streams store-* are the store's own");
    }
    for (const NewEvent& e : events) {
        if (e.type.rfind(kStoreTypePrefix, 0) == 0) {
            return invalid_argument("event type " + e.type + ": types store.* are the store's own");
        }
    }
    return Status::ok();
}

Result<AppendResult> AppendPipeline::finish_waiting(Submitted submitted) {
    if (submitted.answer) return std::move(*submitted.answer);
    if (submitted.slot) {
        queue_->mark_prepared(submitted.slot);
        AUD_RETURN_IF_ERROR(queue_->wait(submitted.slot));
    } else {
        AUD_RETURN_IF_ERROR(durable_.wait_durable(submitted.if_durable.last_position));
    }
    return submitted.if_durable;
}

Result<AppendResult> AppendPipeline::append_store_record(
    std::string_view stream, ExpectedVersion expected, NewEvent record,
    std::vector<PreparedEntry::IndexWrite> index_writes) {
    AUD_RETURN_IF_ERROR(validate_stream_name(stream));
    std::vector<NewEvent> events;
    events.push_back(std::move(record));
    AUD_RETURN_IF_ERROR(validate_events(events));
    return finish_waiting(submit(stream, expected, events, std::move(index_writes)));
}

Status AppendPipeline::refuse_new_key(const Id& subject, KeyClass key_class) {
    if (key_class != KeyClass::kPersonal) return Status::ok();
    AUD_ASSIGN_OR_RETURN(bool erased, subjects_.is_erased(subject));
    if (erased) {
        return failed_precondition("subject " + subject.hex() +
                                   " was erased; no new personal data may be sealed for it");
    }
    return Status::ok();
}

Result<std::vector<SectionKey>> AppendPipeline::keys_for(const std::vector<NewEvent>& events,
                                                         std::int64_t now) {
    std::vector<SectionKey> keys;
    const auto refuse = [this](const Id& s, KeyClass c) { return refuse_new_key(s, c); };
    for (const NewEvent& e : events) {
        for (const SectionInput& s : e.sections) {
            const std::uint32_t key_id =
                s.key_class == KeyClass::kRetained ? month_key_id(now) : kSingleKeyId;
            AUD_ASSIGN_OR_RETURN(DataKey k,
                                 vault_.key_for_sealing(s.subject, s.key_class, key_id, refuse));
            keys.push_back(SectionKey{k, key_id});
        }
    }
    return keys;
}

Result<Sequencer::Lookups> AppendPipeline::look_up(std::string_view stream,
                                                   const std::vector<Id>& ids) {
    Sequencer::Lookups out;
    out.ids.resize(ids.size());
    std::vector<rocksdb::Slice> keys;
    keys.reserve(ids.size());
    for (const Id& id : ids) keys.emplace_back(id.view());
    std::vector<rocksdb::PinnableSlice> values(ids.size());
    std::vector<rocksdb::Status> statuses(ids.size());
    db_.db().MultiGet(rocksdb::ReadOptions(), db_.cf().event_ids, ids.size(), keys.data(),
                      values.data(), statuses.data());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (statuses[i].IsNotFound()) continue;
        AUD_RETURN_IF_ERROR(from_rocks(statuses[i], "looking up event ids"));
        const std::string_view v = values[i].ToStringView();
        if (v.size() < 16) return corruption("malformed event id index value");
        out.ids[i] = IdLocation{get_be64(v), get_be64(v.substr(8)), std::string(v.substr(16))};
    }
    if (auto known = sequencer_.known_version(stream)) {
        out.stream_version = *known;
    } else {
        AUD_ASSIGN_OR_RETURN(out.stream_version,
                             reader_.stream_version(stream, rocksdb::ReadOptions()));
    }
    return out;
}

AppendPipeline::Submitted AppendPipeline::submit(
    std::string_view stream, ExpectedVersion expected, const std::vector<NewEvent>& events,
    std::vector<PreparedEntry::IndexWrite> index_writes) {
    const auto answer = [](Result<AppendResult> r) {
        Submitted out;
        out.answer.emplace(std::move(r));
        return out;
    };
    const std::int64_t now = config_.now_us();
    auto keys = keys_for(events, now);
    if (!keys) return answer(keys.status());
    std::vector<Id> ids;
    ids.reserve(events.size());
    for (const NewEvent& e : events) ids.push_back(e.event_id);

    auto ticket = sequencer_.begin_lookup();
    auto lookups = look_up(stream, ids);
    if (!lookups) {
        sequencer_.abandon(ticket);
        return answer(lookups.status());
    }
    auto slot = std::make_shared<CommitSlot>();
    slot->stream = std::string(stream);
    const auto d = sequencer_.decide(ticket, stream, expected, ids, *lookups, now,
                                     [&](const Sequencer::Decision& dd) {
                                         slot->first_position = dd.first_position;
                                         queue_->enqueue(slot);
                                     });
    using Kind = Sequencer::Decision::Kind;
    Submitted out;
    out.if_durable =
        AppendResult{d.first_position, d.first_position + ids.size() - 1, d.first_version,
                     d.first_version + ids.size() - 1, d.kind == Kind::kReplay};
    switch (d.kind) {
        case Kind::kRefused: return answer(durable_.refused());
        case Kind::kReusedId: return answer(already_exists("reused event id: " + d.detail));
        case Kind::kConflict: {
            auto c = std::make_shared<VersionConflict>();
            c->stream = std::string(stream);
            c->expected = expected;
            c->actual = d.actual_version;
            return answer(aborted("stream " + std::string(stream) + " is at version " +
                                  std::to_string(d.actual_version) + ", expected " +
                                  expected.to_string())
                              .with_detail(std::move(c)));
        }
        case Kind::kReplay: return out;  // answered once the original is durable (at once if it is)
        case Kind::kAppend: break;
    }
    try {
        prepare(*slot, events, *keys, d);
    } catch (const std::exception& ex) {
        slot->prepare_error = internal_error(std::string("preparing an append: ") + ex.what());
    }
    if (!slot->entries.empty()) slot->entries.back().index_writes = std::move(index_writes);
    out.slot = std::move(slot);
    return out;
}

void AppendPipeline::prepare(CommitSlot& slot, const std::vector<NewEvent>& events,
                             const std::vector<SectionKey>& keys, const Sequencer::Decision& d) {
    slot.entries.resize(events.size());
    std::string nonces(keys.size() * kNonceSize, '\0');
    public_random(reinterpret_cast<std::uint8_t*>(nonces.data()),
                  nonces.size());  // one draw for the whole append
    std::size_t key_index = 0;
    std::vector<StoredSection> scratch;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const NewEvent& e = events[i];
        EntryHeader h{d.first_position + i, slot.stream, d.first_version + i,
                      e.event_id,           e.type,      e.schema_version,
                      d.recorded_at_us,     e.actor,     e.subject,
                      e.correlation,        e.causation};
        PreparedEntry& pe = slot.entries[i];
        pe.position = h.position;
        pe.version = h.version;
        pe.event_id = e.event_id;
        pe.bytes = seal_and_encode(
            h, e.clear, e.sections, keys.data() + key_index,
            reinterpret_cast<const std::uint8_t*>(nonces.data()) + key_index * kNonceSize, scratch);
        key_index += e.sections.size();
        pe.leaf = merkle::leaf_hash(pe.bytes);
    }
}

// The refusal is set before the sequencer refuses, so that an append it refuses is answered with
// the reason; the waiters are released after, so that none of them can sequence another.
Status AppendPipeline::refuse(const Status& why) {
    bool first = false;
    Status refused = durable_.set_refused(
        unavailable("the store refuses appends until it is reopened, after: " + why.to_string()),
        first);
    if (first) spdlog::error("event store: {}", refused.message());
    sequencer_.refuse_all();
    durable_.release_all(refused);
    return refused;
}

Status AppendPipeline::commit(const std::vector<std::shared_ptr<CommitSlot>>& batch) {
    if (Status refused = durable_.refused(); !refused.is_ok()) return refused;
    for (const auto& slot : batch) {
        if (!slot->prepare_error.is_ok()) return refuse(slot->prepare_error);
    }
    if (Status s = vault_.sync_if_dirty(); !s.is_ok()) return refuse(s);

    // Sized up front: growing a batch of thousands of entries by doubling copies it again and
    // again.
    std::size_t bytes = 0;
    for (const auto& slot : batch) {
        for (const PreparedEntry& e : slot->entries)
            bytes += e.bytes.size() + std::size_t{2 * 32 + 96} + slot->stream.size();
    }
    rocksdb::WriteBatch wb(bytes);
    merkle::Frontier working = frontier_;
    std::vector<merkle::Hash> completed;
    std::string piece;  // tree hashes of consecutive leaves, from piece_first on
    Position piece_first = 0;
    const auto put_piece = [&] {
        if (!piece.empty()) wb.Put(db_.cf().tree, be64(piece_first), piece);
        piece.clear();
    };
    for (const auto& slot : batch) {
        if (slot->entries.empty()) continue;
        const PreparedEntry& first = slot->entries.front();
        wb.Put(db_.cf().streams, layout::stream_key(slot->stream, first.version),
               layout::stream_run_value(first.position, slot->entries.size()));
        for (const PreparedEntry& e : slot->entries) {
            const std::string pos = be64(e.position);
            wb.Put(db_.cf().ledger, pos, e.bytes);
            wb.Put(db_.cf().event_ids, e.event_id.view(),
                   layout::event_id_value(e.position, e.version, slot->stream));
            if (piece.empty() || layout::starts_tree_piece(e.position)) {
                put_piece();
                piece_first = e.position;
            }
            working.push(e.leaf, completed);
            for (const auto& h : completed)
                piece.append(reinterpret_cast<const char*>(h.data()), h.size());
            if (completed.size() > layout::kTreeUpperLevel) {
                std::string upper;
                for (std::size_t l = layout::kTreeUpperLevel; l < completed.size(); ++l) {
                    upper.append(reinterpret_cast<const char*>(completed[l].data()),
                                 completed[l].size());
                }
                wb.Put(db_.cf().tree_upper, pos, upper);
            }
            for (const auto& w : e.index_writes) {
                using Family = PreparedEntry::IndexWrite::Family;
                rocksdb::ColumnFamilyHandle* cf = w.family == Family::kErasures ? db_.cf().erasures
                                                  : w.family == Family::kHolds  ? db_.cf().holds
                                                  : w.family == Family::kLedger
                                                      ? db_.cf().ledger
                                                      : db_.cf().deferred_erasures;
                if (w.remove) {
                    wb.Delete(cf, w.key);
                } else {
                    wb.Put(cf, w.key, w.value ? *w.value : pos);
                }
            }
        }
    }
    put_piece();
    rocksdb::WriteOptions wo;
    wo.sync = true;
    if (Status s = from_rocks(db_.db().Write(wo, &wb), "committing appends"); !s.is_ok()) {
        return refuse(s);
    }
    frontier_ = std::move(working);
    const Position last = batch.back()->entries.back().position;
    sequencer_.committed(last);
    durable_.advance(last,
                     DurableHead::TreeHead{frontier_.size(), merkle::to_string(frontier_.root())});
    return Status::ok();
}

}  // namespace auditorium::eventstore::internal
