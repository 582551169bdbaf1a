// Finding and checking backups in their targets: what verify_backup() and restore_backup()
// share. Nothing here changes a target. Thread safety: free functions; safe from any thread.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "eventstore/backup.hpp"
#include "eventstore/internal/backup_format.hpp"
#include "eventstore/store.hpp"

namespace auditorium::eventstore::internal::backup_reader {

struct LedgerBackup {
    std::filesystem::path target;
    backup_format::Paths paths;
    BackupManifest manifest;
    std::string manifest_text;  // the signed bytes
};

struct VaultBackup {
    std::filesystem::path target;
    backup_format::Paths paths;
    backup_format::VaultManifest manifest;
    std::string manifest_text;
};

// The ledger backup `id` from the first target that holds it, or (id empty) the newest of all
// targets by creation time. NotFound naming the targets searched.
Result<LedgerBackup> find_ledger_backup(const std::vector<std::filesystem::path>& targets,
                                        const std::string& id);

// The vault backup `id` of `target`, if there is one.
Result<std::optional<VaultBackup>> find_vault_backup(const std::filesystem::path& target,
                                                     const std::string& id);

// The newest vault backup of all targets by creation time, if any. Manifests that do not parse
// are skipped.
Result<std::optional<VaultBackup>> newest_vault_backup(
    const std::vector<std::filesystem::path>& targets);

using PublicKeys = std::map<SigningKeyId, std::string>;  // key id -> 32-byte Ed25519 key

// The signing keys of an opened ledger, or only `trusted` (32 bytes) when it is not empty:
// Corruption when the ledger does not list it.
Result<PublicKeys> signing_keys_of(Store& store, const std::string& trusted);

// The signer a manifest names, as a key set of one. Corruption when `trusted` (32 bytes) is
// given and the manifest names another key.
Result<PublicKeys> manifest_signer(const SigningKeyId& id, const std::string& key,
                                   const std::string& trusted);

// After the backed-up ledger is opened: its signing keys must include the manifest's signer.
Status check_signer_in_ledger(Store& store, const PublicKeys& signer);

// Checks the minisign signature <manifest>.minisig over `text` with one of `keys`; returns its
// trusted comment. Corruption when it is missing, malformed, by another key or does not match.
Result<std::string> check_manifest_signature(const backup_format::Paths& paths,
                                             std::string_view text, const PublicKeys& keys);

// The tree head's own signature under `keys`, and that it belongs to `store_id`.
Status check_tree_head(const SignedTreeHead& head, const Id& store_id, const PublicKeys& keys);

}  // namespace auditorium::eventstore::internal::backup_reader
