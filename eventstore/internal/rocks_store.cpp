#include "eventstore/internal/rocks_store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <ctime>
#include <optional>
#include <thread>
#include <unordered_set>

#include "base/big_endian.hpp"
#include "eventstore/internal/head_witness.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/log_scan.hpp"
#include "eventstore/internal/months.hpp"
#include "eventstore/internal/point_lookup_memtable.hpp"
#include "eventstore/internal/public_random.hpp"
#include "eventstore/internal/rocks_logger.hpp"
#include "eventstore/internal/rocks_status.hpp"
#include "eventstore/sodium_init.hpp"

namespace auditorium::eventstore::internal {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kMaxEventsPerAppend = 10'000;
constexpr std::string_view kStoreTypePrefix = "store.";
constexpr std::string_view kErasureType = "store.subject_erased";
constexpr std::uint32_t kSingleKeyId = 1;  // personal and system keys: one per subject

Status validate_type(std::string_view type) {
    if (type.empty() || type.size() > 100) return invalid_argument("event type must be 1..100 characters");
    for (char c : type) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
        if (!ok) return invalid_argument("event type '" + std::string(type) + "' may hold only [a-z0-9._]");
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
            return invalid_argument(where + "event_id " + e.event_id.hex() + " repeats in the append");
        }
        AUD_RETURN_IF_ERROR(validate_type(e.type).with_context(where + "type"));
        for (const SectionInput& s : e.sections) {
            const bool system = s.key_class == KeyClass::kSystem;
            if (system != s.subject.is_none()) {
                return invalid_argument(where + "a section has subject none exactly when its key class is system");
            }
            if (s.key_class > KeyClass::kRetained) return invalid_argument(where + "unknown key class");
        }
    }
    return Status::ok();
}

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
rocksdb::ColumnFamilyOptions cf_options(bool point_lookups, bool sequential, bool per_stream = false,
                                        std::size_t block_size = 4096) {
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

Status make_private_dir(const fs::path& dir) {
    std::error_code ec;
    const bool created = fs::create_directories(dir, ec);
    if (ec) return unavailable("creating " + dir.string() + ": " + ec.message());
    if (created && ::chmod(dir.c_str(), 0700) != 0) {
        return unavailable("setting mode 0700 on " + dir.string());
    }
    return Status::ok();
}

// The keys directory holds the master key and the vault: refused, like a master key file, when
// others may read or write it or it belongs to another user.
Status check_private_dir(const fs::path& dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) return unavailable("reading " + dir.string());
    if (!S_ISDIR(st.st_mode)) return permission_denied(dir.string() + " is not a directory");
    if (st.st_uid != ::geteuid()) {
        return permission_denied(dir.string() + " belongs to another user; the keys directory must be the server's own");
    }
    if ((st.st_mode & 077) != 0) {
        return permission_denied(dir.string() + " may be read or written by others (mode " +
                                 std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
                                 std::to_string(st.st_mode & 7) + "); chmod 700 it");
    }
    return Status::ok();
}

}  // namespace

// In the order of ledger_column_families().
void RocksStore::Handles::name_handles() {
    ledger = all[1];
    streams = all[2];
    event_ids = all[3];
    tree = all[4];
    erasures = all[5];
    meta = all[6];
    tree_heads = all[7];
    holds = all[8];
    deferred_erasures = all[9];
    tree_upper = all[10];
}

