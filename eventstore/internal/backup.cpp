// write_backup (backup.hpp, docs/backups.md): taking a backup online into one target.
#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdarg>

#include "base/big_endian.hpp"
#include "base/file.hpp"
#include "eventstore/internal/backup_files.hpp"
#include "eventstore/internal/backup_format.hpp"
#include "eventstore/internal/erasure_register.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/rocks_status.hpp"
#include "eventstore/internal/rocks_store.hpp"
#include "eventstore/internal/store_jobs.hpp"
#include "eventstore/internal/vault.hpp"
#include "eventstore/minisign.hpp"
#include "eventstore/tree_head_json.hpp"

namespace auditorium::eventstore::internal {
namespace fs = std::filesystem;
namespace json = boost::json;
using backup_format::Kind;
namespace {

// How long a backup waits for the store to acknowledge what its checkpoint already holds: the
// writer publishes the head right after its write returns, so this is only ever a short wait.
constexpr std::chrono::seconds kAcknowledgeWait{30};

// Opening a checkpoint read-only must not add a LOG file to the backup.
class NullLogger final : public rocksdb::Logger {
public:
    using rocksdb::Logger::Logv;
    void Logv(const char*, va_list) override {}
};

// The last position stored in the ledger checkpoint at `dir` (0 for an empty ledger). A
// read-only open may name a subset of the column families: only `ledger` is read.
Result<Position> last_position(const fs::path& dir) {
    rocksdb::DBOptions o;
    o.info_log = std::make_shared<NullLogger>();
    const std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {std::string(layout::kLedgerCf), rocksdb::ColumnFamilyOptions()}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    AUD_RETURN_IF_ERROR(
        from_rocks(rocksdb::DB::OpenForReadOnly(o, dir.string(), cfs, &handles, &raw),
                   "opening the checkpoint " + dir.string()));
    std::unique_ptr<rocksdb::DB> db(raw);
    Position last = 0;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[1]));
    it->SeekToLast();
    if (it->Valid()) last = get_be64(it->key().ToStringView());
    const Status status = from_rocks(it->status(), "reading the checkpoint");
    it.reset();
    // Read-only: the position is read, so a failed release only costs a log line.
    for (auto* h : handles) {
        if (auto s = db->DestroyColumnFamilyHandle(h); !s.ok()) {
            spdlog::warn("backup: releasing a column family of the checkpoint: {}", s.ToString());
        }
    }
    if (auto s = db->Close(); !s.ok())
        spdlog::warn("backup: closing the checkpoint {}: {}", dir.string(), s.ToString());
    if (!status.is_ok()) return status;
    return last;
}

Status remove_tree(const fs::path& p) {
    std::error_code ec;
    fs::remove_all(p, ec);
    if (ec) return unavailable("removing " + p.string() + ": " + ec.message());
    return Status::ok();
}

// Removes what a crashed backup left: partial directories and directories without a manifest.
Status remove_unfinished(const fs::path& target, Kind kind) {
    const fs::path dir =
        target / (kind == Kind::kLedger ? backup_format::kLedgerDir : backup_format::kVaultDir);
    std::error_code ec;
    std::vector<fs::path> doomed;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!it->is_directory(ec)) continue;
        const bool partial = name.starts_with(".") && name.ends_with(backup_format::kPartialSuffix);
        const bool orphan = backup_format::valid_id(name) &&
                            !fs::exists(backup_format::paths(target, kind, name).manifest, ec);
        if (partial || orphan) doomed.push_back(it->path());
    }
    if (ec) return unavailable("listing " + dir.string() + ": " + ec.message());
    for (const auto& p : doomed) {
        spdlog::warn("backup: removing the unfinished backup {}", p.string());
        AUD_RETURN_IF_ERROR(remove_tree(p));
    }
    return Status::ok();
}

// Deletes one backup: the manifest first (after which it no longer counts), then the rest.
Status delete_backup(const fs::path& target, Kind kind, const std::string& id) {
    const auto p = backup_format::paths(target, kind, id);
    std::error_code ec;
    fs::remove(p.manifest, ec);
    if (ec) return unavailable("removing " + p.manifest.string() + ": " + ec.message());
    AUD_RETURN_IF_ERROR(file::sync_dir(p.manifest.parent_path()));
    fs::remove(p.signature, ec);
    return remove_tree(p.dir);
}

Status write_signed(const backup_format::Paths& p, const std::string& text,
                    const std::string& comment, const minisign::SigningKey& key) {
    minisign::FileSigner signer(key);
    signer.update(text);
    AUD_ASSIGN_OR_RETURN(std::string minisig, signer.finish(comment, "auditorium backup manifest"));
    // The signature first: a manifest, once there, is a finished backup.
    AUD_RETURN_IF_ERROR(file::write_file_atomic(p.signature, minisig));
    return file::write_file_atomic(p.manifest, text);
}

// Takes one backup into one target; see create_backup's contract in store.hpp and backup.hpp.
class BackupWriter {
public:
    BackupWriter(const BackupParts& parts, const BackupOptions& options)
        : parts_(parts), options_(options) {}

