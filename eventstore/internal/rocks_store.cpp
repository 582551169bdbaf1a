// RocksStore: opening (checks, recovery, the head witness), closing, and the Store methods,
// each handed to the part that owns what it touches (rocks_store.hpp).
#include "eventstore/internal/rocks_store.hpp"

#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include "base/file.hpp"
#include "eventstore/internal/head_witness.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/log_scan.hpp"
#include "eventstore/internal/store_jobs.hpp"
#include "eventstore/internal/verify_rows.hpp"
#include "eventstore/sodium_init.hpp"

namespace auditorium::eventstore::internal {
namespace fs = std::filesystem;
namespace {

Status check_open_options(const StoreOptions& options) {
    AUD_RETURN_IF_ERROR(init_sodium());
    AUD_RETURN_IF_ERROR(merkle::check_sha256());
    if (options.data_dir.empty()) return invalid_argument("--data: a data directory is required");
    return Status::ok();
}

// What is on disk before a read-write open, each refusal named before anything is written.
struct OpenPlan {
    fs::path keys_dir;
    fs::path vault_dir;
    bool ledger_exists = false;
    bool master_exists = false;
    bool vault_exists = false;
};

Result<OpenPlan> plan_open(const StoreOptions& options) {
    const fs::path keys_dir =
        options.keys_dir.empty() ? default_keys_dir(options.data_dir) : options.keys_dir;
    const fs::path master_file = keys_dir / layout::kMasterKeyFile;
    const fs::path vault_dir = keys_dir / layout::kVaultDir;
    std::error_code ec;
    // Our own look at the files first: a lost CURRENT, a damaged log or MANIFEST is named here,
    // before RocksDB could drop entries or delete files (log_scan.hpp).
    AUD_ASSIGN_OR_RETURN(auto ledger_files,
                         log_scan::check_database_dir(options.data_dir, "ledger"));
    AUD_ASSIGN_OR_RETURN(auto vault_files, log_scan::check_database_dir(vault_dir, "key vault"));
    const bool ledger_exists = !ledger_files.fresh;
    const bool master_exists = fs::exists(fs::symlink_status(master_file, ec));
    const bool vault_exists = !vault_files.fresh;

    if (!ledger_exists && !options.create_if_missing) {
        return not_found("no ledger at " + options.data_dir.string());
    }
    if ((ledger_exists || vault_exists) && !master_exists) {
        return failed_precondition(
            "the master key " + master_file.string() +
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
        return invalid_argument(
            "retention: entries are kept at least two years (730 days); only a dev store may keep "
            "them shorter");
    }
    AUD_RETURN_IF_ERROR(file::make_private_dirs(keys_dir));
    // The keys directory holds the master key and the vault: refused, like a master key file,
    // when others may read or write it or it belongs to another user.
    AUD_RETURN_IF_ERROR(file::check_private_dir(keys_dir).with_context("the keys directory"));
    return OpenPlan{keys_dir, vault_dir, ledger_exists, master_exists, vault_exists};
}

}  // namespace

// ---- opening ----

Result<std::unique_ptr<Store>> RocksStore::open(const StoreOptions& options) {
    if (options.read_only) {
        AUD_RETURN_IF_ERROR(check_open_options(options));
        AUD_ASSIGN_OR_RETURN(auto store, open_read_only(options));
        return std::unique_ptr<Store>(std::move(store));
    }
    AUD_ASSIGN_OR_RETURN(auto store, open_read_write(options));
    return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<RocksStore>> RocksStore::open_read_write(const StoreOptions& options) {
    AUD_RETURN_IF_ERROR(check_open_options(options));
    if (options.read_only)
        return invalid_argument("read_only: a restore opens the store read-write");
    AUD_ASSIGN_OR_RETURN(const OpenPlan plan, plan_open(options));
    const fs::path& keys_dir = plan.keys_dir;
    const bool ledger_exists = plan.ledger_exists;
    // Refused opens write nothing: the recovered ledger is checked against its heads read-only.
    if (ledger_exists) {
        AUD_ASSIGN_OR_RETURN(auto witness, read_witness(keys_dir, true));
        AUD_RETURN_IF_ERROR(probe_ledger(options, keys_dir, witness));
    }
    if (plan.vault_exists) AUD_RETURN_IF_ERROR(Vault::probe(plan.vault_dir, options.env));

    std::unique_ptr<RocksStore> store(new RocksStore());
    StoreConfig& c = store->config_;
    c.clock = options.clock;
    c.keys_dir = keys_dir;
    c.backup_targets = options.backup_targets;
    c.snapshots = options.snapshots;
    c.retention = options.retention;
    c.adopt_head_witness = options.adopt_head_witness;
    if (ledger_exists) {
        AUD_ASSIGN_OR_RETURN(store->db_, LedgerDb::open(options, false));
        AUD_RETURN_IF_ERROR(store->read_meta());
    } else {
        c.store_id = random_id();
        c.dev = options.dev;
    }
    Vault::Options vo{plan.vault_dir, !ledger_exists, options.env};
    AUD_ASSIGN_OR_RETURN(store->vault_, open_vault(vo, keys_dir, plan.master_exists, c.store_id));
    if (!ledger_exists) {
        AUD_RETURN_IF_ERROR(file::make_private_dirs(options.data_dir));
        AUD_ASSIGN_OR_RETURN(store->db_, LedgerDb::open(options, true));
        AUD_RETURN_IF_ERROR(store->db_->write_new_meta(c.store_id, c.dev, c.now_us(), c.retention));
    }
    AUD_RETURN_IF_ERROR(store->assemble());
    AUD_RETURN_IF_ERROR(store->erasures_->finish_pending_shreds());
    AUD_RETURN_IF_ERROR(store->signer_->load_or_make_key());
    AUD_RETURN_IF_ERROR(store->ledger_settings());
    // Every open store has a head for its current size, so auditors always have one to save.
    AUD_ASSIGN_OR_RETURN(auto first_head, store->signer_->sign());
    AUD_RETURN_IF_ERROR(store->keep_witness(first_head));
    store->signer_->start();
    return store;
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
        AUD_RETURN_IF_ERROR(
            file::rename_durable(next_file, file).with_context("finishing a master key rotation"));
        spdlog::info("event store: finished an interrupted master key rotation");
        return with_next;
    }
    if (with_next.status().code() != StatusCode::kPermissionDenied) return with_next.status();
    // Not re-wrapped yet: the rotation never took effect. A next key left behind is tried and
    // dropped again at the next open, so a failed removal is only worth a log line.
    fs::remove(next_file, ec);
    if (ec)
        spdlog::warn("event store: removing the unused {}: {}", next_file.string(), ec.message());
    return Vault::open(options, std::move(current), store_id);
}

Result<std::unique_ptr<RocksStore>> RocksStore::open_read_only(const StoreOptions& options) {
    AUD_ASSIGN_OR_RETURN(auto files, log_scan::check_database_dir(options.data_dir, "ledger"));
    if (files.fresh) return not_found("no ledger at " + options.data_dir.string());
    const fs::path keys_dir =
        options.keys_dir.empty() ? default_keys_dir(options.data_dir) : options.keys_dir;
    // Read before the ledger, so that every entry the witness covers is in what we open.
    AUD_ASSIGN_OR_RETURN(auto witness, read_witness(keys_dir, options.with_keys));
    // A secondary instance skips SSTs its MANIFEST lists but cannot find: RocksDB's read-only
    // open does not, so the ledger is first checked that way (nothing is written).
    AUD_RETURN_IF_ERROR(probe_ledger(options, keys_dir, witness));
    std::unique_ptr<RocksStore> store(new RocksStore());
    store->config_.read_only = true;
    store->config_.adopt_head_witness = options.adopt_head_witness;
    store->config_.clock = options.clock;
    store->config_.snapshots = options.snapshots;
    std::error_code tmp_ec;
    const fs::path tmp = fs::temp_directory_path(tmp_ec);
    if (tmp_ec)
        return unavailable("finding the temporary directory for a scratch directory: " +
                           tmp_ec.message());
    AUD_ASSIGN_OR_RETURN(auto scratch, TempDirectory::make(tmp, "auditorium-reader-"));
    const fs::path scratch_dir = scratch.path();
    store->scratch_.emplace(std::move(scratch));
    AUD_ASSIGN_OR_RETURN(store->db_, LedgerDb::open_secondary(options, scratch_dir));
    AUD_RETURN_IF_ERROR(store->read_meta());
    if (options.with_keys) {
        AUD_ASSIGN_OR_RETURN(MasterKey master, MasterKey::load(keys_dir / layout::kMasterKeyFile));
        AUD_ASSIGN_OR_RETURN(store->vault_, Vault::open_secondary(
                                                keys_dir / layout::kVaultDir, scratch_dir / "vault",
                                                std::move(master), store->config_.store_id));
    }
    AUD_RETURN_IF_ERROR(store->assemble());
    AUD_RETURN_IF_ERROR(store->check_heads(keys_dir, witness));
    AUD_RETURN_IF_ERROR(store->check_settings_rows());
    return store;
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
Status RocksStore::probe_ledger(const StoreOptions& options, const fs::path& keys_dir,
                                const Witness& witness) {
    std::unique_ptr<RocksStore> probe(new RocksStore());
    probe->config_.read_only = true;
    probe->config_.adopt_head_witness = options.adopt_head_witness;
    AUD_ASSIGN_OR_RETURN(probe->db_, LedgerDb::open_for_probe(options));
    if (!probe->db_) return Status::ok();  // an older format: nothing to compare yet
    AUD_RETURN_IF_ERROR(probe->read_meta());
    AUD_RETURN_IF_ERROR(probe->assemble());
    return probe->check_heads(keys_dir, witness);
}

Status RocksStore::check_heads(const fs::path& keys_dir, const Witness& witness) {
    const std::uint64_t size = head();
    const auto root = [this](std::uint64_t n) { return reader_->root_at(n); };
    auto newest = reader_->newest_tree_head();
    if (newest) {
        // Its size only: whether it is authentic, and its root, are verify's to check.
        AUD_RETURN_IF_ERROR(
            head_witness::check_extends(*newest, size, nullptr, "its own newest signed tree head"));
    } else if (newest.status().code() != StatusCode::kNotFound) {
        return newest.status();
    }
    if (!witness.checked || config_.adopt_head_witness) return Status::ok();
    const fs::path file = head_witness::file_in(keys_dir);
    // Another ledger's keys directory: said as such, not as a ledger that lost its entries.
    if (witness.head && witness.head->store_id != config_.store_id) {
        return failed_precondition(
            "the head witness " + file.string() + " belongs to another ledger (store id " +
            witness.head->store_id.hex() + ", the ledger's " + config_.store_id.hex() + ")");
    }
    if (witness.head)
        return head_witness::check_extends(*witness.head, size, root,
                                           "the head witness " + file.string());
    AUD_ASSIGN_OR_RETURN(bool had_witness, db_->has_witness_marker());
    if (!had_witness)
        return Status::ok();  // made before witnesses: the first read-write open writes one
    return failed_precondition(
        "the head witness " + file.string() +
        " is missing, so nothing shows whether the ledger lost entries; restore it from "
        "the keys directory's backup, or see docs/backups.md, \"When the store refuses to open\"");
}

Status RocksStore::keep_witness(const SignedTreeHead& head) {
    AUD_RETURN_IF_ERROR(head_witness::write(config_.keys_dir, head));
    AUD_ASSIGN_OR_RETURN(bool marked, db_->has_witness_marker());
    return marked ? Status::ok() : db_->mark_witness();
}

Status RocksStore::read_meta() {
    AUD_ASSIGN_OR_RETURN(auto meta, db_->read_meta());
    config_.store_id = meta.store_id;
    config_.dev = meta.dev;
    if (meta.retention_us) AUD_RETURN_IF_ERROR(apply_meta_retention(*meta.retention_us));
    return Status::ok();
}

Status RocksStore::assemble() {
    subjects_ = std::make_unique<SubjectIndex>(*db_);
    reader_ = std::make_unique<LedgerReader>(*db_, vault_.get(), durable_, config_, *subjects_);
    model_keys_ = std::make_unique<ModelKeys>(vault_.get(), config_.read_only);
    AUD_ASSIGN_OR_RETURN(LedgerTail tail, read_ledger_tail(*db_, *reader_));
    durable_.advance(tail.last,
                     TreeHead{tail.frontier.size(), merkle::to_string(tail.frontier.root())});
    if (config_.read_only) return Status::ok();
    pipeline_ = std::make_unique<AppendPipeline>(*db_, *vault_, *subjects_, *reader_, config_,
                                                 durable_, std::move(tail));
    erasures_ = std::make_unique<Erasures>(*pipeline_, *subjects_, *vault_, *reader_, config_);
    signer_ = std::make_unique<TreeHeadSigner>(*db_, *vault_, durable_, *reader_, config_);
    return Status::ok();
}

// Stop the signer, drain the pipeline, sign the final head, then close the vault and the ledger.
RocksStore::~RocksStore() {
    if (signer_) signer_->stop();
    if (pipeline_) pipeline_->close();
    durable_.release_all(unavailable("the store closed before the entries were synced"));
    if (signer_ && head() > 0 && durable_.refused().is_ok()) {
        // A clean close leaves a signed head for the final size.
        if (auto h = signer_->sign(); !h)
            spdlog::warn("event store: final tree head: {}", h.status().to_string());
    }
    signer_.reset();
    erasures_.reset();
    pipeline_.reset();
    model_keys_.reset();
    reader_.reset();
    subjects_.reset();
    vault_.reset();
    db_.reset();  // flushed first when read-write: read-only opens then start from SSTs alone
    scratch_.reset();
}

Status RocksStore::read_only_error() const {
    return failed_precondition("the store is open read-only");
}

// ---- keys ----

Result<Position> RocksStore::rotate_master_key(const Id& actor) {
    if (!pipeline_) return read_only_error();
    const fs::path file = config_.keys_dir / layout::kMasterKeyFile;
    const fs::path next_file = config_.keys_dir / (std::string(layout::kMasterKeyFile) + ".next");
    AUD_ASSIGN_OR_RETURN(MasterKey old_key, MasterKey::load(file));
    AUD_ASSIGN_OR_RETURN(MasterKey next, MasterKey::create(next_file));
    AUD_RETURN_IF_ERROR(vault_->rotate_master(next));
    AUD_RETURN_IF_ERROR(
        file::rename_durable(next_file, file).with_context("installing the new master key"));
    NewEvent record;
    record.event_id = random_id();
    record.type = "store.master_key_rotated";
    record.actor = actor;
    record.clear = "{\"old_master_key\":\"" + old_key.fingerprint() + "\",\"new_master_key\":\"" +
                   next.fingerprint() + "\"}";
    AUD_ASSIGN_OR_RETURN(
        auto appended,
        pipeline_->append_store_record("store-keys", ExpectedVersion::any(), std::move(record)));
    spdlog::info("event store: master key rotated ({} -> {})", old_key.fingerprint(),
                 next.fingerprint());
    return appended.first_position;
}

Result<Position> RocksStore::rotate_signing_key(const Id& actor) {
    if (!signer_) return read_only_error();
    AUD_ASSIGN_OR_RETURN(auto rotation, signer_->rotate());
    NewEvent record;
    record.event_id = random_id();
    record.type = "store.signing_key_rotated";
    record.actor = actor;
    record.clear = "{\"old_key_id\":\"" + signing_key_id_hex(rotation.old_id) +
                   "\",\"new_key_id\":\"" + signing_key_id_hex(rotation.new_id) +
                   "\",\"new_public_key\":\"" + to_hex(rotation.public_key) + "\"}";
    AUD_ASSIGN_OR_RETURN(
        auto appended,
        pipeline_->append_store_record("store-keys", ExpectedVersion::any(), std::move(record)));
    spdlog::info("event store: signing key rotated ({} -> {})", signing_key_id_hex(rotation.old_id),
                 signing_key_id_hex(rotation.new_id));
    return appended.first_position;
}

Result<std::optional<std::string>> RocksStore::signing_key_from_vault(const SigningKeyId& id) {
    return reader_->signing_key_from_vault(id);
}

// ---- the Log ----

Result<AppendResult> RocksStore::append(std::string_view stream, ExpectedVersion expected,
                                        std::vector<NewEvent> events) {
    if (!pipeline_) return read_only_error();
    return pipeline_->append(stream, expected, events);
}

void RocksStore::append_async(std::string_view stream, ExpectedVersion expected,
                              std::vector<NewEvent> events, AppendDone done) {
    if (!pipeline_) return done(read_only_error());
    pipeline_->append_async(stream, expected, events, std::move(done));
}

Result<StreamVersion> RocksStore::stream_version(std::string_view stream) {
    return reader_->stream_version(stream, rocksdb::ReadOptions());
}

Result<std::vector<Entry>> RocksStore::read_stream(std::string_view stream, StreamVersion from,
                                                   Direction direction, std::size_t max) {
    return reader_->read_stream(stream, from, direction, max, rocksdb::ReadOptions());
}

Result<std::vector<Entry>> RocksStore::read_all(Position from, std::size_t max) {
    return reader_->read_all(from, max);
}

Position RocksStore::head() const { return durable_.head(); }

Position RocksStore::wait_for(Position position, std::chrono::steady_clock::time_point deadline) {
    return durable_.wait_for(position, deadline);
}

std::unique_ptr<Subscription> RocksStore::subscribe(Position from) {
    return reader_->subscribe(from);
}

// ---- privacy ----

Result<Position> RocksStore::erase(const Id& subject, const Id& actor) {
    if (!erasures_) return read_only_error();
    return erasures_->erase(subject, actor);
}

Result<bool> RocksStore::is_erased(const Id& subject) { return subjects_->is_erased(subject); }

Result<Position> RocksStore::set_legal_hold(const Id& subject, const Id& actor, bool held) {
    if (!erasures_) return read_only_error();
    return erasures_->set_legal_hold(subject, actor, held);
}

Result<bool> RocksStore::is_held(const Id& subject) { return subjects_->is_held(subject); }

Result<bool> RocksStore::is_erasure_deferred(const Id& subject) {
    return subjects_->is_erasure_deferred(subject);
}

Result<Erasures::RegisterApplied> RocksStore::apply_erasure_register(
    const std::vector<Id>& subjects) {
    if (!erasures_) return read_only_error();
    return erasures_->apply_erasure_register(subjects);
}

Result<std::string> RocksStore::blind_index(std::string_view purpose, std::string_view value) {
    return model_keys_->blind_index(purpose, value);
}

Result<std::optional<std::string>> RocksStore::seal_for_model(const Id& subject,
                                                              std::string_view context,
                                                              std::string_view plaintext) {
    return model_keys_->seal_for_model(subject, context, plaintext);
}

Result<std::optional<std::string>> RocksStore::open_for_model(const Id& subject,
                                                              std::string_view context,
                                                              std::string_view sealed) {
    return model_keys_->open_for_model(subject, context, sealed);
}

// ---- the audit ledger ----

Store::TreeHead RocksStore::tree_head() const { return durable_.tree_head(); }

Result<SignedTreeHead> RocksStore::sign_tree_head() {
    if (signer_) return signer_->sign();
    const std::uint64_t size = durable_.tree_head().size;
    AUD_ASSIGN_OR_RETURN(auto stored, reader_->tree_heads(size, 1));
    if (!stored.empty() && stored.front().size == size) return stored.front();
    return failed_precondition("no tree head is stored for size " + std::to_string(size) +
                               " and a read-only store cannot sign one");
}

Result<std::vector<SignedTreeHead>> RocksStore::tree_heads(std::uint64_t from_size,
                                                           std::size_t max) {
    return reader_->tree_heads(from_size, max);
}

Result<std::vector<Store::SigningPublicKey>> RocksStore::signing_keys() {
    return reader_->signing_keys();
}

Result<std::vector<std::string>> RocksStore::inclusion_proof(Position position,
                                                             std::uint64_t tree_size) {
    return reader_->inclusion_proof(position, tree_size);
}

Result<std::vector<std::string>> RocksStore::consistency_proof(std::uint64_t from_size,
                                                               std::uint64_t to_size) {
    return reader_->consistency_proof(from_size, to_size);
}

Result<std::string> RocksStore::root_at(std::uint64_t tree_size) {
    return reader_->root_at(tree_size);
}

Result<std::string> RocksStore::leaf_hash(Position position) {
    return reader_->leaf_hash(position);
}

Result<Store::VerifyReport> RocksStore::verify(const VerifyOptions& options) {
    const VerifySource src{*db_, *reader_, config_};
    if (!config_.read_only) {
        // A read-write store sees its own head; appends go on, so every read uses one snapshot.
        const Position last = head();  // before the snapshot, so the snapshot holds it
        rocksdb::ManagedSnapshot snapshot(&db_->db());
        return verify_ledger(src, options, snapshot.snapshot(), last);
    }
    AUD_RETURN_IF_ERROR(db_->catch_up());
    return verify_ledger(src, options, nullptr, head());
}

Result<ExportSummary> RocksStore::export_ledger(const ExportOptions& options) {
    if (config_.read_only) {
        AUD_RETURN_IF_ERROR(db_->catch_up());
        AUD_ASSIGN_OR_RETURN(Position last, db_->last_position());
        durable_.follow(last);
    }
    return export_ledger_file(*reader_, config_, options);
}

// ---- administration ----

Result<PurgeReport> RocksStore::purge() {
    if (!pipeline_) return read_only_error();
    return purge_ledger(PurgeParts{*reader_, *pipeline_, *subjects_, *vault_, config_});
}

Result<BackupManifest> RocksStore::create_backup(const BackupOptions& options) {
    if (!pipeline_) return failed_precondition("a backup needs the store open read-write");
    return write_backup(
        BackupParts{*db_, *vault_, *pipeline_, *signer_, durable_, *reader_, config_}, options);
}

}  // namespace auditorium::eventstore::internal
