// RecordVerifier: the mutable rows against the store's ledgered records (verify_rows.hpp).
#include <rocksdb/db.h>

#include <algorithm>

#include "base/big_endian.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/rocks_status.hpp"
#include "eventstore/internal/verify_rows.hpp"

namespace auditorium::eventstore::internal {
namespace records = store_records;

Status RecordVerifier::load(Position end) {
    loaded_end_ = end;
    AUD_RETURN_IF_ERROR(load_settings());
    if (settings_at_ == 0) return check_without_settings();
    AUD_RETURN_IF_ERROR(
        check_meta_row(layout::kMetaRetention, std::to_string(settings_.retention_us)));
    AUD_RETURN_IF_ERROR(check_meta_row(layout::kMetaDev, settings_.dev ? "1" : "0"));
    AUD_RETURN_IF_ERROR(load_signing_keys());
    return load_purges();
}

// Read through the streams index; each is met again by the walk, so a record dropped from the
// index is caught there. Entries of other types are skipped: the streams check (IndexVerifier)
// holds every run to the entries it names.
Result<std::vector<Entry>> RecordVerifier::records_of(std::string_view stream,
                                                      std::string_view type) {
    AUD_ASSIGN_OR_RETURN(
        auto entries, src_.reader.read_stream(stream, 1, Log::Direction::kForward, SIZE_MAX, ro_));
    std::vector<Entry> out;
    for (auto& e : entries) {
        if (e.purged || e.type != type) continue;  // store-keys also holds master key rotations
        ledgered_.insert(e.position);
        out.push_back(std::move(e));
    }
    return out;
}

Status RecordVerifier::load_settings() {
    AUD_ASSIGN_OR_RETURN(auto found, records_of(records::kSettingsStream, records::kSettingsType));
    for (const Entry& e : found) {
        auto s = records::decode_settings(e.clear);
        if (!s) return s.status().with_context("position " + std::to_string(e.position));
        if (settings_at_ == 0) {
            settings_ = std::move(s).value();
            settings_at_ = e.position;
        } else if (s->retention_us != settings_.retention_us || s->dev != settings_.dev) {
            return corruption("position " + std::to_string(e.position) +
                              ": a store.settings record contradicts the one at position " +
                              std::to_string(settings_at_));
        }
    }
    return Status::ok();
}

// Every store writes its settings record at creation, or at its first read-write open when it was
// made before settings were ledgered; a ledger with entries and none was not opened since, or its
// record's index rows were removed (IndexVerifier then names which).
Status RecordVerifier::check_without_settings() {
    if (loaded_end_ == 0) return Status::ok();
    return corruption(
        "the ledger holds no store.settings record, so its meta rows retention_us, dev and "
        "signing_key:* are vouched for by nothing (a store made before settings were ledgered "
        "gets one at its first read-write open)");
}

Status RecordVerifier::check_meta_row(std::string_view name, const std::string& expected) {
    std::string value;
    rocksdb::Status s = src_.db.db().Get(ro_, src_.db.cf().meta, std::string(name), &value);
    if (!s.ok() && !s.IsNotFound()) return from_rocks(s, "reading the ledger's metadata");
    if (s.ok() && value == expected) return Status::ok();
    const std::string is = s.IsNotFound() ? "missing" : "\"" + value.substr(0, 40) + "\"";
    return corruption("meta row " + std::string(name) + " is " + is +
                      " but the ledgered store.settings record at position " +
                      std::to_string(settings_at_) + " says " + expected);
}

// Every signing key in meta must be announced by a ledgered record; the newest announced is active.
Status RecordVerifier::load_signing_keys() {
    std::vector<std::pair<records::AnnouncedKey, Position>> announced;
    for (const auto& k : settings_.signing_keys) announced.emplace_back(k, settings_at_);
    AUD_ASSIGN_OR_RETURN(auto rotations,
                         records_of(records::kKeysStream, records::kSigningKeyRotatedType));
    for (const Entry& e : rotations) {
        auto k = records::decode_signing_key_rotated(e.clear);
        if (!k) return k.status().with_context("position " + std::to_string(e.position));
        announced.emplace_back(std::move(k).value(), e.position);
    }
    AUD_ASSIGN_OR_RETURN(auto keys, src_.reader.signing_keys());
    for (const auto& k : keys) {
        const std::string row =
            "meta row " + std::string(layout::kMetaSigningKeyPrefix) + signing_key_id_hex(k.id);
        auto it = std::find_if(announced.begin(), announced.end(),
                               [&](const auto& a) { return a.first.id == k.id; });
        if (it == announced.end()) {
            return corruption(row +
                              " is not announced by any ledgered record (store.settings or "
                              "store.signing_key_rotated)");
        }
        if (it->first.public_key != k.key) {
            return corruption(row + " holds another public key than the record at position " +
                              std::to_string(it->second) + " announced");
        }
        if (k.active && k.id != announced.back().first.id) {
            return corruption(row + " is marked active, but the newest ledgered signing key is " +
                              signing_key_id_hex(announced.back().first.id));
        }
    }
    return Status::ok();
}

Status RecordVerifier::load_purges() {
    AUD_ASSIGN_OR_RETURN(auto purges, records_of(records::kPurgesStream, records::kPurgedType));
    for (const Entry& e : purges) {
        // One appended after the walk's snapshot purged entries the walk still sees whole.
        if (e.position <= loaded_end_) AUD_RETURN_IF_ERROR(load_purge(e));
    }
    std::sort(ranges_.begin(), ranges_.end(),
              [](const Range& a, const Range& b) { return a.range.first < b.range.first; });
    for (std::size_t i = 1; i < ranges_.size(); ++i) {
        if (ranges_[i].range.first <= ranges_[i - 1].range.last) {
            return corruption("position " + std::to_string(ranges_[i].range.first) +
                              " is purged by two store.purged records, at positions " +
                              std::to_string(ranges_[i - 1].record) + " and " +
                              std::to_string(ranges_[i].record));
        }
    }
    return Status::ok();
}

// The purge's own record time is authentic (hashed): its cutoff must lie a full ledgered retention
// before it, and each range it lists must hold only entries recorded before the cutoff.
Status RecordVerifier::load_purge(const Entry& record) {
    const std::string at =
        "position " + std::to_string(record.position) + ": the store.purged record";
    auto purge = records::decode_purge(record.clear);
    if (!purge) return purge.status().with_context("position " + std::to_string(record.position));
    if (purge->cutoff_us > record.recorded_at_us - settings_.retention_us) {
        return corruption(
            at + " purged entries recorded up to " + std::to_string(purge->cutoff_us) +
            " us, less than the ledgered retention_us " + std::to_string(settings_.retention_us) +
            " before its own time " + std::to_string(record.recorded_at_us));
    }
    if (!purge->has_ranges) legacy_until_ = std::max(legacy_until_, record.position);
    for (const auto& r : purge->ranges) {
        if (r.last >= record.position || r.last_recorded_at_us >= purge->cutoff_us) {
            return corruption(at + " lists positions " + std::to_string(r.first) + ".." +
                              std::to_string(r.last) +
                              ", which were not past retention when it was made");
        }
        ranges_.push_back({r, record.position});
    }
    return Status::ok();
}

// Positions come in ascending order, so one cursor over the ranges serves the whole walk.
bool RecordVerifier::covered(Position p, Position* record) {
    while (cursor_ < ranges_.size() && ranges_[cursor_].range.last < p) ++cursor_;
    if (cursor_ == ranges_.size() || ranges_[cursor_].range.first > p) return false;
    *record = ranges_[cursor_].record;
    return true;
}

Status RecordVerifier::check_purged(Position p) {
    Position record = 0;
    if (covered(p, &record) || p < legacy_until_) return Status::ok();
    return corruption(
        "position " + std::to_string(p) +
        ": a purge marker that no ledgered store.purged record covers (the entry was replaced)");
}

Status RecordVerifier::check_live(Position p, bool store_record, std::string_view bytes) {
    Position record = 0;
    if (covered(p, &record)) {
        return corruption("position " + std::to_string(p) +
                          ": the store.purged record at position " + std::to_string(record) +
                          " lists it as purged, but the ledger still holds the entry");
    }
    return store_record ? check_store_record(p, bytes) : Status::ok();
}

// ---- store records against their rows, during the walk ----

Status RecordVerifier::check_store_record(Position p, std::string_view bytes) {
    const std::string at = "position " + std::to_string(p);
    auto header = decode_entry_header(bytes);
    if (!header) return header.status().with_context(at);
    const EntryHeader& h = *header;
    if (h.type == records::kSettingsType || h.type == records::kPurgedType ||
        h.type == records::kSigningKeyRotatedType) {
        // Beyond loaded_end_: appended while verify ran (a read-only store caught up meanwhile).
        if (ledgered_.count(p) != 0 || p > loaded_end_) return Status::ok();
        return corruption("streams: the " + h.type + " record at " + at +
                          " is missing from the index of stream " + h.stream);
    }
    if (h.type == records::kErasureType) {
        AUD_ASSIGN_OR_RETURN(auto row, row_of(src_.db.cf().erasures, "erasures", h.subject));
        if (row && *row == p) return Status::ok();
        return corruption(
            "erasures: subject " + h.subject.hex() + ", erased by the record at " + at + ", has " +
            (row ? "a row naming position " + std::to_string(*row) : std::string("no row")));
    }
    if (h.type == records::kHoldSetType || h.type == records::kHoldReleasedType)
        return check_hold_record(p, h);
    if (h.type == records::kErasureDeferredType) return check_deferral_record(p, h);
    return Status::ok();
}

// Only the newest record of a subject's hold stream says whether the hold is in force.
Status RecordVerifier::check_hold_record(Position p, const EntryHeader& h) {
    const std::string at = "position " + std::to_string(p);
    if (h.stream != records::hold_stream(h.subject)) {
        return corruption(at + ": a legal hold record outside its subject's stream");
    }
    AUD_ASSIGN_OR_RETURN(StreamVersion newest, src_.reader.stream_version(h.stream, ro_));
    if (h.version != newest) return Status::ok();
    AUD_ASSIGN_OR_RETURN(auto row, row_of(src_.db.cf().holds, "holds", h.subject));
    const std::string who = "holds: subject " + h.subject.hex();
    if (h.type == records::kHoldReleasedType) {
        if (!row) return Status::ok();
        return corruption(who + " has a holds row after the release ledgered at " + at);
    }
    if (row && *row == p) return Status::ok();
    return corruption(who + " is under the legal hold ledgered at " + at + " but " +
                      (row ? "its holds row names position " + std::to_string(*row)
                           : std::string("has no holds row")));
}

// A deferred erasure is in force until the erasure itself is recorded (which removes the row).
Status RecordVerifier::check_deferral_record(Position p, const EntryHeader& h) {
    const std::string at = "position " + std::to_string(p);
    AUD_ASSIGN_OR_RETURN(auto erased, row_of(src_.db.cf().erasures, "erasures", h.subject));
    AUD_ASSIGN_OR_RETURN(auto row,
                         row_of(src_.db.cf().deferred_erasures, "deferred_erasures", h.subject));
    const std::string who = "deferred_erasures: subject " + h.subject.hex();
    if (erased) {
        if (!row) return Status::ok();
        return corruption(who + " keeps a row though its erasure was carried out");
    }
    if (row && *row == p) return Status::ok();
    return corruption(
        who + ", whose erasure was deferred at " + at + ", has " +
        (row ? "a row naming position " + std::to_string(*row) : std::string("no row")));
}

Result<std::optional<Position>> RecordVerifier::row_of(rocksdb::ColumnFamilyHandle* cf,
                                                       std::string_view name, const Id& subject) {
    std::string value;
    rocksdb::Status s = src_.db.db().Get(ro_, cf, subject.view(), &value);
    if (s.IsNotFound()) return std::optional<Position>();
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading " + std::string(name)));
    if (value.size() != 8)
        return corruption(std::string(name) + " row of subject " + subject.hex() + " is malformed");
    return std::optional<Position>(get_be64(value));
}

// ---- rows against their records, after the walk ----

Result<std::optional<EntryHeader>> RecordVerifier::live_header(Position p, Position end) {
    if (p == 0 || p > end) return std::optional<EntryHeader>();
    std::string bytes;
    rocksdb::Status s = src_.db.db().Get(ro_, src_.db.cf().ledger, layout::position_key(p), &bytes);
    if (s.IsNotFound()) return std::optional<EntryHeader>();
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading the ledger"));
    if (layout::is_purged_value(bytes)) return std::optional<EntryHeader>();
    auto h = decode_entry_header(bytes);
    if (!h) return h.status().with_context("position " + std::to_string(p));
    return std::optional<EntryHeader>(std::move(h).value());
}

template <typename Check>
Status RecordVerifier::check_rows(rocksdb::ColumnFamilyHandle* cf, std::string_view name,
                                  Position end, Check&& check) {
    std::unique_ptr<rocksdb::Iterator> it(src_.db.db().NewIterator(ro_, cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        auto subject = Id::from_bytes(it->key().ToStringView());
        if (!subject) return corruption(std::string(name) + ": a row whose key is no subject");
        const std::string row = std::string(name) + " row of subject " + subject->hex();
        if (it->value().size() != 8) return corruption(row + " is malformed");
        const Position p = get_be64(it->value().ToStringView());
        AUD_ASSIGN_OR_RETURN(auto h, live_header(p, end));
        AUD_ASSIGN_OR_RETURN(bool ok, check(*subject, h));
        if (!ok)
            return corruption(row + " names position " + std::to_string(p) +
                              ", which holds no matching record");
    }
    return from_rocks(it->status(), "reading " + std::string(name));
}

Status RecordVerifier::finish(Position end) {
    using Header = std::optional<EntryHeader>;
    AUD_RETURN_IF_ERROR(check_rows(
        src_.db.cf().erasures, "erasures", end, [](const Id& s, const Header& h) -> Result<bool> {
            return h && h->type == records::kErasureType && h->subject == s;
        }));
    AUD_RETURN_IF_ERROR(check_rows(
        src_.db.cf().holds, "holds", end, [this](const Id& s, const Header& h) -> Result<bool> {
            if (!h || h->type != records::kHoldSetType || h->subject != s ||
                h->stream != records::hold_stream(s)) {
                return false;
            }
            AUD_ASSIGN_OR_RETURN(StreamVersion newest, src_.reader.stream_version(h->stream, ro_));
            return h->version == newest;  // else released since
        }));
    return check_rows(src_.db.cf().deferred_erasures, "deferred_erasures", end,
                      [this](const Id& s, const Header& h) -> Result<bool> {
                          if (!h || h->type != records::kErasureDeferredType || h->subject != s)
                              return false;
                          AUD_ASSIGN_OR_RETURN(auto erased,
                                               row_of(src_.db.cf().erasures, "erasures", s));
                          return !erased.has_value();
                      });
}

}  // namespace auditorium::eventstore::internal
