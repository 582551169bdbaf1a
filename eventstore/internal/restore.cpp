// restore_backup() (backup.hpp; the procedure in docs/backups.md). Everything is built in a
// scratch directory beside the data directory and renamed into place only once the erasure
// registers are applied, the restore record is appended and the result verifies.
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "base/file.hpp"
#include "base/temp_directory.hpp"
#include "eventstore/backup.hpp"
#include "eventstore/internal/backup_files.hpp"
#include "eventstore/internal/backup_format.hpp"
#include "eventstore/internal/backup_reader.hpp"
#include "eventstore/internal/erasure_register.hpp"
#include "eventstore/internal/head_witness.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/rocks_store.hpp"
#include "eventstore/internal/vault.hpp"
#include "eventstore/store.hpp"
#include "eventstore/tree_head_json.hpp"

namespace auditorium::eventstore {
namespace fs = std::filesystem;
namespace reader = internal::backup_reader;
namespace backup_files = internal::backup_files;
namespace erasure_register = internal::erasure_register;
namespace {

bool empty_or_absent(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(dir, ec))) return true;
    return fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
}

// The scratch directory beside the data directory (same file system, so renames are atomic);
// removed with what is left in it unless released.
class Workspace {
public:
    static Result<Workspace> make(const fs::path& data_dir) {
        const fs::path parent = file::directory_of(data_dir);
        AUD_RETURN_IF_ERROR(file::make_private_dirs(parent));
        AUD_ASSIGN_OR_RETURN(
            auto dir,
            TempDirectory::make(parent, "." + data_dir.filename().string() + ".restoring-"));
        return Workspace(std::move(dir));
    }
    const fs::path& root() const { return dir_.path(); }
    fs::path data() const { return root() / "data"; }
    fs::path keys() const { return root() / "keys"; }
    fs::path vault() const { return keys() / layout::kVaultDir; }
    fs::path master() const { return keys() / layout::kMasterKeyFile; }

private:
    explicit Workspace(TempDirectory dir) : dir_(std::move(dir)) {}
    TempDirectory dir_;
};

class Restorer {
public:
    explicit Restorer(const RestoreOptions& options) : options_(options) {}

    Result<RestoreReport> run() {
        AUD_RETURN_IF_ERROR(check_destination());
        AUD_ASSIGN_OR_RETURN(backup_, reader::find_ledger_backup(options_.targets, options_.id));
        report_.manifest = backup_.manifest;
        AUD_ASSIGN_OR_RETURN(vault_, choose_vault());
        AUD_ASSIGN_OR_RETURN(auto master, file::read_file(master_file_));
        AUD_ASSIGN_OR_RETURN(auto work, Workspace::make(options_.data_dir));

        AUD_RETURN_IF_ERROR(copy_ledger(work));
        AUD_RETURN_IF_ERROR(copy_vault(work));
        AUD_RETURN_IF_ERROR(file::write_new_file(work.master(), master));
        AUD_RETURN_IF_ERROR(apply(work));
        AUD_RETURN_IF_ERROR(commit(work));
        return report_;
    }

private:
    Status check_destination() {
        if (options_.targets.empty())
            return invalid_argument("backup: at least one backup target is required");
        if (options_.data_dir.empty())
            return invalid_argument("data: the directory to restore into is required");
        keys_dir_ =
            options_.keys_dir.empty() ? default_keys_dir(options_.data_dir) : options_.keys_dir;
        master_file_ = options_.master_key_file.empty() ? keys_dir_ / layout::kMasterKeyFile
                                                        : options_.master_key_file;
        if (!empty_or_absent(options_.data_dir)) {
            return failed_precondition(
                "data: " + options_.data_dir.string() +
                " is not empty; a restore goes into an empty or new directory");
        }
        if (!empty_or_absent(keys_dir_ / layout::kVaultDir)) {
            return failed_precondition(
                "keys: " + keys_dir_.string() +
                " already holds a key vault; restore into another keys directory");
        }
        // The master key must be a 0600 file of the running user, as the store will demand.
        AUD_RETURN_IF_ERROR(
            internal::MasterKey::load(master_file_).status().with_context("the master key"));
        const fs::path placed = keys_dir_ / layout::kMasterKeyFile;
        std::error_code ec;
        if (fs::exists(placed, ec) && !fs::equivalent(placed, master_file_, ec)) {
            AUD_ASSIGN_OR_RETURN(auto a, file::read_file(placed));
            AUD_ASSIGN_OR_RETURN(auto b, file::read_file(master_file_));
            if (a != b) {
                return failed_precondition("keys: " + placed.string() +
                                           " holds another master key than " +
                                           master_file_.string());
            }
        }
        return Status::ok();
    }