namespace {

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


struct RocksStore::Signer {
    SigningKeyId id{};
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret{};
    std::string public_key;
    std::thread thread;
    std::mutex mu;
    std::condition_variable cv;
    bool stop = false;  // GUARDED_BY(mu)
    ~Signer() { sodium_memzero(secret.data(), secret.size()); }
};

// ---- opening ----

Result<std::unique_ptr<Store>> RocksStore::open(const StoreOptions& options) {
    AUD_RETURN_IF_ERROR(init_sodium());
    AUD_RETURN_IF_ERROR(merkle::check_sha256());
    if (options.data_dir.empty()) return invalid_argument("--data: a data directory is required");
    if (options.read_only) return open_read_only(options);
    const fs::path keys_dir =
        options.keys_dir.empty() ? default_keys_dir(options.data_dir) : options.keys_dir;
    const fs::path master_file = keys_dir / layout::kMasterKeyFile;
    const fs::path vault_dir = keys_dir / layout::kVaultDir;
    std::error_code ec;
    // Our own look at the files first: a lost CURRENT, a damaged log or MANIFEST is named here,
    // before RocksDB could drop entries or delete files (log_scan.hpp).
    AUD_ASSIGN_OR_RETURN(auto ledger_files, log_scan::check_database_dir(options.data_dir, "ledger"));
    AUD_ASSIGN_OR_RETURN(auto vault_files, log_scan::check_database_dir(vault_dir, "key vault"));
    const bool ledger_exists = !ledger_files.fresh;
    const bool master_exists = fs::exists(fs::symlink_status(master_file, ec));
    const bool vault_exists = !vault_files.fresh;

    if (!ledger_exists && !options.create_if_missing) {
        return not_found("no ledger at " + options.data_dir.string());
    }
    if ((ledger_exists || vault_exists) && !master_exists) {
        return failed_precondition("the master key " + master_file.string() +
                                   " is missing; without it the ledger's sealed data cannot be read");
    }
    if (ledger_exists && !vault_exists) {
        return failed_precondition("the key vault " + vault_dir.string() +
                                   " is missing for the ledger at " + options.data_dir.string());
    }
    if (!ledger_exists && options.retention <= std::chrono::microseconds::zero()) {
        return invalid_argument("retention: must be positive");
    }
    if (!ledger_exists && !options.dev && options.retention < kMinimumRetention) {
        return invalid_argument("retention: entries are kept at least two years (730 days); only a dev store may keep them shorter");
    }
    AUD_RETURN_IF_ERROR(make_private_dir(keys_dir));
    AUD_RETURN_IF_ERROR(check_private_dir(keys_dir));
    // Refused opens write nothing: the recovered ledger is checked against its heads read-only.
    if (ledger_exists) {
        AUD_ASSIGN_OR_RETURN(auto witness, read_witness(keys_dir, true));
        AUD_RETURN_IF_ERROR(probe_ledger(options, keys_dir, witness));
    }
    if (vault_exists) AUD_RETURN_IF_ERROR(Vault::probe(vault_dir, options.env));

    std::unique_ptr<RocksStore> store(new RocksStore());
    store->clock_ = options.clock;
    store->keys_dir_ = keys_dir;
    store->backup_targets_ = options.backup_targets;
    store->snapshots_ = options.snapshots;
    store->retention_ = options.retention;
    if (ledger_exists) {
        AUD_RETURN_IF_ERROR(store->open_ledger(options, false));
    } else {
        store->store_id_ = random_id();
        store->dev_ = options.dev;
    }
    Vault::Options vo{vault_dir, !ledger_exists, options.env};
    auto vault = open_vault(vo, keys_dir, master_exists, store->store_id_);
    if (!vault) return vault.status();
    store->vault_ = std::move(vault).value();
    if (!ledger_exists) {
        AUD_RETURN_IF_ERROR(make_private_dir(options.data_dir));
        AUD_RETURN_IF_ERROR(store->open_ledger(options, true));
    }
    AUD_RETURN_IF_ERROR(store->recover());
    AUD_RETURN_IF_ERROR(store->finish_pending_shreds());
    AUD_RETURN_IF_ERROR(store->ensure_signing_key());
    AUD_RETURN_IF_ERROR(store->ledger_settings());
    // Every open store has a head for its current size, so auditors always have one to save.
    AUD_ASSIGN_OR_RETURN(auto first_head, store->sign_tree_head());
    AUD_RETURN_IF_ERROR(store->keep_witness(first_head));
    store->signer_->thread = std::thread([s = store.get()] { s->run_signer(); });
    return std::unique_ptr<Store>(std::move(store));
}

// Opens the vault with the master key, finishing a master key rotation a crash interrupted: a
// `master.key.next` beside the key is the new key, current once the vault opens with it.
Result<std::unique_ptr<Vault>> RocksStore::open_vault(const Vault::Options& options,
                                                      const fs::path& keys_dir, bool master_exists,
                                                      const Id& store_id) {
    const fs::path file = keys_dir / layout::kMasterKeyFile;
    const fs::path next_file = keys_dir / (std::string(layout::kMasterKeyFile) + ".next");
    if (!master_exists) {
        AUD_ASSIGN_OR_RETURN(MasterKey created, MasterKey::create(file));
        return Vault::open(options, std::move(created), store_id);
    }
    AUD_ASSIGN_OR_RETURN(MasterKey current, MasterKey::load(file));
    std::error_code ec;
    if (!fs::exists(next_file, ec)) return Vault::open(options, std::move(current), store_id);
    AUD_ASSIGN_OR_RETURN(MasterKey next, MasterKey::load(next_file));
    auto with_next = Vault::open(options, next, store_id);
    if (with_next) {
        // The vault was re-wrapped: the rename had not happened yet.
        fs::rename(next_file, file, ec);
        if (ec) return unavailable("finishing a master key rotation: " + ec.message());
        spdlog::info("event store: finished an interrupted master key rotation");
        return with_next;
    }
    if (with_next.status().code() != StatusCode::kPermissionDenied) return with_next.status();
    // Not re-wrapped yet: the rotation never took effect. A next key left behind is tried and
    // dropped again at the next open, so a failed removal is only worth a log line.
    fs::remove(next_file, ec);
    if (ec) spdlog::warn("event store: removing the unused {}: {}", next_file.string(), ec.message());
    return Vault::open(options, std::move(current), store_id);
}

Result<Position> RocksStore::rotate_master_key(const Id& actor) {
    if (read_only_) return failed_precondition("the store is open read-only");
    const fs::path file = keys_dir_ / layout::kMasterKeyFile;
    const fs::path next_file = keys_dir_ / (std::string(layout::kMasterKeyFile) + ".next");
    AUD_ASSIGN_OR_RETURN(MasterKey old_key, MasterKey::load(file));
    AUD_ASSIGN_OR_RETURN(MasterKey next, MasterKey::create(next_file));
    AUD_RETURN_IF_ERROR(vault_->rotate_master(next));
    std::error_code ec;
    fs::rename(next_file, file, ec);
    if (ec) return unavailable("installing the new master key: " + ec.message());
    NewEvent record;
    record.event_id = random_id();
    record.type = "store.master_key_rotated";
    record.actor = actor;
    record.clear = "{\"old_master_key\":\"" + old_key.fingerprint() + "\",\"new_master_key\":\"" +
                   next.fingerprint() + "\"}";
    AUD_ASSIGN_OR_RETURN(auto appended, append_store_record("store-keys", ExpectedVersion::any(), std::move(record)));
    spdlog::info("event store: master key rotated ({} -> {})", old_key.fingerprint(), next.fingerprint());
    return appended.first_position;
}

Result<Position> RocksStore::rotate_signing_key(const Id& actor) {
    if (read_only_ || !signer_) return failed_precondition("the store is open read-only");
    std::lock_guard lock(sign_mu_);
    const SigningKeyId old_id = signer_->id;
    const DataKey seed = DataKey::generate();
    SigningKeyId id{};
    randombytes_buf(id.data(), id.size());
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
    crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
    AUD_RETURN_IF_ERROR(vault_->store_secret("signing:" + signing_key_id_hex(id), seed));
    // One batch retires the old key and publishes the new one; the old public key stays, so
    // every tree head it signed still verifies.
    AUD_ASSIGN_OR_RETURN(auto keys, signing_keys());
    rocksdb::WriteBatch batch;
    for (const auto& k : keys) {
        if (!k.active) continue;
        std::string value = k.key;
        value.push_back('\x00');
        put_be64(value, static_cast<std::uint64_t>(k.created_at_us));
        batch.Put(cf_->meta, std::string(layout::kMetaSigningKeyPrefix) + signing_key_id_hex(k.id), value);
    }
    std::string value(reinterpret_cast<const char*>(pk.data()), pk.size());
    value.push_back('\x01');
    put_be64(value, static_cast<std::uint64_t>(now_us()));
    batch.Put(cf_->meta, std::string(layout::kMetaSigningKeyPrefix) + signing_key_id_hex(id), value);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    AUD_RETURN_IF_ERROR(from_rocks(db_->Write(wo, &batch), "publishing the new signing key"));
    signer_->id = id;
    signer_->public_key.assign(reinterpret_cast<const char*>(pk.data()), pk.size());
    signer_->secret = sk;
    sodium_memzero(sk.data(), sk.size());
    NewEvent record;
    record.event_id = random_id();
    record.type = "store.signing_key_rotated";
    record.actor = actor;
    record.clear = "{\"old_key_id\":\"" + signing_key_id_hex(old_id) + "\",\"new_key_id\":\"" +
                   signing_key_id_hex(id) + "\",\"new_public_key\":\"" + to_hex(signer_->public_key) + "\"}";
    AUD_ASSIGN_OR_RETURN(auto appended, append_store_record("store-keys", ExpectedVersion::any(), std::move(record)));
    spdlog::info("event store: signing key rotated ({} -> {})", signing_key_id_hex(old_id), signing_key_id_hex(id));
    return appended.first_position;
}

Result<std::unique_ptr<Store>> RocksStore::open_read_only(const StoreOptions& options) {
    AUD_ASSIGN_OR_RETURN(auto files, log_scan::check_database_dir(options.data_dir, "ledger"));
    if (files.fresh) return not_found("no ledger at " + options.data_dir.string());
    const fs::path keys_dir = options.keys_dir.empty() ? default_keys_dir(options.data_dir) : options.keys_dir;
    // Read before the ledger, so that every entry the witness covers is in what we open.
    AUD_ASSIGN_OR_RETURN(auto witness, read_witness(keys_dir, options.with_keys));
    // A secondary instance skips SSTs its MANIFEST lists but cannot find: RocksDB's read-only
    // open does not, so the ledger is first checked that way (nothing is written).
    AUD_RETURN_IF_ERROR(probe_ledger(options, keys_dir, witness));
    std::unique_ptr<RocksStore> store(new RocksStore());
    store->read_only_ = true;
    store->adopt_head_witness_ = options.adopt_head_witness;
    store->clock_ = options.clock;
    store->snapshots_ = options.snapshots;
    std::error_code tmp_ec;
    const fs::path tmp = fs::temp_directory_path(tmp_ec);
    if (tmp_ec) return unavailable("finding the temporary directory for a scratch directory: " + tmp_ec.message());
    std::string pattern = (tmp / "auditorium-reader-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return unavailable("cannot make a scratch directory");
    store->scratch_ = pattern;
    AUD_RETURN_IF_ERROR(store->open_ledger_secondary(options));
    if (options.with_keys) {
        auto master = MasterKey::load(keys_dir / layout::kMasterKeyFile);
        if (!master) return master.status();
        auto vault = Vault::open_secondary(keys_dir / layout::kVaultDir, store->scratch_ / "vault",
                                           std::move(master).value(), store->store_id_);
        if (!vault) return vault.status();
        store->vault_ = std::move(vault).value();
    }
    AUD_RETURN_IF_ERROR(store->recover());
    AUD_RETURN_IF_ERROR(store->check_heads(keys_dir, witness));
    AUD_RETURN_IF_ERROR(store->check_settings_rows());
    return std::unique_ptr<Store>(std::move(store));
}

Result<RocksStore::Witness> RocksStore::read_witness(const fs::path& keys_dir, bool required) {
    // An auditor's copy without the keys directory (or a backup being checked) has no witness.
    std::error_code ec;
    if (!required && !fs::exists(keys_dir / layout::kMasterKeyFile, ec)) return Witness{};
    Witness w;
    w.checked = true;
    auto head = head_witness::read(keys_dir);
    if (head) {
        w.head = std::move(head).value();
        return w;
    }
    // An auditor without the keys directory checks the ledger against its own heads only.
    if (!required && head.status().code() != StatusCode::kCorruption) return Witness{};
    return head.status();
}

// Opens the existing ledger read-only (nothing in its directory is written), recovers it as the
// read-write open would, and checks it against the witness and its own newest tree head.
Status RocksStore::probe_ledger(const StoreOptions& options, const fs::path& keys_dir, const Witness& witness) {
    std::unique_ptr<RocksStore> probe(new RocksStore());
    probe->read_only_ = true;
    probe->adopt_head_witness_ = options.adopt_head_witness;
    AUD_RETURN_IF_ERROR(probe->open_ledger_for_probe(options));
    if (!probe->db_) return Status::ok();  // an older format: nothing to compare yet
    AUD_RETURN_IF_ERROR(probe->recover());
    return probe->check_heads(keys_dir, witness);
}

Status RocksStore::check_heads(const fs::path& keys_dir, const Witness& witness) {
    const std::uint64_t size = head();
    const auto root = [this](std::uint64_t n) { return root_at(n); };
    auto newest = newest_tree_head();
    if (newest) {
        // Its size only: whether it is authentic, and its root, are verify's to check.
        AUD_RETURN_IF_ERROR(head_witness::check_extends(*newest, size, nullptr, "its own newest signed tree head"));
    } else if (newest.status().code() != StatusCode::kNotFound) {
        return newest.status();
    }
    if (!witness.checked || adopt_head_witness_) return Status::ok();
    const fs::path file = head_witness::file_in(keys_dir);
    // Another ledger's keys directory: said as such, not as a ledger that lost its entries.
    if (witness.head && witness.head->store_id != store_id_) {
        return failed_precondition("the head witness " + file.string() + " belongs to another ledger (store id " +
                                   witness.head->store_id.hex() + ", the ledger's " + store_id_.hex() + ")");
    }
    if (witness.head) return head_witness::check_extends(*witness.head, size, root, "the head witness " + file.string());
    std::string marker;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_->meta, std::string(layout::kMetaWitness), &marker);
    if (s.IsNotFound()) return Status::ok();  // made before witnesses: the first read-write open writes one
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading the ledger's metadata"));
    return failed_precondition("the head witness " + file.string() +
                               " is missing, so nothing shows whether the ledger lost entries; restore it from "
                               "the keys directory's backup, or see docs/backups.md, \"When the store refuses to open\"");
}

Status RocksStore::keep_witness(const SignedTreeHead& head) {
    AUD_RETURN_IF_ERROR(head_witness::write(keys_dir_, head));
    std::string marker;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_->meta, std::string(layout::kMetaWitness), &marker);
    if (s.ok()) return Status::ok();
    if (!s.IsNotFound()) return from_rocks(s, "reading the ledger's metadata");
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return from_rocks(db_->Put(wo, cf_->meta, std::string(layout::kMetaWitness), "1"),
                      "recording the head witness");
}

