// RocksStore: the single-node Store on RocksDB (see store.hpp for the contract).
//
// The append path: validate -> resolve the section keys (vault) -> look up ids and the stream's
// version (RocksDB, outside any lock) -> the sequencer decides and reserves positions -> seal,
// encode and hash on the appender's thread -> the commit queue's writer batches, syncs the vault
// if it has new keys, writes one synced batch -> the head advances and waiters wake.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "eventstore/internal/commit_queue.hpp"
#include "eventstore/internal/durable_head.hpp"
#include "eventstore/internal/entry_codec.hpp"
#include "eventstore/internal/merkle.hpp"
#include "eventstore/internal/sequencer.hpp"
#include "eventstore/internal/tree_pieces.hpp"
#include "eventstore/internal/vault.hpp"
#include "eventstore/store.hpp"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace auditorium::eventstore::minisign {
class SigningKey;
}  // namespace auditorium::eventstore::minisign

namespace auditorium::eventstore::internal {

class RocksStore final : public Store {
public:
    static Result<std::unique_ptr<Store>> open(const StoreOptions& options);
    ~RocksStore() override;

    Result<AppendResult> append(std::string_view stream, ExpectedVersion expected,
                                std::vector<NewEvent> events) override;
    void append_async(std::string_view stream, ExpectedVersion expected, std::vector<NewEvent> events,
                      AppendDone done) override;
    Result<StreamVersion> stream_version(std::string_view stream) override;
    Result<std::vector<Entry>> read_stream(std::string_view stream, StreamVersion from,
                                           Direction direction, std::size_t max) override;
    Result<std::vector<Entry>> read_all(Position from, std::size_t max) override;
    Position head() const override;
    Position wait_for(Position position, std::chrono::steady_clock::time_point deadline) override;
    std::unique_ptr<Subscription> subscribe(Position from) override;
    Result<Position> erase(const Id& subject, const Id& actor) override;
    Result<bool> is_erased(const Id& subject) override;
    Result<PurgeReport> purge() override;
    Result<Position> set_legal_hold(const Id& subject, const Id& actor, bool held) override;
    Result<bool> is_held(const Id& subject) override;
    Result<bool> is_erasure_deferred(const Id& subject) override;
    Result<Position> rotate_signing_key(const Id& actor) override;
    Result<Position> rotate_master_key(const Id& actor) override;
    std::chrono::microseconds retention() const override { return retention_; }
    TreeHead tree_head() const override;
    Result<SignedTreeHead> sign_tree_head() override;
    Result<std::vector<SignedTreeHead>> tree_heads(std::uint64_t from_size, std::size_t max) override;
    Result<std::vector<SigningPublicKey>> signing_keys() override;
    Result<std::vector<std::string>> inclusion_proof(Position position,
                                                     std::uint64_t tree_size) override;
    Result<std::vector<std::string>> consistency_proof(std::uint64_t from_size,
                                                       std::uint64_t to_size) override;
    Result<std::string> root_at(std::uint64_t tree_size) override;
    Result<std::string> leaf_hash(Position position) override;
    Result<std::string> blind_index(std::string_view purpose, std::string_view value) override;
    Result<std::optional<std::string>> seal_for_model(const Id& subject, std::string_view context,
                                                      std::string_view plaintext) override;
    Result<std::optional<std::string>> open_for_model(const Id& subject, std::string_view context,
                                                      std::string_view sealed) override;
    Result<VerifyReport> verify(const VerifyOptions& options) override;
    Result<ExportSummary> export_ledger(const ExportOptions& options) override;
    Result<BackupManifest> create_backup(const BackupOptions& options) override;
    bool is_dev() const override { return dev_; }
    Id store_id() const override { return store_id_; }

    // backups: the steps of restore_backup() (backup.hpp) that need the store's insides, run on
    // the freshly restored store before anything else can open it (internal/backup.cpp).
    struct RegisterApplied {
        std::vector<Id> erased;           // registered subjects erased now
        std::size_t keys_destroyed = 0;   // erased in the backup, but their keys were in the vault
    };
    // Erases every subject of `subjects` not erased yet (an erasure record each, keys destroyed)
    // and destroys the personal keys still held for those already erased.
    Result<RegisterApplied> apply_erasure_register(const std::vector<Id>& subjects);
    // Appends the store.restored record (backup.hpp) naming the backup, its tree head and the
    // vault backup restored with it.
    Result<Position> append_restore_record(const BackupManifest& backup, std::string_view vault_id,
                                           std::size_t erasures_applied);
    // The public key of signing key `id` derived from its seed in the vault, or nullopt when the
    // vault has none. Authentic: the seed is sealed under the master key. (A restore trusts it for
    // registers and vault manifests signed after a key rotation the restored ledger predates.)
    Result<std::optional<std::string>> signing_key_from_vault(const SigningKeyId& id);

private:
    // The ledger's column families (layout.hpp); owned by db_.
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
        void name_handles();  // sets the named pointers from `all`
    };
    class Verifier;
    class Exporter;
    class Purger;
    // verify's checks of the mutable rows against the ledgered records (internal/verify_records.cpp)
    // and of the stream and event id indexes against the entries (internal/verify_indexes.cpp).
    class RecordVerifier;
    class IndexVerifier;
    Result<std::optional<Position>> index_position(rocksdb::ColumnFamilyHandle* cf, const Id& subject);
    Result<Position> erase_now(const Id& subject, const Id& actor);
    // Writes the erasure of `subject` (recorded at `position`) to the erasure register of every
    // backup target, synced, before erase() returns. Defined in internal/backup.cpp.
    Status record_erasure_in_backups(const Id& subject, Position position);
    std::vector<std::filesystem::path> backup_targets_;
    // backups: the same for an erasure finished at open (its record's position is looked up).
    Status record_pending_erasure_in_backups(const Id& subject);
    class BackupWriter;
    // backups and exports: the active signing key, from its seed in the vault (needs the keys).
    Result<minisign::SigningKey> active_signing_key();

