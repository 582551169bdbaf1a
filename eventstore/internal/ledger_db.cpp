// LedgerDb: the column families' options, the three ways to open the ledger, and its meta rows.
#include "eventstore/internal/ledger_db.hpp"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "base/big_endian.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/log_scan.hpp"
#include "eventstore/internal/point_lookup_memtable.hpp"
#include "eventstore/internal/rocks_logger.hpp"
#include "eventstore/internal/rocks_status.hpp"

namespace auditorium::eventstore::internal {
namespace {

// The stream name of a `streams` key (up to and including its 0x00), so that memtable inserts of
// consecutive versions of one stream start from a hint instead of a full skiplist search.
class StreamPrefix final : public rocksdb::SliceTransform {
public:
    const char* Name() const override { return "auditorium.StreamPrefix"; }
    rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
        const void* zero = std::memchr(key.data(), 0, key.size());
        return rocksdb::Slice(key.data(), static_cast<const char*>(zero) - key.data() + 1);
    }
    bool InDomain(const rocksdb::Slice& key) const override {
        return std::memchr(key.data(), 0, key.size()) != nullptr;
    }
};

// `point_lookups`: mostly asked for keys that are absent (new event ids, new streams, subjects
// never erased), so bloom filters in SSTs and in the memtable answer most of them.
// `sequential`: keys only grow (positions), so memtable inserts can start from a hint.
rocksdb::ColumnFamilyOptions cf_options(bool point_lookups, bool sequential,
                                        bool per_stream = false, std::size_t block_size = 4096) {
    rocksdb::ColumnFamilyOptions o;
    rocksdb::BlockBasedTableOptions t;
    t.block_size = block_size;
    // Debian's RocksDB is built for any x86-64, so its CRC32C (the default block checksum) is the
    // table-driven one, 1.3 GB/s here; XXH3 checks the same blocks several times faster, on every
    // flush, compaction and read. Each SST records its own checksum type: older files still read.
    t.checksum = rocksdb::kXXH3;
    if (point_lookups) {
        t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
        o.memtable_prefix_bloom_size_ratio = 0.1;
        o.memtable_whole_key_filtering = true;
    }
    if (sequential) {
        o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(1));
    }
    if (per_stream) o.memtable_insert_with_hint_prefix_extractor = std::make_shared<StreamPrefix>();
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    // Sealed payloads and random ids do not compress; trying costs the flush thread CPU.
    o.compression = rocksdb::kNoCompression;
    // Room for bursts: with two memtables a flush slower than the appends stops all writes.
    o.max_write_buffer_number = 6;
    return o;
}

// Event ids are random: leveled compaction would rewrite most of the index at every level;
// universal compaction rewrites it far less often (measured: +13% appends/s with batches of 1000).
// Inserting random keys into the default skiplist memtable was a third of the writer's time; the
// point-lookup memtable inserts without an ordered search and sorts once at flush (see its header).
rocksdb::ColumnFamilyOptions random_keys(rocksdb::ColumnFamilyOptions o) {
    o.compaction_style = rocksdb::kCompactionStyleUniversal;
    o.memtable_factory = point_lookup_memtable_factory();
    return o;
}

std::vector<rocksdb::ColumnFamilyDescriptor> ledger_column_families() {
    return {
        {rocksdb::kDefaultColumnFamilyName, cf_options(false, false)},
        // Entries are large and mostly read in order (verify, export, replay): 16 KiB blocks
        // halve the per-block work of a scan (measured: verify 460 -> 570 MB/s).
        {std::string(layout::kLedgerCf), cf_options(false, true, false, 16 << 10)},
        {std::string(layout::kStreamsCf), cf_options(true, false, true)},
        {std::string(layout::kEventIdsCf), random_keys(cf_options(true, false))},
        {std::string(layout::kTreeCf), cf_options(false, true)},
        {std::string(layout::kErasuresCf), cf_options(true, false)},
        {std::string(layout::kMetaCf), cf_options(false, false)},
        {std::string(layout::kTreeHeadsCf), cf_options(false, true)},
        {std::string(layout::kHoldsCf), cf_options(true, false)},
        {std::string(layout::kDeferredErasuresCf), cf_options(true, false)},
        {std::string(layout::kTreeUpperCf), cf_options(true, true)},
    };
}

}  // namespace