Status RocksStore::open_ledger_for_probe(const StoreOptions& options) {
    rocksdb::DBOptions o;
    o.info_log = make_rocks_logger("ledger");  // no LOG file: the probe writes nothing
    o.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
    if (options.env != nullptr) o.env = options.env;
    std::vector<std::string> names;
    AUD_RETURN_IF_ERROR(from_rocks(rocksdb::DB::ListColumnFamilies(o, options.data_dir.string(), &names),
                                   "listing the ledger's column families in " + options.data_dir.string()));
    for (const auto& d : ledger_column_families()) {
        if (std::find(names.begin(), names.end(), d.name) != names.end()) continue;
        // Only a column family the format gained later may be missing: the open adds it.
        if (d.name == layout::kHoldsCf || d.name == layout::kDeferredErasuresCf || d.name == layout::kTreeUpperCf) {
            return Status::ok();
        }
        return corruption("ledger: the MANIFEST of " + options.data_dir.string() + " lacks the column family " +
                          d.name + ", so its files are not all listed; nothing was opened or changed; restore "
                          "from a backup (docs/backups.md, \"When the store refuses to open\")");
    }
    cf_ = std::make_unique<Handles>();
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::OpenForReadOnly(o, options.data_dir.string(), ledger_column_families(),
                                                     &cf_->all, &raw);
    if (!s.ok()) {
        return from_rocks(s, "opening ledger " + options.data_dir.string() +
                                 log_scan::name_damaged_sst(options.data_dir));
    }
    db_.reset(raw);
    cf_->name_handles();
    return read_meta();
}

Status RocksStore::open_ledger_secondary(const StoreOptions& options) {
    rocksdb::DBOptions o;
    o.max_open_files = -1;  // required by secondary instances
    o.info_log = make_rocks_logger("ledger");
    o.allow_mmap_reads = options.map_files;
    if (options.env != nullptr) o.env = options.env;
    cf_ = std::make_unique<Handles>();
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s =
        rocksdb::DB::OpenAsSecondary(o, options.data_dir.string(), (scratch_ / "ledger").string(),
                                     ledger_column_families(), &cf_->all, &raw);
    if (!s.ok()) return from_rocks(s, "opening ledger " + options.data_dir.string() + " read-only");
    db_.reset(raw);
    AUD_RETURN_IF_ERROR(from_rocks(db_->TryCatchUpWithPrimary(), "catching up with the ledger"));
    cf_->name_handles();
    return read_meta();
}


Status RocksStore::open_ledger(const StoreOptions& options, bool create) {
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

    const auto cfs = ledger_column_families();
    cf_ = std::make_unique<Handles>();
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, options.data_dir.string(), cfs, &cf_->all, &raw);
    if (!s.ok()) {
        return from_rocks(s, "opening ledger " + options.data_dir.string() +
                                 log_scan::name_damaged_sst(options.data_dir));
    }
    db_.reset(raw);
    cf_->name_handles();

    if (create) {
        rocksdb::WriteBatch b;
        b.Put(cf_->meta, std::string(layout::kMetaFormat), std::string(layout::kLedgerFormat));
        b.Put(cf_->meta, std::string(layout::kMetaStoreId), std::string(store_id_.view()));
        b.Put(cf_->meta, std::string(layout::kMetaDev), dev_ ? "1" : "0");
        b.Put(cf_->meta, std::string(layout::kMetaCreatedAt), std::to_string(now_us()));
        b.Put(cf_->meta, std::string(layout::kMetaRetention), std::to_string(retention_.count()));
        rocksdb::WriteOptions wo;
        wo.sync = true;
        return from_rocks(db_->Write(wo, &b), "initializing ledger");
    }
    return read_meta();
}

Status RocksStore::read_meta() {
    std::string format, id, dev;
    const rocksdb::ReadOptions ro;
    AUD_RETURN_IF_ERROR(from_rocks(db_->Get(ro, cf_->meta, std::string(layout::kMetaFormat), &format),
                                   "reading ledger format"));
    if (format != layout::kLedgerFormat) {
        return failed_precondition("ledger format " + format + " is not supported by this build");
    }
    AUD_RETURN_IF_ERROR(from_rocks(db_->Get(ro, cf_->meta, std::string(layout::kMetaStoreId), &id),
                                   "reading store id"));
    auto parsed = Id::from_bytes(id);
    if (!parsed) return corruption("malformed store id in the ledger's metadata");
    store_id_ = *parsed;
    AUD_RETURN_IF_ERROR(from_rocks(db_->Get(ro, cf_->meta, std::string(layout::kMetaDev), &dev),
                                   "reading dev flag"));
    dev_ = dev == "1";
    std::string retention;
    rocksdb::Status rs = db_->Get(ro, cf_->meta, std::string(layout::kMetaRetention), &retention);
    if (rs.ok()) {
        AUD_RETURN_IF_ERROR(apply_meta_retention(retention));
    } else if (!rs.IsNotFound()) {
        return from_rocks(rs, "reading the retention period");
    }
    return Status::ok();
}