    Result<BackupManifest> run() {
        AUD_RETURN_IF_ERROR(check_options());
        // A store that refuses appends could not ledger the backup: refuse before copying.
        AUD_RETURN_IF_ERROR(parts_.durable.refused());
        const fs::path& target = options_.target;
        AUD_RETURN_IF_ERROR(file::make_private_dirs(target / backup_format::kLedgerDir));
        AUD_RETURN_IF_ERROR(file::make_private_dirs(target / backup_format::kVaultDir));
        AUD_ASSIGN_OR_RETURN(
            auto lock,
            file::FileLock::acquire(target / backup_format::kLockFile,
                                    "another backup is being written to " + target.string()));
        AUD_RETURN_IF_ERROR(ensure_register());
        AUD_RETURN_IF_ERROR(remove_unfinished(target, Kind::kLedger));
        AUD_RETURN_IF_ERROR(remove_unfinished(target, Kind::kVault));
        AUD_ASSIGN_OR_RETURN(key_, parts_.reader.active_signing_key());

        const std::int64_t now = parts_.config.now_us();
        BackupManifest m;
        m.id = backup_format::make_id(now);
        m.created_at_us = now;
        m.store_id = parts_.config.store_id;
        m.dev = parts_.config.dev;
        m.key_id = key_->public_key().id;
        m.public_key.assign(reinterpret_cast<const char*>(key_->public_key().key.data()),
                            key_->public_key().key.size());
        m.vault_id = m.id;
        ledger_ = backup_format::paths(target, Kind::kLedger, m.id);
        vault_ = backup_format::paths(target, Kind::kVault, m.id);
        Status s = write(m);
        if (!s.is_ok()) {
            // The write's failure is the one to return; partials left behind are removed by the
            // next backup into this target, so they are only logged.
            for (const auto& partial : {ledger_.partial, vault_.partial}) {
                if (Status removed = remove_tree(partial); !removed.is_ok()) {
                    spdlog::warn("backup: leaving the unfinished {}: {}", partial.string(),
                                 removed.to_string());
                }
            }
            return s;
        }
        AUD_RETURN_IF_ERROR(prune(m.id, now));
        AUD_RETURN_IF_ERROR(record(m).with_context("ledgering the backup " + m.id));
        spdlog::info("backup: {} written to {}: tree size {}, {} ledger files", m.id,
                     target.string(), m.head.size, m.files.size());
        return m;
    }

private:
    // The backup is a privileged act: ledgered, after it is complete (it holds the tree head
    // before this record, so the record is never inside the backup it describes).
    Status record(const BackupManifest& m) {
        json::object clear;
        clear["backup_id"] = m.id;
        clear["target"] = options_.target.string();
        clear["tree_head"] = json::parse(tree_head_to_json(m.head));
        clear["vault_backup_id"] = m.vault_id;
        clear["ledger_files"] = m.files.size();
        NewEvent e;
        e.event_id = random_id();
        e.type = std::string(kBackupType);
        e.clear = json::serialize(clear);
        return parts_.pipeline
            .append_store_record(kBackupStream, ExpectedVersion::any(), std::move(e))
            .status();
    }

    Status check_options() {
        if (options_.target.empty())
            return invalid_argument("target: a backup target directory is required");
        if (options_.keep == 0)
            return invalid_argument("keep: at least one ledger backup must be kept");
        if (options_.vault_keep.count() <= 0)
            return invalid_argument("vault_keep: must be positive");
        return Status::ok();
    }

    // Every target that has backups has a register, so a missing one means a damaged target.
    Status ensure_register() {
        const auto& targets = parts_.config.backup_targets;
        std::error_code ec;
        const bool configured = std::any_of(targets.begin(), targets.end(), [&](const fs::path& t) {
            return fs::equivalent(t, options_.target, ec);
        });
        if (!configured) {
            spdlog::warn(
                "backup: {} is not among the store's backup targets, so erasures are not "
                "registered there; a restore from it must be given the configured targets too",
                options_.target.string());
        }
        const fs::path file = options_.target / backup_format::kRegisterFile;
        if (fs::exists(file, ec)) return Status::ok();
        Status s = file::write_new_file(file, "");
        return s.code() == StatusCode::kAlreadyExists ? Status::ok() : s;
    }

