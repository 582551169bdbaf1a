// verify's checks beyond the hashes (contract in store.hpp; what they catch, and what they cannot,
// in docs/ledger-format.md, "What verify checks, and what it cannot"). The entries are authentic
// (hashed, and the tree signed); the rows of `meta`, `erasures`, `holds`, `deferred_erasures`,
// `streams`, `event_ids` and the purge markers in `ledger` are not, so each is checked against
// the entries and the store's ledgered records (store_records.hpp). Not thread-safe: one verify.
#pragma once

#include <rocksdb/options.h>

#include <optional>
#include <set>
#include <vector>

#include "eventstore/audit_ledger.hpp"
#include "eventstore/internal/entry_codec.hpp"
#include "eventstore/internal/ledger_db.hpp"
#include "eventstore/internal/reader.hpp"
#include "eventstore/internal/store_config.hpp"
#include "eventstore/internal/store_records.hpp"

namespace auditorium::eventstore::internal {

// What verify reads: the database, the reader (entries, stream versions, signing keys) and the
// store's identity. Borrowed for one verify.
struct VerifySource {
    const LedgerDb& db;
    LedgerReader& reader;
    const StoreConfig& config;
};

// The auditor's full check (AuditLedger::verify's contract) of the ledger as `snapshot` holds it
// (null: the latest state), up to `last`, the head when the snapshot was taken.
Result<AuditLedger::VerifyReport> verify_ledger(const VerifySource& src,
                                                const AuditLedger::VerifyOptions& options,
                                                const rocksdb::Snapshot* snapshot, Position last);

// The rows against the store's records, beside the ledger walk (internal/verify_records.cpp).
// Memory: the settings, signing key and purge records (their ranges), not the entries.
class RecordVerifier {
public:
    // `src` and `snapshot` (null: the latest state) must outlive this object.
    RecordVerifier(const VerifySource& src, const rocksdb::Snapshot* snapshot) : src_(src) {
        ro_.snapshot = snapshot;
    }

    // Before the walk: reads the settings, signing key and purge records through their streams and
    // checks the meta rows and the purges' retention against them. `end`: the ledger's head.
    Status load(Position end);
    // The walk, in position order: a purge marker must be covered by a ledgered purge; a live entry
    // must not be; a store record must be matched by its row. `bytes`: the entry as stored.
    Status check_purged(Position p);
    Status check_live(Position p, bool store_record, std::string_view bytes);
    // After the walk: every erasures, holds and deferred_erasures row by its record.
    Status finish(Position end);
    // The dev flag the settings record gives (meta's, before the ledger has one).
    bool dev() const { return settings_at_ != 0 ? settings_.dev : src_.config.dev; }

private:
    struct Range {
        store_records::PurgedRange range;
        Position record = 0;
    };
    Result<std::vector<Entry>> records_of(std::string_view stream, std::string_view type);
    Status load_settings();
    Status check_without_settings();
    Status check_meta_row(std::string_view name, const std::string& expected);
    Status load_signing_keys();
    Status load_purges();
    Status load_purge(const Entry& record);
    bool covered(Position p, Position* record);
    Status check_store_record(Position p, std::string_view bytes);
    Status check_hold_record(Position p, const EntryHeader& h);
    Status check_deferral_record(Position p, const EntryHeader& h);
    Result<std::optional<Position>> row_of(rocksdb::ColumnFamilyHandle* cf, std::string_view name,
                                           const Id& subject);
    Result<std::optional<EntryHeader>> live_header(Position p, Position end);
    template <typename Check>
    Status check_rows(rocksdb::ColumnFamilyHandle* cf, std::string_view name, Position end,
                      Check&& check);

    const VerifySource& src_;
    rocksdb::ReadOptions ro_;
    Position loaded_end_ = 0;  // the head when the records were read by stream
    store_records::Settings settings_;
    Position settings_at_ = 0;
    std::set<Position> ledgered_;  // positions of the records read by stream, met again by the walk
    std::vector<Range> ranges_;    // ascending, disjoint
    std::size_t cursor_ = 0;
    Position legacy_until_ = 0;  // purge markers before it predate ranges in purge records
};

// The streams and event_ids indexes against the entries, by point lookups: constant memory
// (internal/verify_indexes.cpp). A purged entry keeps both index rows (purge.cpp writes only its
// marker), so its rows are checked against each other, its own fields being gone.
class IndexVerifier {
public:
    // `db` and `snapshot` (null: the latest state) must outlive this object.
    IndexVerifier(const LedgerDb& db, const rocksdb::Snapshot* snapshot) : db_(db) {
        ro_.snapshot = snapshot;
    }
    Status run(Position end);

private:
    Status check_streams(Position end);
    Status check_run(std::string_view stream, StreamVersion first, std::uint64_t count,
                     Position first_position, Position end);
    Status check_event_ids(Position end);
    Status check_event_id(std::string_view id, std::string_view value, Position end);
    // The header of the entry at `p`, or nullopt when it is purged.
    Result<std::optional<EntryHeader>> header_at(Position p, std::string_view what);
    // The position the streams index gives (stream, version), or nullopt.
    Result<std::optional<Position>> stream_position(std::string_view stream, StreamVersion version);

    const LedgerDb& db_;
    rocksdb::ReadOptions ro_;
};

}  // namespace auditorium::eventstore::internal
