// verify_backup() and list_backups() (backup.hpp): checking a backup by restoring it into a
// scratch directory and verifying the copy, never the target's own files.
#include <stdlib.h>

#include <algorithm>

#include "base/file.hpp"
#include "base/temp_directory.hpp"
#include "eventstore/backup.hpp"
#include "eventstore/internal/backup_files.hpp"
#include "eventstore/internal/backup_format.hpp"
#include "eventstore/internal/backup_reader.hpp"
#include "eventstore/store.hpp"

namespace auditorium::eventstore {
namespace fs = std::filesystem;
using internal::backup_format::Kind;
namespace reader = internal::backup_reader;
namespace {

// A private directory under the system temp dir, removed with its contents when destroyed.

Status check_vault(const BackupManifest& ledger, const reader::VaultBackup& vault,
                   const reader::PublicKeys& keys) {
    AUD_RETURN_IF_ERROR(
        reader::check_manifest_signature(vault.paths, vault.manifest_text, keys).status());
    if (vault.manifest.store_id != ledger.store_id) {
        return corruption("vault backup " + vault.manifest.id + " belongs to store " +
                          vault.manifest.store_id.hex());
    }
    return internal::backup_files::check_files(vault.paths.dir, vault.manifest.files);
}

}  // namespace

Result<std::vector<BackupManifest>> list_backups(const fs::path& target) {
    AUD_ASSIGN_OR_RETURN(auto manifests,
                         internal::backup_format::list_manifests(target, Kind::kLedger));
    std::vector<BackupManifest> out;
    for (const auto& [id, text] : manifests) {
        auto m = internal::backup_format::decode_ledger_manifest(text);
        if (!m) return m.status().with_context("ledger backup " + id);
        out.push_back(std::move(m).value());
    }
    std::sort(out.begin(), out.end(), [](const BackupManifest& a, const BackupManifest& b) {
        return a.created_at_us != b.created_at_us ? a.created_at_us < b.created_at_us : a.id < b.id;
    });
    return out;
}

Result<BackupCheck> verify_backup(const BackupVerifyOptions& options) {
    if (options.target.empty())
        return invalid_argument("backup: a backup target directory is required");
    AUD_ASSIGN_OR_RETURN(auto backup, reader::find_ledger_backup({options.target}, options.id));
    const BackupManifest& m = backup.manifest;
    BackupCheck check;
    check.manifest = m;
    check.key_from_backup = options.trusted_public_key.empty();

    // The signature first, by the key the manifest names (or the pinned one), then the files it
    // lists: nothing of the backup is opened before both hold.
    AUD_ASSIGN_OR_RETURN(
        auto keys, reader::manifest_signer(m.key_id, m.public_key, options.trusted_public_key));
    AUD_ASSIGN_OR_RETURN(check.trusted_comment, reader::check_manifest_signature(
                                                    backup.paths, backup.manifest_text, keys));
    AUD_RETURN_IF_ERROR(reader::check_tree_head(m.head, m.store_id, keys));
    std::error_code tmp_ec;
    const fs::path tmp = fs::temp_directory_path(tmp_ec);
    if (tmp_ec) return unavailable("finding the temporary directory: " + tmp_ec.message());
    AUD_ASSIGN_OR_RETURN(auto scratch, TempDirectory::make(tmp, "auditorium-backup-verify-"));
    const fs::path copy = scratch.path() / "ledger";
    AUD_RETURN_IF_ERROR(file::make_private_dirs(copy));
    AUD_RETURN_IF_ERROR(internal::backup_files::copy_files(backup.paths.dir, copy));
    AUD_RETURN_IF_ERROR(
        internal::backup_files::check_files(copy, m.files).with_context("ledger backup " + m.id));

    StoreOptions so;
    so.data_dir = copy;
    so.read_only = true;
    so.map_files = true;  // a whole scan
    so.with_keys = false;
    AUD_ASSIGN_OR_RETURN(auto store, Store::open(so));
    if (store->store_id() != m.store_id) {
        return corruption("ledger backup " + m.id + " holds store " + store->store_id().hex() +
                          ", but its manifest names store " + m.store_id.hex());
    }
    if (store->is_dev() != m.dev)
        return corruption("ledger backup " + m.id + ": the manifest's dev flag is wrong");
    AUD_RETURN_IF_ERROR(reader::check_signer_in_ledger(*store, keys));

    Store::VerifyOptions vo;
    vo.previous = m.head;
    vo.trusted_public_key = options.trusted_public_key;
    auto report = store->verify(vo);
    if (!report) return report.status().with_context("ledger backup " + m.id);
    if (report->entries != m.head.size) {
        return corruption("ledger backup " + m.id + " holds " + std::to_string(report->entries) +
                          " entries, but its manifest's tree head has size " +
                          std::to_string(m.head.size));
    }
    if (report->root != m.head.root) {
        return corruption("ledger backup " + m.id +
                          ": the verified root is not the manifest's tree head's root");
    }
    check.entries = report->entries;
    check.root = report->root;
    check.tree_heads = report->tree_heads;

    AUD_ASSIGN_OR_RETURN(auto vault, reader::find_vault_backup(options.target, m.vault_id));
    if (vault) {
        AUD_RETURN_IF_ERROR(
            check_vault(m, *vault, keys).with_context("vault backup " + m.vault_id));
        check.vault_present = true;
    }
    return check;
}

}  // namespace auditorium::eventstore
