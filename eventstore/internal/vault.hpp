// The key vault: every subject's data keys, wrapped (XChaCha20-Poly1305) by the master key, in a
// RocksDB instance of its own under the keys directory, never in the ledger's directory.
//
// Wrapped key value: 0x01 || nonce (24) || AEAD(master, data key) with associated data
// "auditorium/vault/v1" || store id || subject || key class || BE32(key id). The vault is bound
// to one ledger by its store id and proves the master key with a check record at open.
//
// Destroying a subject's personal keys deletes them, flushes the memtable and compacts the key
// range to the bottom level, so no SST or WAL file still holds the wrapped bytes.
//
// Thread safety: all methods may be called concurrently. Key creation and destruction for one
// subject are serialized by a per-subject lock stripe (the only lock held across a vault write);
// once destroy_personal_keys() has begun, no read or seal of that subject's personal keys
// succeeds in this process, whatever ran at the same time.
#pragma once

#include <array>
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/id.hpp"
#include "base/mutex.hpp"
#include "base/result.hpp"
#include "eventstore/internal/sealer.hpp"
#include "eventstore/types.hpp"

namespace rocksdb {
class DB;
class Env;
class WriteBatch;
struct WriteOptions;
}  // namespace rocksdb

namespace auditorium::eventstore::internal {

inline constexpr std::size_t kMasterKeySize = 32;

// The master key, read from a file that must be a regular 0600 file owned by the running user.
class MasterKey {
public:
    // PermissionDenied naming the file and the problem; NotFound when it does not exist.
    static Result<MasterKey> load(const std::filesystem::path& file);
    // Creates the file (0600, exclusive) with a fresh random key, synced with its directory.
    static Result<MasterKey> create(const std::filesystem::path& file);
    // A fingerprint naming the key in records: the first 8 bytes of a keyed BLAKE2b, as hex.
    std::string fingerprint() const;
    const DataKey& key() const { return key_; }

private:
    DataKey key_;
};

class Vault {
public:
    struct Options {
        std::filesystem::path dir;  // <keys>/vault
        bool create_if_missing = false;
        rocksdb::Env* env = nullptr;  // not owned; may be null
    };
    // Opens the vault and checks the master key (a wrong key: PermissionDenied, nothing written)
    // and the binding to `store_id` (another ledger's vault: FailedPrecondition).
    static Result<std::unique_ptr<Vault>> open(const Options& options, MasterKey master,
                                               const Id& store_id);
    // Opens the vault as a RocksDB secondary instance beside a running server, to read keys only.
    // `scratch` is a private directory for the secondary's own files.
    static Result<std::unique_ptr<Vault>> open_secondary(const std::filesystem::path& dir,
                                                         const std::filesystem::path& scratch,
                                                         MasterKey master, const Id& store_id);
    // Opens the vault read-only and closes it, writing nothing: RocksDB's read-only open checks
    // that every file its MANIFEST lists is there, which a secondary instance does not, and a
    // read-write open would first change the files. Corruption naming the file when damaged.
    static Status probe(const std::filesystem::path& dir, rocksdb::Env* env);
    ~Vault();
    Vault(const Vault&) = delete;
    Vault& operator=(const Vault&) = delete;

    // The key to seal new data for (subject, class, key id), created if missing. Creation asks
    // `refuse_new_key` first, so no key is ever made again for an erased subject.
    using RefuseNewKey = std::function<Status(const Id& subject, KeyClass key_class)>;
    Result<DataKey> key_for_sealing(const Id& subject, KeyClass key_class, std::uint32_t key_id,
                                    const RefuseNewKey& refuse_new_key);
    // The key to open a section with; nullopt when the vault holds no such key.
    Result<std::optional<DataKey>> key_for_opening(const Id& subject, KeyClass key_class,
                                                   std::uint32_t key_id);

    // Makes every key created so far durable (one WAL sync, skipped when nothing is new). The
    // ledger's writer calls it before committing entries sealed under new keys.
    Status sync_if_dirty();

    // Erasure bookkeeping: a marker written before the erasure record, removed once the keys are
    // destroyed, so a crash in between is finished at the next open.
    Status mark_pending_shred(const Id& subject);
    Status clear_pending_shred(const Id& subject);
    Result<std::vector<Id>> pending_shreds();

    // Named secrets (the ledger's signing seeds), wrapped like data keys; written synced.
    Status store_secret(std::string_view name, const DataKey& secret);
    Result<std::optional<DataKey>> load_secret(std::string_view name);

    // Destroys every personal key of `subject` and forces them off the disk.
    Status destroy_personal_keys(const Id& subject);