    // The newest vault backup of all targets, which must be no older than the ledger backup: an
    // older one lacks keys made in between, and what they seal would not be readable. That is a
    // missing key, never an erasure, so the restore stops and says so.
    Result<reader::VaultBackup> choose_vault() {
        AUD_ASSIGN_OR_RETURN(auto newest, reader::newest_vault_backup(options_.targets));
        const BackupManifest& m = backup_.manifest;
        if (!newest) {
            return failed_precondition("no vault backup in the targets given: the ledger backup " +
                                       m.id + " cannot be restored without its keys");
        }
        if (newest->manifest.created_at_us < m.created_at_us) {
            return failed_precondition("the newest vault backup (" + newest->manifest.id +
                                       ", taken " + rfc3339(newest->manifest.created_at_us) +
                                       ") is older than the ledger backup " + m.id + " (taken " +
                                       rfc3339(m.created_at_us) +
                                       "): keys made in between are missing from it, so data "
                                       "sealed under them could not be read. These are missing "
                                       "keys, not erasures; refusing to "
                                       "restore. Restore an older ledger backup, or find a vault "
                                       "backup taken with this one or later");
        }
        report_.vault_id = newest->manifest.id;
        report_.vault_created_at_us = newest->manifest.created_at_us;
        return std::move(newest).value();
    }

    // Checks the manifest's and tree head's signatures by the key it names (or the pinned key),
    // copies the ledger backup and checks the copy against the manifest, and only then opens it:
    // its signing keys must include the manifest's signer, and check the erasure registers.
    Status copy_ledger(const Workspace& work) {
        const BackupManifest& m = backup_.manifest;
        AUD_ASSIGN_OR_RETURN(
            signer_, reader::manifest_signer(m.key_id, m.public_key, options_.trusted_public_key));
        AUD_RETURN_IF_ERROR(
            reader::check_manifest_signature(backup_.paths, backup_.manifest_text, signer_)
                .status());
        AUD_RETURN_IF_ERROR(reader::check_tree_head(m.head, m.store_id, signer_));
        AUD_RETURN_IF_ERROR(file::make_private_dirs(work.data()));
        AUD_RETURN_IF_ERROR(backup_files::copy_files(backup_.paths.dir, work.data()));
        AUD_RETURN_IF_ERROR(
            backup_files::check_files(work.data(), m.files).with_context("ledger backup " + m.id));
        StoreOptions so;
        so.data_dir = work.data();
        so.read_only = true;
        so.with_keys = false;
        so.adopt_head_witness = true;
        AUD_ASSIGN_OR_RETURN(auto store, Store::open(so));
        if (store->store_id() != m.store_id) {
            return corruption("ledger backup " + m.id + " holds store " + store->store_id().hex() +
                              ", but its manifest names store " + m.store_id.hex());
        }
        AUD_RETURN_IF_ERROR(reader::check_signer_in_ledger(*store, signer_));
        AUD_ASSIGN_OR_RETURN(keys_, reader::signing_keys_of(*store, options_.trusted_public_key));
        return Status::ok();
    }

    Status copy_vault(const Workspace& work) {
        const std::string what = "vault backup " + vault_.manifest.id;
        if (vault_.manifest.store_id != backup_.manifest.store_id) {
            return corruption(what + " belongs to store " + vault_.manifest.store_id.hex());
        }
        AUD_RETURN_IF_ERROR(file::make_private_dirs(work.vault()));
        AUD_RETURN_IF_ERROR(backup_files::copy_files(vault_.paths.dir, work.vault()));
        return backup_files::check_files(work.vault(), vault_.manifest.files).with_context(what);
    }

    // The keys a restore trusts: the restored ledger's signing keys (or only the pinned one), and,
    // without a pin, keys whose seeds the restored vault holds. Those are authentic (sealed under
    // the master key) and cover a key rotation made after the ledger backup.
    erasure_register::KeyLookup key_lookup(internal::RocksStore& restored) const {
        return [this, &restored](const SigningKeyId& id) -> Result<std::optional<std::string>> {
            if (const auto it = keys_.find(id); it != keys_.end())
                return std::optional<std::string>(it->second);
            if (!options_.trusted_public_key.empty()) return std::optional<std::string>();
            return restored.signing_key_from_vault(id);
        };
    }

    Status check_vault_signature(const erasure_register::KeyLookup& lookup) {
        const auto& vm = vault_.manifest;
        const std::string what = "vault backup " + vm.id;
        AUD_ASSIGN_OR_RETURN(auto key, lookup(vm.key_id));
        if (!key || *key != vm.public_key) {
            return corruption(what + " is signed by key " + signing_key_id_hex(vm.key_id) +
                              ", which is not a trusted signing key of the ledger");
        }
        return reader::check_manifest_signature(vault_.paths, vault_.manifest_text,
                                                {{vm.key_id, *key}})
            .status()
            .with_context(what);
    }

    // The union of every target's register. Each must be readable: one that is not might be the
    // only one holding an erasure, so the restore refuses rather than bring a person back.
    Result<std::vector<Id>> read_registers(const erasure_register::KeyLookup& lookup) {
        std::set<Id> subjects;
        for (const fs::path& target : options_.targets) {
            const fs::path file = target / internal::backup_format::kRegisterFile;
            auto contents = erasure_register::read(file, backup_.manifest.store_id, lookup);
            if (!contents) {
                return failed_precondition(
                    "the erasure register " + file.string() +
                    " cannot be read, so erasures registered there could not be "
                    "applied; refusing to restore: " +
                    contents.status().to_string());
            }
            if (contents->torn_tail) {
                report_.warnings.push_back(
                    "the erasure register " + file.string() +
                    " ends in an unfinished line (a write cut short); it was ignored");
            }
            for (const auto& r : contents->records) subjects.insert(r.subject);
        }
        report_.registered = subjects.size();
        return std::vector<Id>(subjects.begin(), subjects.end());
    }