    RocksStore() = default;
    static Result<std::unique_ptr<Store>> open_read_only(const StoreOptions& options);
    static Result<std::unique_ptr<Vault>> open_vault(const Vault::Options& options,
                                                     const std::filesystem::path& keys_dir,
                                                     bool master_exists, const Id& store_id);
    Status open_ledger(const StoreOptions& options, bool create);
    Status open_ledger_secondary(const StoreOptions& options);
    Status open_ledger_for_probe(const StoreOptions& options);
    // The head witness as read before opening (head_witness.hpp); `checked` is false when an
    // auditor opened without the keys directory and it could not be read.
    struct Witness {
        bool checked = false;
        std::optional<SignedTreeHead> head;
    };
    static Result<Witness> read_witness(const std::filesystem::path& keys_dir, bool required);
    static Status probe_ledger(const StoreOptions& options, const std::filesystem::path& keys_dir,
                               const Witness& witness);
    // DataLoss or Corruption when the recovered ledger does not extend its newest signed tree head
    // or the witness; FailedPrecondition when a witness it once had is missing.
    Status check_heads(const std::filesystem::path& keys_dir, const Witness& witness);
    // Writes the witness for `head` and marks the ledger as having one.
    Status keep_witness(const SignedTreeHead& head);
    Status read_meta();
    // Sets retention_ from the `retention_us` row of meta: Corruption naming the row when it is no
    // positive decimal, or below kMinimumRetention in a store that is not dev (read dev_ first).
    // Defined in internal/store_settings.cpp.
    Status apply_meta_retention(std::string_view text);
    // The store.settings record (store_records.hpp) is the first entry of a new store, and is
    // appended at the first read-write open of a store made before settings were ledgered, so
    // every purge, erasure, hold and key rotation has settings to be held to.
    // REQUIRES: the signing key is published (ensure_signing_key). In internal/store_settings.cpp.
    Status ledger_settings();
    // Corruption naming the row when meta's retention_us or dev differs from the first
    // store.settings record (none: a store made before settings were ledgered).
    Status check_settings_rows();
    Status append_settings();
    Status ensure_signing_key();
    void run_signer();
    Status recover();
    Status finish_pending_shreds();

    // What submit() made of an append: answered at once (`answer`); or sealed and queued in `slot`,
    // which the caller hands to the writer with mark_prepared() (after setting on_committed, for
    // an asynchronous append); or, neither, a re-send whose original is not durable yet. In the
    // last two cases `if_durable` is the answer once the positions are durable.
    struct Submitted {
        std::optional<Result<AppendResult>> answer;
        std::shared_ptr<CommitSlot> slot;
        AppendResult if_durable;
    };
    // Decides, reserves and prepares an append that passed validation; `index_writes` go with the
    // last event (store records only).
    Submitted submit(std::string_view stream, ExpectedVersion expected, std::vector<NewEvent> events,
                     std::vector<PreparedEntry::IndexWrite> index_writes = {});
    // For append() and store records: waits for what submit() left pending.
    Result<AppendResult> finish_waiting(Submitted submitted);
    Status validate_append(std::string_view stream, const std::vector<NewEvent>& events) const;
    // Appends a record of the store's own (erasure, purge, hold, restore ...): types "store.*".
    Result<AppendResult> append_store_record(std::string_view stream, ExpectedVersion expected,
                                             NewEvent record,
                                             std::vector<PreparedEntry::IndexWrite> index_writes = {});
    Result<Sequencer::Lookups> look_up(std::string_view stream, const std::vector<Id>& ids);
    Result<std::vector<SectionKey>> keys_for(const std::vector<NewEvent>& events,
                                             std::int64_t now_us);
    void prepare(CommitSlot& slot, const std::vector<NewEvent>& events,
                 const std::vector<SectionKey>& keys, const Sequencer::Decision& d);
    Status commit(const std::vector<std::shared_ptr<CommitSlot>>& batch);
    Status refuse(Status why);
    std::unique_ptr<TreePieces> tree_pieces();
    Result<SignedTreeHead> newest_tree_head();

    Result<Entry> materialize(std::string_view bytes, Position expected_position);
    Status refuse_new_key(const Id& subject, KeyClass key_class);

    std::int64_t now_us() const;
    merkle::NodeLookup lookup(std::uint64_t tree_size);

    std::function<std::int64_t()> clock_;
    bool dev_ = false;
    Id store_id_;
    std::unique_ptr<rocksdb::DB> db_;
    std::unique_ptr<Handles> cf_;
    std::unique_ptr<Vault> vault_;
    std::unique_ptr<Sequencer> sequencer_;
    merkle::Frontier frontier_;  // writer thread only (and open)
    std::unique_ptr<CommitQueue> queue_;
    bool read_only_ = false;
    bool adopt_head_witness_ = false;  // StoreOptions::adopt_head_witness
    std::filesystem::path keys_dir_;
    std::chrono::microseconds retention_ = kMinimumRetention;
    SnapshotRegistry snapshots_;
    std::filesystem::path scratch_;  // a read-only store's private directory, removed at close

    // The active signing key (read-write stores only) and the tree-head signer thread.
    struct Signer;
    std::unique_ptr<Signer> signer_;
    std::mutex sign_mu_;  // serializes signing; never held while durable_ is waited on
    std::mutex blind_mu_;
    std::optional<DataKey> blind_key_;  // GUARDED_BY(blind_mu_); loaded or made at first use

    DurableHead durable_;
};

}  // namespace auditorium::eventstore::internal