Status RocksStore::recover() {
    Position last = 0;
    std::int64_t last_recorded = 0;
    {
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_->ledger));
        it->SeekToLast();
        if (it->Valid()) {
            last = get_be64(it->key().ToStringView());
            auto decoded = decode_entry(it->value().ToStringView());
            if (!decoded) return decoded.status().with_context("last entry at position " + std::to_string(last));
            last_recorded = decoded->header.recorded_at_us;
        }
        AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading the ledger's head"));
    }
    auto pieces = tree_pieces();
    auto frontier = merkle::Frontier::restore(
        last, [&pieces](unsigned level, std::uint64_t index) { return pieces->node(level, index); });
    if (!frontier) return frontier.status().with_context("restoring the Merkle tree");
    frontier_ = std::move(frontier).value();
    sequencer_ = std::make_unique<Sequencer>(last, last_recorded);
    durable_.advance(last, TreeHead{frontier_.size(), merkle::to_string(frontier_.root())});
    if (!read_only_) {
        queue_ = std::make_unique<CommitQueue>(
            [this](const std::vector<std::shared_ptr<CommitSlot>>& batch) { return commit(batch); });
    }
    return Status::ok();
}

Status RocksStore::finish_pending_shreds() {
    AUD_ASSIGN_OR_RETURN(auto pending, vault_->pending_shreds());
    for (const Id& subject : pending) {
        AUD_ASSIGN_OR_RETURN(bool erased, is_erased(subject));
        if (erased) {
            // backups: registered before the key goes, as in erase() (internal/backup.cpp).
            AUD_RETURN_IF_ERROR(record_pending_erasure_in_backups(subject));
            AUD_RETURN_IF_ERROR(vault_->destroy_personal_keys(subject));
        }
        AUD_RETURN_IF_ERROR(vault_->clear_pending_shred(subject));
    }
    return Status::ok();
}

RocksStore::~RocksStore() {
    if (signer_ && signer_->thread.joinable()) {
        {
            std::lock_guard lock(signer_->mu);
            signer_->stop = true;
        }
        signer_->cv.notify_all();
        signer_->thread.join();
    }
    // Joins the writer after it commits what is queued; queue_ stays valid meanwhile, for an
    // append_async made by the answer to another.
    if (queue_) queue_->close();
    queue_.reset();
    durable_.release_all(unavailable("the store closed before the entries were synced"));
    if (!read_only_ && signer_ && head() > 0 && durable_.refused().is_ok()) {
        // A clean close leaves a signed head for the final size.
        if (auto h = sign_tree_head(); !h) {
            spdlog::warn("event store: final tree head: {}", h.status().to_string());
        }
    }
    vault_.reset();
    if (db_ && !read_only_) {
        // Read-only opens then start from SSTs alone instead of replaying the log.
        rocksdb::FlushOptions flush;
        if (auto s = db_->Flush(flush, cf_->all); !s.ok()) {
            spdlog::warn("event store: flushing at close: {}", s.ToString());
        }
    }
    if (db_) {
        for (auto* h : cf_->all) {
            if (auto s = db_->DestroyColumnFamilyHandle(h); !s.ok()) {
                spdlog::warn("event store: releasing a column family at close: {}", s.ToString());
            }
        }
        if (auto s = db_->Close(); !s.ok()) spdlog::warn("event store: closing the ledger: {}", s.ToString());
        db_.reset();
    }
    if (!scratch_.empty()) {
        // ec ignored on purpose: nothing later depends on the scratch directory being gone, and
        // one left behind sits in the temporary directory, which the system cleans.
        std::error_code ec;
        fs::remove_all(scratch_, ec);
    }
}

std::int64_t RocksStore::now_us() const {
    if (clock_) return clock_();
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// ---- appending ----

Result<AppendResult> RocksStore::append(std::string_view stream, ExpectedVersion expected,
                                        std::vector<NewEvent> events) {
    AUD_RETURN_IF_ERROR(validate_append(stream, events));
    return finish_waiting(submit(stream, expected, std::move(events)));
}

void RocksStore::append_async(std::string_view stream, ExpectedVersion expected,
                              std::vector<NewEvent> events, AppendDone done) {
    if (Status s = validate_append(stream, events); !s.is_ok()) return done(std::move(s));
    Submitted submitted = submit(stream, expected, std::move(events));
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
    durable_.when_durable(submitted.if_durable.last_position, std::move(finish));  // the original's sync
}

Status RocksStore::validate_append(std::string_view stream, const std::vector<NewEvent>& events) const {
    if (read_only_) return failed_precondition("the store is open read-only");
    AUD_RETURN_IF_ERROR(validate_stream_name(stream));
    AUD_RETURN_IF_ERROR(validate_events(events));
    // The store's records live in streams "store-*": an event of another's there could take the
    // version a store record expects (the settings record is written once, to a new stream).
    if (stream.starts_with("store-")) {
        return invalid_argument("stream " + std::string(stream) + ": streams store-* are the store's own");
    }
    for (const NewEvent& e : events) {
        if (e.type.rfind(kStoreTypePrefix, 0) == 0) {
            return invalid_argument("event type " + e.type + ": types store.* are the store's own");
        }
    }
    return Status::ok();
}

Result<AppendResult> RocksStore::finish_waiting(Submitted submitted) {
    if (submitted.answer) return std::move(*submitted.answer);
    if (submitted.slot) {
        queue_->mark_prepared(submitted.slot);
        AUD_RETURN_IF_ERROR(queue_->wait(submitted.slot));
    } else {
        AUD_RETURN_IF_ERROR(durable_.wait_durable(submitted.if_durable.last_position));
    }
    return submitted.if_durable;
}

Result<AppendResult> RocksStore::append_store_record(
    std::string_view stream, ExpectedVersion expected, NewEvent record,
    std::vector<PreparedEntry::IndexWrite> index_writes) {
    if (read_only_) return failed_precondition("the store is open read-only");
    AUD_RETURN_IF_ERROR(validate_stream_name(stream));
    std::vector<NewEvent> events;
    events.push_back(std::move(record));
    AUD_RETURN_IF_ERROR(validate_events(events));
    return finish_waiting(submit(stream, expected, std::move(events), std::move(index_writes)));
}

Status RocksStore::refuse_new_key(const Id& subject, KeyClass key_class) {
    if (key_class != KeyClass::kPersonal) return Status::ok();
    AUD_ASSIGN_OR_RETURN(bool erased, is_erased(subject));
    if (erased) {
        return failed_precondition("subject " + subject.hex() +
                                   " was erased; no new personal data may be sealed for it");
    }
    return Status::ok();
}

Result<std::vector<SectionKey>> RocksStore::keys_for(const std::vector<NewEvent>& events,
                                                     std::int64_t now) {
    std::vector<SectionKey> keys;
    const auto refuse = [this](const Id& s, KeyClass c) { return refuse_new_key(s, c); };
    for (const NewEvent& e : events) {
        for (const SectionInput& s : e.sections) {
            const std::uint32_t key_id =
                s.key_class == KeyClass::kRetained ? month_key_id(now) : kSingleKeyId;
            AUD_ASSIGN_OR_RETURN(DataKey k,
                                 vault_->key_for_sealing(s.subject, s.key_class, key_id, refuse));
            keys.push_back(SectionKey{std::move(k), key_id});
        }
    }
    return keys;
}

Result<Sequencer::Lookups> RocksStore::look_up(std::string_view stream, const std::vector<Id>& ids) {
    Sequencer::Lookups out;
    out.ids.resize(ids.size());
    std::vector<rocksdb::Slice> keys;
    keys.reserve(ids.size());
    for (const Id& id : ids) keys.emplace_back(id.view());
    std::vector<rocksdb::PinnableSlice> values(ids.size());
    std::vector<rocksdb::Status> statuses(ids.size());
    db_->MultiGet(rocksdb::ReadOptions(), cf_->event_ids, ids.size(), keys.data(), values.data(),
                  statuses.data());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (statuses[i].IsNotFound()) continue;
        AUD_RETURN_IF_ERROR(from_rocks(statuses[i], "looking up event ids"));
        const std::string_view v = values[i].ToStringView();
        if (v.size() < 16) return corruption("malformed event id index value");
        out.ids[i] = IdLocation{get_be64(v), get_be64(v.substr(8)),
                                std::string(v.substr(16))};
    }
    if (auto known = sequencer_->known_version(stream)) {
        out.stream_version = *known;
    } else {
        AUD_ASSIGN_OR_RETURN(out.stream_version, stream_version(stream));
    }
    return out;
}