    Status write(BackupManifest& m) {
        // The ledger first, then the vault: every key the ledger checkpoint's entries were sealed
        // under was synced to the vault before those entries were written, so the later vault
        // checkpoint holds it, unless the subject was erased in between, which the register
        // (written before any key is destroyed) records.
        AUD_RETURN_IF_ERROR(checkpoint_ledger(ledger_.partial));
        AUD_RETURN_IF_ERROR(parts_.vault.checkpoint(vault_.partial));
        for (const fs::path& dir : {ledger_.partial, vault_.partial}) {
            if (::chmod(dir.c_str(), 0700) != 0)
                return unavailable("setting mode 0700 on " + dir.string());
            AUD_RETURN_IF_ERROR(backup_files::break_hard_links(dir));
        }
        AUD_ASSIGN_OR_RETURN(Position last, last_position(ledger_.partial));
        AUD_ASSIGN_OR_RETURN(m.head, head_at(last));

        backup_format::VaultManifest vm{m.id,     m.created_at_us, m.store_id,
                                        m.key_id, m.public_key,    {}};
        AUD_ASSIGN_OR_RETURN(vm.files, backup_files::hash_files(vault_.partial));
        AUD_RETURN_IF_ERROR(rename_into_place(vault_));
        AUD_RETURN_IF_ERROR(write_signed(vault_, backup_format::encode(vm),
                                         backup_format::trusted_comment(vm), key_.value()));

        AUD_ASSIGN_OR_RETURN(m.files, backup_files::hash_files(ledger_.partial));
        AUD_RETURN_IF_ERROR(rename_into_place(ledger_));
        return write_signed(ledger_, backup_format::encode(m), backup_format::trusted_comment(m),
                            key_.value());
    }

    Status checkpoint_ledger(const fs::path& dir) {
        rocksdb::Checkpoint* raw = nullptr;
        AUD_RETURN_IF_ERROR(from_rocks(rocksdb::Checkpoint::Create(&parts_.db.db(), &raw),
                                       "checkpointing the ledger"));
        std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
        return from_rocks(checkpoint->CreateCheckpoint(dir.string()),
                          "checkpointing the ledger into " + dir.string());
    }

    Status rename_into_place(const backup_format::Paths& p) {
        return file::rename_durable(p.partial, p.dir);
    }

    // A signed tree head of exactly `size` entries: a stored one, or one signed now.
    Result<SignedTreeHead> head_at(Position size) {
        if (parts_.durable.wait_for(size, std::chrono::steady_clock::now() + kAcknowledgeWait) <
            size) {
            return unavailable("the ledger checkpoint holds position " + std::to_string(size) +
                               ", which the store has not acknowledged (a failed write?)");
        }
        return parts_.signer.head_at(size, key_.value());
    }

    // Keeps the newest `keep` ledger backups and the vault backups younger than `vault_keep`.
    Status prune(const std::string& current, std::int64_t now) {
        AUD_ASSIGN_OR_RETURN(auto ledgers,
                             backup_format::list_manifests(options_.target, Kind::kLedger));
        std::vector<std::pair<std::int64_t, std::string>> dated;
        for (const auto& [id, text] : ledgers) {
            auto m = backup_format::decode_ledger_manifest(text);
            if (!m) {
                spdlog::warn("backup: leaving ledger backup {}: {}", id, m.status().to_string());
                continue;
            }
            dated.emplace_back(m->created_at_us, id);
        }
        std::sort(dated.begin(), dated.end());
        for (std::size_t i = 0; i + options_.keep < dated.size(); ++i) {
            if (dated[i].second == current) continue;
            spdlog::info("backup: deleting ledger backup {} (keeping the newest {})",
                         dated[i].second, options_.keep);
            AUD_RETURN_IF_ERROR(delete_backup(options_.target, Kind::kLedger, dated[i].second));
        }
        const std::int64_t limit =
            now -
            std::chrono::duration_cast<std::chrono::microseconds>(options_.vault_keep).count();
        AUD_ASSIGN_OR_RETURN(auto vaults,
                             backup_format::list_manifests(options_.target, Kind::kVault));
        for (const auto& [id, text] : vaults) {
            if (id == current) continue;
            auto m = backup_format::decode_vault_manifest(text);
            // A vault backup whose manifest cannot be read cannot be restored either; it only
            // keeps keys alive, so it goes too.
            if (m && m->created_at_us >= limit) continue;
            spdlog::info("backup: deleting vault backup {} (older than {} hours)", id,
                         options_.vault_keep.count());
            AUD_RETURN_IF_ERROR(delete_backup(options_.target, Kind::kVault, id));
        }
        return Status::ok();
    }

    const BackupParts& parts_;
    const BackupOptions& options_;
    backup_format::Paths ledger_;
    backup_format::Paths vault_;
    std::optional<minisign::SigningKey> key_;
};

}  // namespace

Result<BackupManifest> write_backup(const BackupParts& parts, const BackupOptions& options) {
    return BackupWriter(parts, options).run();
}

// ---- restore steps inside the restored store ----
// (RocksStore's, in this file beside the backups they come from)

Result<Position> RocksStore::append_restore_record(const BackupManifest& backup,
                                                   std::string_view vault_id,
                                                   std::size_t erasures_applied) {
    json::object clear;
    clear["backup_id"] = backup.id;
    clear["tree_head"] = json::parse(tree_head_to_json(backup.head));
    clear["vault_backup_id"] = vault_id;
    clear["erasures_applied"] = erasures_applied;
    clear["restored_at"] = rfc3339(config_.now_us());
    NewEvent record;
    record.event_id = random_id();
    record.type = std::string(kRestoreType);
    record.clear = json::serialize(clear);
    AUD_ASSIGN_OR_RETURN(
        auto appended,
        pipeline_->append_store_record(kRestoreStream, ExpectedVersion::any(), std::move(record)));
    return appended.first_position;
}

}  // namespace auditorium::eventstore::internal
