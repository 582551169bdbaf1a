// RocksStore: the single-node Store on RocksDB (see store.hpp for the contract), a facade over
// the parts that each own one kind of state:
//   LedgerDb        the database and its column families (ledger_db.hpp)
//   Vault           the keys, sealed under the master key (vault.hpp)
//   DurableHead     how far the ledger is durable, the refusal, and who waits (durable_head.hpp)
//   SubjectIndex    erased / held / deferred rows (subject_index.hpp)
//   LedgerReader    entries, streams, proofs, tree heads (reader.hpp)
//   ModelKeys       blind indexes and read-model sealing (model_keys.hpp)
//   AppendPipeline  sequencer, commit queue, Merkle frontier (append_pipeline.hpp), read-write
//   TreeHeadSigner  the signing key and its thread (tree_head_signer.hpp), read-write
//   Erasures        crypto-shredding and legal holds (erasures.hpp), read-write
// Exports, purges, backups and verify run over the parts they need (store_jobs.hpp,
// verify_rows.hpp). Opening, recovery and the checks against the head witness are here.
//
// Thread safety: every Store method from any thread (each part's header says how).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "base/temp_directory.hpp"
#include "eventstore/internal/append_pipeline.hpp"
#include "eventstore/internal/durable_head.hpp"
#include "eventstore/internal/erasures.hpp"
#include "eventstore/internal/ledger_db.hpp"
#include "eventstore/internal/model_keys.hpp"
#include "eventstore/internal/reader.hpp"
#include "eventstore/internal/store_config.hpp"
#include "eventstore/internal/subject_index.hpp"
#include "eventstore/internal/tree_head_signer.hpp"
#include "eventstore/internal/vault.hpp"
#include "eventstore/store.hpp"

namespace auditorium::eventstore::internal {

class RocksStore final : public Store {
public:
    static Result<std::unique_ptr<Store>> open(const StoreOptions& options);
    // The same, typed, for a restore's steps below (read-write only).
    static Result<std::unique_ptr<RocksStore>> open_read_write(const StoreOptions& options);
    ~RocksStore() override;

    Result<AppendResult> append(std::string_view stream, ExpectedVersion expected,
                                std::vector<NewEvent> events) override;
    void append_async(std::string_view stream, ExpectedVersion expected,
                      std::vector<NewEvent> events, AppendDone done) override;
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
    std::chrono::microseconds retention() const override { return config_.retention; }
    TreeHead tree_head() const override;
    Result<SignedTreeHead> sign_tree_head() override;
    Result<std::vector<SignedTreeHead>> tree_heads(std::uint64_t from_size,
                                                   std::size_t max) override;
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
    bool is_dev() const override { return config_.dev; }
    Id store_id() const override { return config_.store_id; }

    // A restore's steps (backup.hpp), run on the freshly restored store before anything else can
    // open it: the erasure register applied (Erasures::apply_erasure_register), the
    // store.restored record naming the backup, its tree head and the vault backup restored with
    // it (in internal/backup.cpp), and the public key of signing key `id` from its seed in the
    // vault, or nullopt: authentic, as the seed is sealed under the master key.
    Result<Erasures::RegisterApplied> apply_erasure_register(const std::vector<Id>& subjects);
    Result<Position> append_restore_record(const BackupManifest& backup, std::string_view vault_id,
                                           std::size_t erasures_applied);
    Result<std::optional<std::string>> signing_key_from_vault(const SigningKeyId& id);

private:
    RocksStore() = default;
    static Result<std::unique_ptr<RocksStore>> open_read_only(const StoreOptions& options);
    static Result<std::unique_ptr<Vault>> open_vault(const Vault::Options& options,
                                                     const std::filesystem::path& keys_dir,
                                                     bool master_exists, const Id& store_id);
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
    // Sets the config from the `meta` rows (store id, dev, retention).
    Status read_meta();
    // Sets config_.retention from the `retention_us` row of meta: Corruption naming the row when it
    // is no positive decimal, or below kMinimumRetention in a store that is not dev (set dev
    // first). Defined in internal/store_settings.cpp.
    Status apply_meta_retention(std::string_view text);
    // The store.settings record (store_records.hpp) is the first entry of a new store, and is
    // appended at the first read-write open of a store made before settings were ledgered, so
    // every purge, erasure, hold and key rotation has settings to be held to.
    // REQUIRES: the signing key is published. In internal/store_settings.cpp.
    Status ledger_settings();
    // Corruption naming the row when meta's retention_us or dev differs from the first
    // store.settings record (none: a store made before settings were ledgered).
    Status check_settings_rows();
    Status append_settings();
    // Builds the parts over db_ and vault_, reads where the ledger ends and sets the durable head;
    // a read-write store's pipeline, erasures and signer start from there.
    Status assemble();
    Status read_only_error() const;

    // Declared in construction order; the destructor takes them down explicitly.
    StoreConfig config_;
    std::optional<TempDirectory> scratch_;  // a read-only store's private directory
    std::unique_ptr<LedgerDb> db_;
    std::unique_ptr<Vault> vault_;
    DurableHead durable_;
    std::unique_ptr<SubjectIndex> subjects_;
    std::unique_ptr<LedgerReader> reader_;
    std::unique_ptr<ModelKeys> model_keys_;
    std::unique_ptr<AppendPipeline> pipeline_;  // read-write only, like the two below
    std::unique_ptr<Erasures> erasures_;
    std::unique_ptr<TreeHeadSigner> signer_;
};

}  // namespace auditorium::eventstore::internal