RocksStore::Submitted RocksStore::submit(std::string_view stream, ExpectedVersion expected,
                                         std::vector<NewEvent> events,
                                         std::vector<PreparedEntry::IndexWrite> index_writes) {
    const auto answer = [](Result<AppendResult> r) {
        Submitted out;
        out.answer.emplace(std::move(r));
        return out;
    };
    const std::int64_t now = now_us();
    auto keys = keys_for(events, now);
    if (!keys) return answer(keys.status());
    std::vector<Id> ids;
    ids.reserve(events.size());
    for (const NewEvent& e : events) ids.push_back(e.event_id);

    auto ticket = sequencer_->begin_lookup();
    auto lookups = look_up(stream, ids);
    if (!lookups) {
        sequencer_->abandon(ticket);
        return answer(lookups.status());
    }
    auto slot = std::make_shared<CommitSlot>();
    slot->stream = std::string(stream);
    const auto d = sequencer_->decide(ticket, stream, expected, ids, *lookups, now,
                                      [&](const Sequencer::Decision& dd) {
                                          slot->first_position = dd.first_position;
                                          queue_->enqueue(slot);
                                      });
    using Kind = Sequencer::Decision::Kind;
    Submitted out;
    out.if_durable = AppendResult{d.first_position, d.first_position + ids.size() - 1,
                                  d.first_version, d.first_version + ids.size() - 1,
                                  d.kind == Kind::kReplay};
    switch (d.kind) {
        case Kind::kRefused:
            return answer(durable_.refused());
        case Kind::kReusedId:
            return answer(already_exists("reused event id: " + d.detail));
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
        case Kind::kReplay:
            return out;  // answered once the original is durable (at once if it is)
        case Kind::kAppend:
            break;
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

void RocksStore::prepare(CommitSlot& slot, const std::vector<NewEvent>& events,
                         const std::vector<SectionKey>& keys, const Sequencer::Decision& d) {
    slot.entries.resize(events.size());
    std::string nonces(keys.size() * kNonceSize, '\0');
    public_random(reinterpret_cast<std::uint8_t*>(nonces.data()), nonces.size());  // one draw for the whole append
    std::size_t key_index = 0;
    std::vector<StoredSection> scratch;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const NewEvent& e = events[i];
        EntryHeader h{d.first_position + i, slot.stream,  d.first_version + i, e.event_id,
                      e.type,               e.schema_version, d.recorded_at_us, e.actor,
                      e.subject,            e.correlation, e.causation};
        PreparedEntry& pe = slot.entries[i];
        pe.position = h.position;
        pe.version = h.version;
        pe.event_id = e.event_id;
        pe.bytes = seal_and_encode(h, e.clear, e.sections, keys.data() + key_index,
                                   reinterpret_cast<const std::uint8_t*>(nonces.data()) + key_index * kNonceSize,
                                   scratch);
        key_index += e.sections.size();
        pe.leaf = merkle::leaf_hash(pe.bytes);
    }
}

// The refusal is set before the sequencer refuses, so that an append it refuses is answered with
// the reason; the waiters are released after, so that none of them can sequence another.
Status RocksStore::refuse(Status why) {
    bool first = false;
    const Status refused = durable_.set_refused(
        unavailable("the store refuses appends until it is reopened, after: " + why.to_string()), first);
    if (first) spdlog::error("event store: {}", refused.message());
    sequencer_->refuse_all();
    durable_.release_all(refused);
    return refused;
}

Status RocksStore::commit(const std::vector<std::shared_ptr<CommitSlot>>& batch) {
    if (Status refused = durable_.refused(); !refused.is_ok()) return refused;
    for (const auto& slot : batch) {
        if (!slot->prepare_error.is_ok()) return refuse(slot->prepare_error);
    }
    if (Status s = vault_->sync_if_dirty(); !s.is_ok()) return refuse(s);

    // Sized up front: growing a batch of thousands of entries by doubling copies it again and again.
    std::size_t bytes = 0;
    for (const auto& slot : batch) {
        for (const PreparedEntry& e : slot->entries) bytes += e.bytes.size() + 2 * 32 + 96 + slot->stream.size();
    }
    rocksdb::WriteBatch wb(bytes);
    merkle::Frontier working = frontier_;
    std::vector<merkle::Hash> completed;
    std::string piece;  // tree hashes of consecutive leaves, from piece_first on
    Position piece_first = 0;
    const auto put_piece = [&] {
        if (!piece.empty()) wb.Put(cf_->tree, be64(piece_first), piece);
        piece.clear();
    };
    for (const auto& slot : batch) {
        if (slot->entries.empty()) continue;
        const PreparedEntry& first = slot->entries.front();
        wb.Put(cf_->streams, layout::stream_key(slot->stream, first.version),
               layout::stream_run_value(first.position, slot->entries.size()));
        for (const PreparedEntry& e : slot->entries) {
            const std::string pos = be64(e.position);
            wb.Put(cf_->ledger, pos, e.bytes);
            wb.Put(cf_->event_ids, e.event_id.view(),
                   layout::event_id_value(e.position, e.version, slot->stream));
            if (piece.empty() || layout::starts_tree_piece(e.position)) {
                put_piece();
                piece_first = e.position;
            }
            working.push(e.leaf, completed);
            for (const auto& h : completed) piece.append(reinterpret_cast<const char*>(h.data()), h.size());
            if (completed.size() > layout::kTreeUpperLevel) {
                std::string upper;
                for (std::size_t l = layout::kTreeUpperLevel; l < completed.size(); ++l) {
                    upper.append(reinterpret_cast<const char*>(completed[l].data()), completed[l].size());
                }
                wb.Put(cf_->tree_upper, pos, upper);
            }
            for (const auto& w : e.index_writes) {
                using Family = PreparedEntry::IndexWrite::Family;
                rocksdb::ColumnFamilyHandle* cf = w.family == Family::kErasures ? cf_->erasures
                                                  : w.family == Family::kHolds  ? cf_->holds
                                                  : w.family == Family::kLedger ? cf_->ledger
                                                                                : cf_->deferred_erasures;
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
    if (Status s = from_rocks(db_->Write(wo, &wb), "committing appends"); !s.is_ok()) {
        return refuse(s);
    }
    frontier_ = std::move(working);
    const Position last = batch.back()->entries.back().position;
    sequencer_->committed(last);
    durable_.advance(last, TreeHead{frontier_.size(), merkle::to_string(frontier_.root())});
    return Status::ok();
}

std::unique_ptr<TreePieces> RocksStore::tree_pieces() {
    return std::make_unique<TreePieces>(*db_, *cf_->tree, *cf_->tree_upper, rocksdb::ReadOptions());
}

// ---- reading ----

Position RocksStore::head() const { return durable_.head(); }

Store::TreeHead RocksStore::tree_head() const { return durable_.tree_head(); }

Position RocksStore::wait_for(Position position, std::chrono::steady_clock::time_point deadline) {
    return durable_.wait_for(position, deadline);
}

namespace {

// One `streams` key: versions first..first+count-1 at positions first_position.. (layout.hpp).
struct StreamRun {
    StreamVersion first = 0;
    std::uint64_t count = 0;
    Position first_position = 0;
    StreamVersion last() const { return first + count - 1; }
};

// The run under the iterator if it belongs to the stream of `prefix`; nullopt past the stream.
Result<std::optional<StreamRun>> run_at(const rocksdb::Iterator& it, std::string_view prefix) {
    if (!it.Valid() || !it.key().starts_with(prefix)) return std::optional<StreamRun>();
    const std::string_view key = it.key().ToStringView();
    const std::string_view value = it.value().ToStringView();
    if (key.size() != prefix.size() + 8 || value.size() != 16) {
        return corruption("a malformed stream index record for " +
                          std::string(prefix.substr(0, prefix.size() - 1)));
    }
    StreamRun r{get_be64(key.substr(prefix.size())), get_be64(value.substr(8)),
                get_be64(value)};
    if (r.first == 0 || r.count == 0 || r.first_position == 0) {
        return corruption("an empty stream index record for " +
                          std::string(prefix.substr(0, prefix.size() - 1)));
    }
    return std::optional<StreamRun>(r);
}

}  // namespace

Result<StreamVersion> RocksStore::stream_version(std::string_view stream) {
    const std::string prefix = layout::stream_prefix(stream);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_->streams));
    it->SeekForPrev(layout::stream_key(stream, UINT64_MAX));
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading stream " + std::string(stream)));
    AUD_ASSIGN_OR_RETURN(auto run, run_at(*it, prefix));
    return run ? run->last() : StreamVersion{0};
}

Result<bool> RocksStore::is_erased(const Id& subject) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_->erasures, subject.view(), &value);
    if (s.IsNotFound()) return false;
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading erasure records"));
    return true;
}