// In the order of ledger_column_families().
void LedgerDb::name_handles() {
    cf_.ledger = cf_.all[1];
    cf_.streams = cf_.all[2];
    cf_.event_ids = cf_.all[3];
    cf_.tree = cf_.all[4];
    cf_.erasures = cf_.all[5];
    cf_.meta = cf_.all[6];
    cf_.tree_heads = cf_.all[7];
    cf_.holds = cf_.all[8];
    cf_.deferred_erasures = cf_.all[9];
    cf_.tree_upper = cf_.all[10];
}

Result<std::unique_ptr<LedgerDb>> LedgerDb::open(const StoreOptions& options, bool create) {
    rocksdb::DBOptions o;
    o.create_if_missing = create;
    o.info_log = make_rocks_logger("ledger");
    o.create_missing_column_families = true;  // a column family added by a newer format
    o.max_background_jobs = 4;
    o.allow_concurrent_memtable_write = false;  // hash memtables need it; one writer anyway
    // Flushes write their SSTs back in 1 MiB steps, so bursts of dirty pages do not throttle the
    // WAL writes that appends wait for.
    o.bytes_per_sync = 1 << 20;
    o.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
    // The small column families (tree heads, upper Merkle nodes, metadata) would otherwise rarely
    // flush, so the log would keep everything since their last flush and every read-only open
    // (`ledger proof`, verify, export beside a server) would replay all of it into memtables and
    // search them on every lookup (measured: half of a proof run's time at 10 million entries).
    o.max_total_wal_size = 256 << 20;
    if (options.env != nullptr) o.env = options.env;

    std::unique_ptr<LedgerDb> out(new LedgerDb());
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, options.data_dir.string(), ledger_column_families(),
                                          &out->cf_.all, &raw);
    if (!s.ok()) {
        return from_rocks(s, "opening ledger " + options.data_dir.string() +
                                 log_scan::name_damaged_sst(options.data_dir));
    }
    out->db_.reset(raw);
    out->name_handles();
    // Read-only opens then start from SSTs alone instead of replaying the log.
    out->flush_at_close_ = true;
    return out;
}

Result<std::unique_ptr<LedgerDb>> LedgerDb::open_secondary(const StoreOptions& options,
                                                           const std::filesystem::path& scratch) {
    rocksdb::DBOptions o;
    o.max_open_files = -1;  // required by secondary instances
    o.info_log = make_rocks_logger("ledger");
    o.allow_mmap_reads = options.map_files;
    if (options.env != nullptr) o.env = options.env;
    std::unique_ptr<LedgerDb> out(new LedgerDb());
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s =
        rocksdb::DB::OpenAsSecondary(o, options.data_dir.string(), (scratch / "ledger").string(),
                                     ledger_column_families(), &out->cf_.all, &raw);
    if (!s.ok()) return from_rocks(s, "opening ledger " + options.data_dir.string() + " read-only");
    out->db_.reset(raw);
    out->name_handles();
    AUD_RETURN_IF_ERROR(out->catch_up());
    return out;
}

Result<std::unique_ptr<LedgerDb>> LedgerDb::open_for_probe(const StoreOptions& options) {
    rocksdb::DBOptions o;
    o.info_log = make_rocks_logger("ledger");  // no LOG file: the probe writes nothing
    o.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
    if (options.env != nullptr) o.env = options.env;
    std::vector<std::string> names;
    AUD_RETURN_IF_ERROR(
        from_rocks(rocksdb::DB::ListColumnFamilies(o, options.data_dir.string(), &names),
                   "listing the ledger's column families in " + options.data_dir.string()));
    for (const auto& d : ledger_column_families()) {
        if (std::find(names.begin(), names.end(), d.name) != names.end()) continue;
        // Only a column family the format gained later may be missing: the open adds it.
        if (d.name == layout::kHoldsCf || d.name == layout::kDeferredErasuresCf ||
            d.name == layout::kTreeUpperCf) {
            return std::unique_ptr<LedgerDb>();
        }
        return corruption(
            "ledger: the MANIFEST of " + options.data_dir.string() + " lacks the column family " +
            d.name +
            ", so its files are not all listed; nothing was opened or changed; restore "
            "from a backup (docs/backups.md, \"When the store refuses to open\")");
    }
    std::unique_ptr<LedgerDb> out(new LedgerDb());
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::OpenForReadOnly(o, options.data_dir.string(),
                                                     ledger_column_families(), &out->cf_.all, &raw);
    if (!s.ok()) {
        return from_rocks(s, "opening ledger " + options.data_dir.string() +
                                 log_scan::name_damaged_sst(options.data_dir));
    }
    out->db_.reset(raw);
    out->name_handles();
    return out;
}

