// LedgerDb: the ledger's RocksDB database and its column families (layout.hpp), opened one of
// three ways: read-write (the store's own), as a secondary instance following a running primary
// (auditors, exports beside a server), or read-only for the probe that checks a ledger before
// anything in its directory is written. Closed (flushed first when read-write) on destruction.
//
// Thread safety: immutable after open; RocksDB's handles may be used from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "eventstore/store.hpp"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace auditorium::eventstore::internal {

class LedgerDb {
public:
    // The ledger's column families (layout.hpp); owned by the database.
    struct Handles {
        std::vector<rocksdb::ColumnFamilyHandle*> all;
        rocksdb::ColumnFamilyHandle* ledger = nullptr;
        rocksdb::ColumnFamilyHandle* streams = nullptr;
        rocksdb::ColumnFamilyHandle* event_ids = nullptr;
        rocksdb::ColumnFamilyHandle* tree = nullptr;
        rocksdb::ColumnFamilyHandle* erasures = nullptr;
        rocksdb::ColumnFamilyHandle* meta = nullptr;
        rocksdb::ColumnFamilyHandle* tree_heads = nullptr;
        rocksdb::ColumnFamilyHandle* holds = nullptr;
        rocksdb::ColumnFamilyHandle* deferred_erasures = nullptr;
        rocksdb::ColumnFamilyHandle* tree_upper = nullptr;
    };
    // What the `meta` column family says the ledger is.
    struct Meta {
        Id store_id;
        bool dev = false;
        std::optional<std::string> retention_us;  // none in a store made before it was kept
    };

    // Read-write; `create` makes a new database (the caller writes its meta with write_new_meta).
    static Result<std::unique_ptr<LedgerDb>> open(const StoreOptions& options, bool create);
    // A secondary instance whose own files go under `scratch`, caught up once.
    static Result<std::unique_ptr<LedgerDb>> open_secondary(const StoreOptions& options,
                                                            const std::filesystem::path& scratch);
    // Read-only, writing nothing (no LOG file either); nullptr for a ledger of an older format
    // that lacks a column family the read-write open adds. Corruption when the MANIFEST lacks
    // one of the others.
    static Result<std::unique_ptr<LedgerDb>> open_for_probe(const StoreOptions& options);
    ~LedgerDb();
    LedgerDb(const LedgerDb&) = delete;
    LedgerDb& operator=(const LedgerDb&) = delete;

    rocksdb::DB& db() const { return *db_; }
    const Handles& cf() const { return cf_; }

    // FailedPrecondition for a format this build cannot read; Corruption for a malformed store id.
    Result<Meta> read_meta() const;
    // A new database's meta rows, in one synced write.
    Status write_new_meta(const Id& store_id, bool dev, std::int64_t created_at_us,
                          std::chrono::microseconds retention);
    // Whether the ledger has had a head witness (head_witness.hpp), and marking that it has.
    Result<bool> has_witness_marker() const;
    Status mark_witness();
    // A secondary instance: reads what the primary has written since.
    Status catch_up();
    // The newest position in the ledger column family (0: empty).
    Result<Position> last_position() const;

private:
    LedgerDb() = default;
    void name_handles();

    std::unique_ptr<rocksdb::DB> db_;
    Handles cf_;
    bool flush_at_close_ = false;
};

}  // namespace auditorium::eventstore::internal