Result<Entry> RocksStore::materialize(std::string_view bytes, Position expected_position) {
    const std::string where = "entry at position " + std::to_string(expected_position);
    if (layout::is_purged_value(bytes)) {
        if (get_be64(bytes.substr(layout::kPurgedMarker.size())) != expected_position) {
            return corruption(where + ": a purge marker for another position");
        }
        Entry purged;
        purged.position = expected_position;
        purged.purged = true;
        return purged;
    }
    auto decoded = decode_entry(bytes);
    if (!decoded) return decoded.status().with_context(where);
    DecodedEntry& d = *decoded;
    if (d.header.position != expected_position) {
        return corruption(where + " claims position " + std::to_string(d.header.position));
    }
    Entry e;
    e.position = d.header.position;
    e.stream = std::move(d.header.stream);
    e.version = d.header.version;
    e.event_id = d.header.event_id;
    e.type = std::move(d.header.type);
    e.schema_version = d.header.schema_version;
    e.recorded_at_us = d.header.recorded_at_us;
    e.actor = d.header.actor;
    e.subject = d.header.subject;
    e.correlation = d.header.correlation;
    e.causation = d.header.causation;
    e.clear = std::move(d.clear);
    e.canonical = std::string(bytes);
    // The binding reads the header fields back from the entry we are building.
    EntryHeader h{e.position, e.stream, e.version, e.event_id, e.type, e.schema_version,
                  e.recorded_at_us, e.actor, e.subject, e.correlation, e.causation};
    for (std::size_t i = 0; i < d.sections.size(); ++i) {
        const StoredSection& s = d.sections[i];
        Section out{s.subject, s.key_class, s.key_id, Section::State::kSealed, {}};
        if (!vault_) {  // an auditor's read: no keys
            e.sections.push_back(std::move(out));
            continue;
        }
        AUD_ASSIGN_OR_RETURN(auto key, vault_->key_for_opening(s.subject, s.key_class, s.key_id));
        if (key) {
            auto plain = internal::open(*key, binding_of(h, s.subject, s.key_class, s.key_id), s.commitment,
                              s.nonce, s.ciphertext);
            if (!plain) {
                return plain.status().with_context(where + ", section " + std::to_string(i));
            }
            out.plaintext = std::move(plain).value();
            out.state = Section::State::kOpen;
        } else {
            // A retention key goes once its month has passed retention (purge); a ledger restored
            // from before that purge still holds the records it sealed, now unreadable by design.
            if (s.key_class == KeyClass::kRetained &&
                month_end_us(s.key_id) + retention_.count() <= now_us()) {
                out.state = Section::State::kExpired;
                e.sections.push_back(std::move(out));
                continue;
            }
            AUD_ASSIGN_OR_RETURN(bool erased, s.key_class == KeyClass::kPersonal
                                                  ? is_erased(s.subject)
                                                  : Result<bool>(false));
            if (!erased) {
                return data_loss(where + ", section " + std::to_string(i) + ": the " +
                                 std::string(key_class_name(s.key_class)) + " key of subject " +
                                 s.subject.hex() +
                                 " is missing from the vault and the ledger holds no erasure "
                                 "record for it");
            }
            out.state = Section::State::kErased;
        }
        e.sections.push_back(std::move(out));
    }
    return e;
}

Result<std::vector<Entry>> RocksStore::read_all(Position from, std::size_t max) {
    std::vector<Entry> out;
    const Position last = head();
    if (from == 0) from = 1;
    if (from > last || max == 0) return out;
    const std::string upper = be64(last + 1);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_->ledger));
    Position expected = from;
    for (it->Seek(be64(from)); it->Valid() && out.size() < max; it->Next(), ++expected) {
        const Position pos = get_be64(it->key().ToStringView());
        if (pos != expected) {
            return corruption("the ledger has no entry at position " + std::to_string(expected));
        }
        AUD_ASSIGN_OR_RETURN(Entry e, materialize(it->value().ToStringView(), pos));
        out.push_back(std::move(e));
    }
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading the ledger"));
    if (out.size() < max && expected <= last) {
        return corruption("the ledger has no entry at position " + std::to_string(expected));
    }
    return out;
}

Result<std::vector<Entry>> RocksStore::read_stream(std::string_view stream, StreamVersion from,
                                                   Direction direction, std::size_t max) {
    AUD_RETURN_IF_ERROR(validate_stream_name(stream));
    std::vector<Entry> out;
    const Position last = head();
    const std::string prefix = layout::stream_prefix(stream);
    std::unique_ptr<rocksdb::Iterator> runs(db_->NewIterator(rocksdb::ReadOptions(), cf_->streams));
    std::unique_ptr<rocksdb::Iterator> ledger(db_->NewIterator(rocksdb::ReadOptions(), cf_->ledger));
    const bool forward = direction == Direction::kForward;
    // The run holding `from`, or the next one in the reading direction.
    runs->SeekForPrev(layout::stream_key(stream, from));
    if (forward) {
        AUD_ASSIGN_OR_RETURN(auto run, run_at(*runs, prefix));
        if (!run || run->last() < from) runs->Seek(layout::stream_key(stream, from));
    }
    for (; out.size() < max; forward ? runs->Next() : runs->Prev()) {
        AUD_RETURN_IF_ERROR(from_rocks(runs->status(), "reading stream " + std::string(stream)));
        AUD_ASSIGN_OR_RETURN(auto run, run_at(*runs, prefix));
        if (!run) break;
        const StreamVersion begin = forward ? std::max(from, run->first) : std::min(from, run->last());
        const std::uint64_t available = forward ? run->last() - begin + 1 : begin - run->first + 1;
        const std::uint64_t take = std::min<std::uint64_t>(available, max - out.size());
        for (std::uint64_t i = 0; i < take; ++i) {
            const StreamVersion version = forward ? begin + i : begin - i;
            const Position pos = run->first_position + (version - run->first);
            if (pos > last) {  // committed but not yet announced: not visible yet
                if (forward) return out;
                continue;
            }
            if (i == 0 || !forward) {
                ledger->Seek(be64(pos));
            } else {
                ledger->Next();
            }
            if (!ledger->Valid() || get_be64(ledger->key().ToStringView()) != pos) {
                AUD_RETURN_IF_ERROR(from_rocks(ledger->status(), "reading the ledger"));
                return corruption("stream " + std::string(stream) + " refers to missing position " +
                                  std::to_string(pos));
            }
            AUD_ASSIGN_OR_RETURN(Entry e, materialize(ledger->value().ToStringView(), pos));
            if (e.purged) {
                e.stream = std::string(stream);
                e.version = version;
            }
            out.push_back(std::move(e));
        }
    }
    return out;
}

// ---- erasure ----

Result<std::optional<Position>> RocksStore::index_position(rocksdb::ColumnFamilyHandle* cf,
                                                          const Id& subject) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf, subject.view(), &value);
    if (s.IsNotFound()) return std::optional<Position>();
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading the store's records"));
    if (value.size() != 8) return corruption("a malformed row of subject " + subject.hex() + " in " + cf->GetName());
    return std::optional<Position>(get_be64(value.ToStringView()));
}

Result<bool> RocksStore::is_held(const Id& subject) {
    AUD_ASSIGN_OR_RETURN(auto p, index_position(cf_->holds, subject));
    return p.has_value();
}