    // Re-wraps every key and secret, and the check record, under `next`, in one synced batch;
    // from then on the vault opens only with `next`. The caller swaps the key files around it
    // (rotate_master_key_files below).
    Status rotate_master(const MasterKey& next);

    // Backups: a consistent RocksDB checkpoint of the vault in `dir` (which must not exist yet;
    // hard links where the file system allows). Keys stay wrapped by the master key.
    Status checkpoint(const std::filesystem::path& dir);

    // Retention keys: every (subject, key id = yyyymm) of class kRetained in the vault.
    struct RetainedKey {
        Id subject;
        std::uint32_t month;
    };
    Result<std::vector<RetainedKey>> retained_keys();
    // Destroys the given retention keys and forces them off the disk (one flush and compaction).
    Status destroy_retained_keys(const std::vector<RetainedKey>& keys);

private:
    struct CacheKey {
        Id subject;
        std::uint8_t key_class;
        std::uint32_t key_id;
        bool operator==(const CacheKey&) const = default;
    };
    struct CacheKeyHash {
        std::size_t operator()(const CacheKey& k) const noexcept;
    };
    static constexpr std::size_t kStripes = 64;
    static constexpr std::size_t kCacheLimit = 200'000;

    Vault(std::unique_ptr<rocksdb::DB> db, MasterKey master, const Id& store_id);
    static Result<std::unique_ptr<Vault>> check_and_make(std::unique_ptr<rocksdb::DB> db,
                                                         MasterKey master, const Id& store_id,
                                                         const std::string& where);
    std::string wrap_named(const DataKey& key, std::string_view vault_key) const;
    std::string wrap(const DataKey& key, const Id& subject, KeyClass c, std::uint32_t id) const;
    Result<DataKey> unwrap(std::string_view wrapped, const Id& subject, KeyClass c,
                           std::uint32_t id) const;
    std::optional<DataKey> cached(const CacheKey& k);
    void remember(const CacheKey& k, const DataKey& key);
    Mutex& stripe(const Id& subject);
    Status write_synced(std::string_view key, std::string_view value, bool remove);
    // Flushes the memtable (retiring the WAL) and compacts [begin, end] to the bottom level, so
    // deleted keys leave no trace in any file.
    Status force_off_disk(const std::string& begin, const std::string& end);

    std::unique_ptr<rocksdb::DB> db_;
    // Replaced only by rotate_master(); readers take the shared lock.
    mutable SharedMutex master_mu_;
    MasterKey master_ AUD_GUARDED_BY(master_mu_);
    DataKey master_key() const;
    const Id store_id_;
    // A subject's stripe serializes the making and destroying of its keys, so two appends cannot
    // make two keys for one subject; the stripes guard no member of their own.
    std::array<Mutex, kStripes> stripes_;
    // The unwrapped-key cache, sharded like the stripes so appenders rarely share a lock.
    struct CacheShard {
        Mutex mu;
        std::unordered_map<CacheKey, DataKey, CacheKeyHash> keys AUD_GUARDED_BY(mu);
        // Subjects whose personal keys this process destroyed. Invariant: no personal key of
        // theirs is in `keys`, and none is handed out again (a read that raced the destruction
        // answers "no key"), so an erased person's key cannot come back into the cache.
        std::unordered_set<Id> destroyed AUD_GUARDED_BY(mu);
    };
    bool is_destroyed(const Id& subject, std::uint8_t key_class);
    std::array<CacheShard, kStripes> cache_;
    CacheShard& shard(const Id& subject);
    std::atomic<std::uint64_t> created_{0};
    Mutex sync_mu_;
    std::uint64_t synced_ AUD_GUARDED_BY(sync_mu_) = 0;
    // The first failed write or sync. RocksDB 7.8 asserts (aborts) when SyncWAL follows a failed
    // WAL write, and a vault that may have lost a key must not pretend otherwise: after a failure
    // every later write and sync returns it until the vault is reopened.
    Mutex failure_mu_;
    Status failure_ AUD_GUARDED_BY(failure_mu_);
    Status remember_failure(Status s);
    // Every write holds the gate shared and SyncWAL holds it exclusive, so a write failing on
    // another thread (a new key, while the commit queue syncs the vault) is remembered before the
    // sync starts instead of racing it into RocksDB's assertion.
    // Writes pass the turnstile on their way in; the sync holds it while it waits for the gate.
    Mutex gate_turnstile_;
    SharedMutex write_gate_;
    Status write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch& batch,
                 std::string_view what);
    Status failure();
};

}  // namespace auditorium::eventstore::internal