    // Opens the restored store (nothing else can: it is in the scratch directory), checks the
    // vault manifest's signature and reads the registers, applies them, appends the restore record
    // and verifies the result with its keys.
    Status apply(const Workspace& work) {
        StoreOptions so;
        so.data_dir = work.data();
        so.keys_dir = work.keys();
        so.adopt_head_witness = true;
        AUD_ASSIGN_OR_RETURN(auto store, internal::RocksStore::open_read_write(so));
        internal::RocksStore& restored = *store;
        const auto lookup = key_lookup(restored);
        AUD_RETURN_IF_ERROR(check_vault_signature(lookup));
        AUD_ASSIGN_OR_RETURN(auto subjects, read_registers(lookup));
        AUD_ASSIGN_OR_RETURN(auto applied, restored.apply_erasure_register(subjects));
        report_.erasures_applied = applied.erased;
        report_.keys_destroyed = applied.keys_destroyed;
        AUD_ASSIGN_OR_RETURN(report_.restore_record,
                             restored.append_restore_record(backup_.manifest, vault_.manifest.id,
                                                            applied.erased.size()));
        AUD_RETURN_IF_ERROR(store->sign_tree_head().status());
        Store::VerifyOptions vo;
        vo.previous = backup_.manifest.head;
        vo.trusted_public_key = options_.trusted_public_key;
        auto verified = store->verify(vo);
        if (!verified) {
            return verified.status().with_context(
                "the restored ledger does not verify; refusing to restore");
        }
        report_.size = verified->entries;
        return Status::ok();
    }

    // Moves the vault, then the ledger, into place: the ledger appearing is the commit point.
    Status commit(const Workspace& work) {
        const fs::path vault_dir = keys_dir_ / layout::kVaultDir;
        const fs::path placed_master = keys_dir_ / layout::kMasterKeyFile;
        AUD_RETURN_IF_ERROR(file::make_private_dirs(keys_dir_));
        std::error_code ec;
        const bool place_master = !fs::exists(placed_master, ec);
        // An empty directory, if any; ec ignored on purpose: a directory that stays is refused
        // by the rename below, which names it.
        fs::remove(vault_dir, ec);
        // The restored ledger's head witness goes first: a ledger in place without its witness
        // would be refused at open, and an older witness left there would refuse the restore.
        const fs::path witness = internal::head_witness::file_in(work.keys());
        if (::rename(witness.c_str(), internal::head_witness::file_in(keys_dir_).c_str()) != 0) {
            return unavailable("placing the restored ledger's head witness in " +
                               keys_dir_.string());
        }
        if (::rename(work.vault().c_str(), vault_dir.c_str()) != 0) {
            return unavailable(
                "moving the restored vault to " + vault_dir.string() +
                " (keys and data directories must be on one file system as the scratch " +
                "directory beside the data directory)");
        }
        fs::remove(options_.data_dir,
                   ec);  // an empty directory, if any; as above, the rename reports one that stays
        if (::rename(work.data().c_str(), options_.data_dir.c_str()) != 0) {
            const std::string why = file::errno_text(errno);
            // Roll the vault back, so the keys directory does not hold a vault without its ledger.
            if (::rename(vault_dir.c_str(), work.vault().c_str()) != 0) {
                return unavailable(
                    "moving the restored ledger to " + options_.data_dir.string() + " failed (" +
                    why +
                    "), and moving the restored vault back out of the keys directory failed too (" +
                    file::errno_text(errno) + "): " + vault_dir.string() +
                    " now holds a vault without its ledger; move it out of " + keys_dir_.string() +
                    " by hand (it was to go back to " + work.vault().string() +
                    ") before opening or restoring the store");
            }
            return unavailable("moving the restored ledger to " + options_.data_dir.string() +
                               ": " + why);
        }
        if (place_master && ::rename(work.master().c_str(), placed_master.c_str()) != 0) {
            return unavailable("placing the master key at " + placed_master.string());
        }
        AUD_RETURN_IF_ERROR(file::sync_dir(keys_dir_));
        return file::sync_dir(file::directory_of(options_.data_dir));
    }

    const RestoreOptions& options_;
    fs::path keys_dir_;
    fs::path master_file_;
    reader::LedgerBackup backup_;
    reader::VaultBackup vault_;
    reader::PublicKeys signer_;  // the ledger manifest's signer
    reader::PublicKeys keys_;    // the restored ledger's signing keys (or the pinned one)
    RestoreReport report_;
};

}  // namespace

Result<RestoreReport> restore_backup(const RestoreOptions& options) {
    return Restorer(options).run();
}

}  // namespace auditorium::eventstore