Result<bool> RocksStore::is_erasure_deferred(const Id& subject) {
    AUD_ASSIGN_OR_RETURN(auto p, index_position(cf_->deferred_erasures, subject));
    return p.has_value();
}

Result<Position> RocksStore::set_legal_hold(const Id& subject, const Id& actor, bool held) {
    if (subject.is_none()) return invalid_argument("subject: a legal hold needs a subject");
    AUD_ASSIGN_OR_RETURN(auto current, index_position(cf_->holds, subject));
    if (held && current) return *current;
    if (!held && !current) {
        return failed_precondition("subject " + subject.hex() + " is not under legal hold");
    }
    using W = PreparedEntry::IndexWrite;
    NewEvent record;
    record.event_id = random_id();
    record.type = held ? "store.legal_hold_set" : "store.legal_hold_released";
    record.actor = actor;
    record.subject = subject;
    AUD_ASSIGN_OR_RETURN(auto appended,
                         append_store_record("hold-" + subject.hex(), ExpectedVersion::any(), std::move(record),
                                             {W{W::Family::kHolds, std::string(subject.view()), !held}}));
    if (!held) {
        AUD_ASSIGN_OR_RETURN(bool deferred, is_erasure_deferred(subject));
        if (deferred) AUD_RETURN_IF_ERROR(erase_now(subject, actor).status());
    }
    return appended.first_position;
}

Result<Position> RocksStore::erase(const Id& subject, const Id& actor) {
    if (read_only_) return failed_precondition("the store is open read-only");
    if (subject.is_none()) return invalid_argument("subject: an erasure needs a subject");
    AUD_ASSIGN_OR_RETURN(bool held, is_held(subject));
    if (held) {
        AUD_ASSIGN_OR_RETURN(auto erased, index_position(cf_->erasures, subject));
        if (erased) return *erased;
        AUD_ASSIGN_OR_RETURN(auto deferred, index_position(cf_->deferred_erasures, subject));
        if (deferred) return *deferred;
        using W = PreparedEntry::IndexWrite;
        NewEvent record;
        record.event_id = random_id();
        record.type = "store.erasure_deferred";
        record.actor = actor;
        record.subject = subject;
        AUD_ASSIGN_OR_RETURN(auto appended,
                             append_store_record("erasure-deferred-" + subject.hex(), ExpectedVersion::any(),
                                                 std::move(record),
                                                 {W{W::Family::kDeferredErasures, std::string(subject.view())}}));
        spdlog::info("event store: erasure deferred by a legal hold, at position {}", appended.first_position);
        return appended.first_position;
    }
    return erase_now(subject, actor);
}

Result<Position> RocksStore::erase_now(const Id& subject, const Id& actor) {
    const auto existing = [&] { return index_position(cf_->erasures, subject); };
    AUD_ASSIGN_OR_RETURN(auto before, existing());
    if (before) return *before;

    AUD_RETURN_IF_ERROR(vault_->mark_pending_shred(subject));
    NewEvent record;
    record.event_id = random_id();
    record.type = std::string(kErasureType);
    record.actor = actor;
    record.subject = subject;
    using W = PreparedEntry::IndexWrite;
    auto appended = append_store_record("erasure-" + subject.hex(), ExpectedVersion::no_stream(),
                                        std::move(record),
                                        {W{W::Family::kErasures, std::string(subject.view())},
                                         W{W::Family::kDeferredErasures, std::string(subject.view()), true}});
    Position position = 0;
    if (appended) {
        position = appended->first_position;
    } else if (conflict_of(appended.status())) {
        // Erased concurrently: the other call's record stands.
        AUD_ASSIGN_OR_RETURN(auto other, existing());
        if (!other) return internal_error("erasure stream exists without an erasure record");
        position = *other;
    } else {
        return appended.status();
    }
    AUD_RETURN_IF_ERROR(record_erasure_in_backups(subject, position));
    AUD_RETURN_IF_ERROR(vault_->destroy_personal_keys(subject));
    AUD_RETURN_IF_ERROR(vault_->clear_pending_shred(subject));
    spdlog::info("event store: subject erased at position {}", position);
    return position;
}

// ---- signed tree heads and proofs ----

Status RocksStore::ensure_signing_key() {
    signer_ = std::make_unique<Signer>();
    AUD_ASSIGN_OR_RETURN(auto keys, signing_keys());
    for (const auto& k : keys) {
        if (!k.active) continue;
        const std::string name = "signing:" + signing_key_id_hex(k.id);
        AUD_ASSIGN_OR_RETURN(auto seed, vault_->load_secret(name));
        if (!seed) return data_loss("the vault lacks the secret of signing key " + signing_key_id_hex(k.id));
        std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
        crypto_sign_seed_keypair(pk.data(), signer_->secret.data(), seed->data());
        if (std::string_view(reinterpret_cast<const char*>(pk.data()), pk.size()) != k.key) {
            return corruption("signing key " + signing_key_id_hex(k.id) +
                              " in the vault does not match the ledger's public key");
        }
        signer_->id = k.id;
        signer_->public_key = k.key;
        return Status::ok();
    }
    // None yet: the store was just created. The secret goes to the vault before the public half is
    // published in the ledger, so a published key always has its secret.
    const DataKey seed = DataKey::generate();
    randombytes_buf(signer_->id.data(), signer_->id.size());
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    crypto_sign_seed_keypair(pk.data(), signer_->secret.data(), seed.data());
    signer_->public_key.assign(reinterpret_cast<const char*>(pk.data()), pk.size());
    AUD_RETURN_IF_ERROR(vault_->store_secret("signing:" + signing_key_id_hex(signer_->id), seed));
    std::string value = signer_->public_key;
    value.push_back('\x01');
    put_be64(value, static_cast<std::uint64_t>(now_us()));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return from_rocks(db_->Put(wo, cf_->meta,
                               std::string(layout::kMetaSigningKeyPrefix) +
                                   signing_key_id_hex(signer_->id),
                               value),
                      "publishing the signing key");
}

Result<std::vector<Store::SigningPublicKey>> RocksStore::signing_keys() {
    std::vector<SigningPublicKey> out;
    const std::string prefix(layout::kMetaSigningKeyPrefix);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_->meta));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        const auto hex = from_hex(it->key().ToStringView().substr(prefix.size()));
        const std::string_view v = it->value().ToStringView();
        if (!hex || hex->size() != 8 || v.size() != 32 + 1 + 8) {
            return corruption("malformed signing key record in the ledger's metadata");
        }
        SigningPublicKey k;
        std::memcpy(k.id.data(), hex->data(), 8);
        k.key = std::string(v.substr(0, 32));
        k.active = v[32] == 1;
        k.created_at_us = static_cast<std::int64_t>(get_be64(v.substr(33)));
        out.push_back(std::move(k));
    }
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading signing keys"));
    return out;
}

Result<SignedTreeHead> RocksStore::sign_tree_head() {
    std::lock_guard lock(sign_mu_);
    const TreeHead th = tree_head();
    AUD_ASSIGN_OR_RETURN(auto newest, tree_heads(th.size, 1));
    if (!newest.empty() && newest.front().size == th.size) return newest.front();
    if (read_only_ || !signer_) {
        return failed_precondition("no tree head is stored for size " + std::to_string(th.size) +
                                   " and a read-only store cannot sign one");
    }
    SignedTreeHead h;
    h.store_id = store_id_;
    h.size = th.size;
    h.root = th.root;
    h.time_us = now_us();
    h.key_id = signer_->id;
    h.dev = dev_;
    const std::string m = h.message();
    h.signature.resize(crypto_sign_BYTES);
    crypto_sign_detached(reinterpret_cast<unsigned char*>(h.signature.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(m.data()), m.size(),
                         signer_->secret.data());
    std::string key = be64(h.size);
    put_be64(key, static_cast<std::uint64_t>(h.time_us));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    AUD_RETURN_IF_ERROR(from_rocks(db_->Put(wo, cf_->tree_heads, key, encode_tree_head(h)),
                                   "storing a signed tree head"));
    AUD_RETURN_IF_ERROR(head_witness::write(keys_dir_, h));
    return h;
}

Result<std::vector<SignedTreeHead>> RocksStore::tree_heads(std::uint64_t from_size, std::size_t max) {
    std::vector<SignedTreeHead> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_->tree_heads));
    for (it->Seek(be64(from_size)); it->Valid() && out.size() < max; it->Next()) {
        auto h = decode_tree_head(it->value().ToStringView());
        if (!h) return h.status();
        out.push_back(std::move(h).value());
    }
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading tree heads"));
    return out;
}