LedgerDb::~LedgerDb() {
    if (!db_) return;
    if (flush_at_close_) {
        if (auto s = db_->Flush(rocksdb::FlushOptions(), cf_.all); !s.ok()) {
            spdlog::warn("event store: flushing at close: {}", s.ToString());
        }
    }
    for (auto* h : cf_.all) {
        if (auto s = db_->DestroyColumnFamilyHandle(h); !s.ok()) {
            spdlog::warn("event store: releasing a column family at close: {}", s.ToString());
        }
    }
    if (auto s = db_->Close(); !s.ok())
        spdlog::warn("event store: closing the ledger: {}", s.ToString());
}

Result<LedgerDb::Meta> LedgerDb::read_meta() const {
    std::string format, id, dev;
    const rocksdb::ReadOptions ro;
    AUD_RETURN_IF_ERROR(
        from_rocks(db_->Get(ro, cf_.meta, std::string(layout::kMetaFormat), &format),
                   "reading ledger format"));
    if (format != layout::kLedgerFormat) {
        return failed_precondition("ledger format " + format + " is not supported by this build");
    }
    AUD_RETURN_IF_ERROR(from_rocks(db_->Get(ro, cf_.meta, std::string(layout::kMetaStoreId), &id),
                                   "reading store id"));
    auto parsed = Id::from_bytes(id);
    if (!parsed) return corruption("malformed store id in the ledger's metadata");
    Meta meta;
    meta.store_id = *parsed;
    AUD_RETURN_IF_ERROR(from_rocks(db_->Get(ro, cf_.meta, std::string(layout::kMetaDev), &dev),
                                   "reading dev flag"));
    meta.dev = dev == "1";
    std::string retention;
    rocksdb::Status rs = db_->Get(ro, cf_.meta, std::string(layout::kMetaRetention), &retention);
    if (rs.ok()) {
        meta.retention_us = std::move(retention);
    } else if (!rs.IsNotFound()) {
        return from_rocks(rs, "reading the retention period");
    }
    return meta;
}

Status LedgerDb::write_new_meta(const Id& store_id, bool dev, std::int64_t created_at_us,
                                std::chrono::microseconds retention) {
    rocksdb::WriteBatch b;
    b.Put(cf_.meta, std::string(layout::kMetaFormat), std::string(layout::kLedgerFormat));
    b.Put(cf_.meta, std::string(layout::kMetaStoreId), std::string(store_id.view()));
    b.Put(cf_.meta, std::string(layout::kMetaDev), dev ? "1" : "0");
    b.Put(cf_.meta, std::string(layout::kMetaCreatedAt), std::to_string(created_at_us));
    b.Put(cf_.meta, std::string(layout::kMetaRetention), std::to_string(retention.count()));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return from_rocks(db_->Write(wo, &b), "initializing ledger");
}

Result<bool> LedgerDb::has_witness_marker() const {
    std::string marker;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), cf_.meta, std::string(layout::kMetaWitness), &marker);
    if (s.IsNotFound()) return false;
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading the ledger's metadata"));
    return true;
}

Status LedgerDb::mark_witness() {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return from_rocks(db_->Put(wo, cf_.meta, std::string(layout::kMetaWitness), "1"),
                      "recording the head witness");
}

Status LedgerDb::catch_up() {
    return from_rocks(db_->TryCatchUpWithPrimary(), "catching up with the ledger");
}

Result<Position> LedgerDb::last_position() const {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_.ledger));
    it->SeekToLast();
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading the ledger's head"));
    return it->Valid() ? get_be64(it->key().ToStringView()) : Position{0};
}

}  // namespace auditorium::eventstore::internal