void RocksStore::run_signer() {
    std::uint64_t signed_size = tree_head().size;
    std::unique_lock lock(signer_->mu);
    while (!signer_->stop) {
        signer_->cv.wait_for(lock, std::chrono::seconds(1));
        if (signer_->stop) break;
        if (tree_head().size == signed_size) continue;
        lock.unlock();
        auto h = sign_tree_head();
        if (h) {
            signed_size = h->size;
        } else {
            spdlog::warn("event store: signing a tree head failed: {}", h.status().to_string());
        }
        lock.lock();
    }
}

merkle::NodeLookup RocksStore::lookup(std::uint64_t tree_size) {
    std::shared_ptr<TreePieces> pieces = tree_pieces();
    return [pieces, tree_size](unsigned level, std::uint64_t index) -> Result<merkle::Hash> {
        if (merkle::locate(level, index).leaf_index >= tree_size) {
            return internal_error("a proof asked for a node outside the tree");
        }
        return pieces->node(level, index);
    };
}

namespace {
std::vector<std::string> hashes_to_strings(const std::vector<merkle::Hash>& hashes) {
    std::vector<std::string> out;
    out.reserve(hashes.size());
    for (const auto& h : hashes) out.push_back(merkle::to_string(h));
    return out;
}
}  // namespace

Result<std::vector<std::string>> RocksStore::inclusion_proof(Position position,
                                                             std::uint64_t tree_size) {
    if (tree_size > head()) {
        return invalid_argument("size: the ledger holds " + std::to_string(head()) + " entries, not " +
                                std::to_string(tree_size));
    }
    if (position == 0 || position > tree_size) {
        return invalid_argument("position: " + std::to_string(position) + " is not in a tree of size " +
                                std::to_string(tree_size));
    }
    AUD_ASSIGN_OR_RETURN(auto proof, merkle::inclusion_proof(position - 1, tree_size, lookup(tree_size)));
    return hashes_to_strings(proof);
}

Result<std::vector<std::string>> RocksStore::consistency_proof(std::uint64_t from_size,
                                                               std::uint64_t to_size) {
    if (to_size > head()) {
        return invalid_argument("to: the ledger holds " + std::to_string(head()) + " entries, not " +
                                std::to_string(to_size));
    }
    if (from_size == 0 || from_size > to_size) {
        return invalid_argument("from: must be between 1 and " + std::to_string(to_size));
    }
    AUD_ASSIGN_OR_RETURN(auto proof, merkle::consistency_proof(from_size, to_size, lookup(to_size)));
    return hashes_to_strings(proof);
}

Result<std::string> RocksStore::root_at(std::uint64_t tree_size) {
    if (tree_size > head()) {
        return invalid_argument("size: the ledger holds " + std::to_string(head()) + " entries, not " +
                                std::to_string(tree_size));
    }
    AUD_ASSIGN_OR_RETURN(auto root, merkle::root_at(tree_size, lookup(tree_size)));
    return merkle::to_string(root);
}

Result<std::string> RocksStore::leaf_hash(Position position) {
    if (position == 0 || position > head()) {
        return invalid_argument("position: " + std::to_string(position) + " is not in the ledger");
    }
    AUD_ASSIGN_OR_RETURN(auto h, tree_pieces()->node(0, position - 1));
    return merkle::to_string(h);
}

// ---- blind indexes ----

Result<std::string> RocksStore::blind_index(std::string_view purpose, std::string_view value) {
    if (!vault_) return failed_precondition("a blind index needs the keys");
    std::unique_lock lock(blind_mu_);
    if (!blind_key_) {
        constexpr std::string_view kName = "blind-index";
        AUD_ASSIGN_OR_RETURN(auto stored, vault_->load_secret(kName));
        if (!stored) {
            if (read_only_) return failed_precondition("no blind index has been made yet");
            DataKey made = DataKey::generate();
            AUD_RETURN_IF_ERROR(vault_->store_secret(kName, made));
            stored = made;
        }
        blind_key_ = *stored;
    }
    crypto_generichash_state state;
    crypto_generichash_init(&state, blind_key_->data(), kDataKeySize, 16);
    lock.unlock();
    const unsigned char zero = 0;
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size());
    crypto_generichash_update(&state, &zero, 1);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(value.data()), value.size());
    std::array<unsigned char, 16> digest{};
    crypto_generichash_final(&state, digest.data(), digest.size());
    return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

// ---- subscriptions ----

namespace {

class RocksSubscription final : public Subscription {
public:
    RocksSubscription(Store& store, Position from) : store_(store), last_(from == 0 ? 0 : from - 1) {}

    Result<std::vector<Entry>> next(std::size_t max,
                                    std::chrono::steady_clock::time_point deadline) override {
        if (store_.head() <= last_ && store_.wait_for(last_ + 1, deadline) <= last_) {
            return std::vector<Entry>();
        }
        AUD_ASSIGN_OR_RETURN(auto entries, store_.read_all(last_ + 1, max));
        if (!entries.empty()) last_ = entries.back().position;
        return entries;
    }
    Position last_position() const override { return last_; }

private:
    Store& store_;
    Position last_;
};

}  // namespace

std::unique_ptr<Subscription> RocksStore::subscribe(Position from) {
    return std::make_unique<RocksSubscription>(*this, from);
}


namespace {

// "auditorium/model-field/v1" 0x00 subject (16 bytes) context: what a model field's tag binds.
std::string model_field_binding(const Id& subject, std::string_view context) {
    constexpr std::string_view kLabel = "auditorium/model-field/v1";
    std::string ad;
    ad.reserve(kLabel.size() + 1 + 16 + context.size());
    ad.append(kLabel);
    ad.push_back('\0');
    ad.append(subject.view());
    ad.append(context);
    return ad;
}

}  // namespace

Result<std::optional<std::string>> RocksStore::seal_for_model(const Id& subject, std::string_view context,
                                                              std::string_view plaintext) {
    if (!vault_) return failed_precondition("sealing a read model's field needs the keys");
    AUD_ASSIGN_OR_RETURN(auto key, vault_->key_for_opening(subject, KeyClass::kPersonal, kSingleKeyId));
    if (!key) return std::optional<std::string>();
    const std::string ad = model_field_binding(subject, context);
    std::string out(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plaintext.size() +
                        crypto_aead_xchacha20poly1305_ietf_ABYTES,
                    '\0');
    auto* nonce = reinterpret_cast<unsigned char*>(out.data());
    public_random(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &written,
        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
        reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce, key->data());
    return std::optional<std::string>(std::move(out));
}

Result<std::optional<std::string>> RocksStore::open_for_model(const Id& subject, std::string_view context,
                                                              std::string_view sealed) {
    if (!vault_) return failed_precondition("opening a read model's field needs the keys");
    constexpr std::size_t kOverhead =
        crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (sealed.size() < kOverhead) return corruption("a sealed model field is too short");
    AUD_ASSIGN_OR_RETURN(auto key, vault_->key_for_opening(subject, KeyClass::kPersonal, kSingleKeyId));
    if (!key) return std::optional<std::string>();
    const std::string ad = model_field_binding(subject, context);
    const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
    const std::string_view body = sealed.substr(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    std::string plain(body.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(plain.data()), &written, nullptr,
            reinterpret_cast<const unsigned char*>(body.data()), body.size(),
            reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce, key->data()) != 0) {
        return corruption("a sealed model field does not open under its subject's key and context");
    }
    return std::optional<std::string>(std::move(plain));
}

}  // namespace auditorium::eventstore::internal
