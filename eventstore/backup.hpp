// Backups: consistent online copies of the ledger, with the vault kept apart, signed manifests,
// verification by restore, an erasure register that no restore can bypass, and escrow of the
// master key under a passphrase. Formats and the restore procedure: docs/backups.md.
//
// A backup target is a directory (in production a mounted remote volume) holding the backups of
// one store:
//   <target>/erasures.log                  the erasure register (one signed, chained line each)
//   <target>/ledger/<id>/                  RocksDB checkpoint of the ledger: never a key
//   <target>/ledger/<id>.manifest.json     id, time, store, tree head, files with SHA-256
//   <target>/ledger/<id>.manifest.json.minisig
//   <target>/vault/<id>/                   RocksDB checkpoint of the key vault (keys wrapped by
//   <target>/vault/<id>.manifest.json      the master key, which is never in a backup)
//   <target>/vault/<id>.manifest.json.minisig
// Manifests are signed in minisign's format by the ledger's signing key.
//
// Thread safety: the free functions may be called from any thread; two restores must not share
// a data directory, and one target takes one backup at a time (a lock file enforces it).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "eventstore/tree_head.hpp"

namespace auditorium::eventstore {

struct BackupOptions {
    std::filesystem::path target;
    std::size_t keep = 7;  // ledger backups kept per target (newest first)
    // Vault backups older than this (by the store's clock, StoreOptions::clock) are deleted at
    // the next backup: the bound on how long an erased subject's wrapped key survives in a backup.
    std::chrono::hours vault_keep{24 * 30};
};

// One file of a backup, as listed in its manifest.
struct BackupFile {
    std::string name;  // a plain file name inside the backup's directory
    std::uint64_t size = 0;
    std::string sha256;  // 32 raw bytes
};

struct BackupManifest {
    std::string id;       // sortable: "20261128T021500.123456Z-<8 hex>" (UTC)
    SignedTreeHead head;  // the tree head the ledger backup contains: its size is its last position
    std::int64_t created_at_us = 0;
    Id store_id;
    bool dev = false;
    // The signer: the ledger's signing key (32 bytes, Ed25519) and its id, named in the manifest
    // so the signature is checked before anything in the backup is opened; a verification then
    // checks that the backed-up ledger lists this key.
    SigningKeyId key_id{};
    std::string public_key;
    std::string vault_id;  // the vault backup taken with it
    std::vector<BackupFile> files;
};

// The ledger backups in `target`, oldest first, read from their manifests (not yet verified).
// An empty list when the target holds none; Corruption for a manifest that does not parse.
Result<std::vector<BackupManifest>> list_backups(const std::filesystem::path& target);

// ---- verification ----

struct BackupVerifyOptions {
    std::filesystem::path target;
    std::string id;  // empty: the newest
    // Trust only this signing key (32 bytes); empty: the ledger backup's own keys (reported).
    std::string trusted_public_key;
};

struct BackupCheck {
    BackupManifest manifest;
    std::uint64_t entries = 0;     // verified entries: equals manifest.head.size
    std::string root;              // the recomputed root (32 bytes): equals manifest.head.root
    std::uint64_t tree_heads = 0;  // stored heads checked inside the backup
    bool key_from_backup = false;  // no key was pinned: the backup's own key was trusted
    // The vault backup taken with it: checked (hashes, signature) when present.
    bool vault_present = false;
    std::string trusted_comment;  // of the manifest's signature
};

// Restores the ledger backup into a scratch directory and checks it: the manifest's signature,
// every file's size and hash (and no file more), the full ledger verification (store.hpp's
// Store::verify), and that the verified size and root are the manifest's tree head, whose
// signature must hold too. Corruption or DataLoss naming the file, position or field at fault;
// NotFound when the target has no such backup. Nothing in the target is changed.
Result<BackupCheck> verify_backup(const BackupVerifyOptions& options);

// ---- restore ----

struct RestoreOptions {
    // The targets to read. The ledger backup comes from the first one holding `id` (or the newest
    // of all); the vault from the newest vault backup of all taken with it or later; the erasure
    // registers of EVERY target are applied (each must be readable).
    std::vector<std::filesystem::path> targets;
    std::string id;                  // empty: the newest ledger backup
    std::filesystem::path data_dir;  // must be absent or empty
    std::filesystem::path keys_dir;  // default: "keys" beside data_dir; must hold no vault
    // The master key (a 0600 file; see unescrow_master_key). Default: <keys_dir>/master.key.
    // Copied to <keys_dir>/master.key when that does not exist yet.
    std::filesystem::path master_key_file;
    std::string trusted_public_key;  // as in BackupVerifyOptions
};

struct RestoreReport {
    BackupManifest manifest;  // the ledger backup restored
    std::string vault_id;     // the vault backup restored
    std::int64_t vault_created_at_us = 0;
    std::size_t registered = 0;        // distinct subjects in the registers read
    std::vector<Id> erasures_applied;  // subjects not erased in the backup, erased at restore
    std::size_t keys_destroyed = 0;    // subjects erased in the backup whose keys the vault held
    std::uint64_t restore_record = 0;  // position of the store.restored record
    std::uint64_t size = 0;            // the restored ledger's size, records included
    std::vector<std::string> warnings;
};

// Restores a backup into options.data_dir and keys_dir. Everything is built in a scratch
// directory beside data_dir and renamed into place only after: the backup's files and
// signatures check; the erasure registers of every target are read and applied (each registered
// subject is erased in the restored ledger, its keys destroyed in the restored vault); a
// "store.restored" record naming the backup and its tree head is appended; and the restored
// ledger verifies with its keys (a key missing without an erasure record is DataLoss). On any
// failure nothing is left in data_dir or keys_dir. Refuses (FailedPrecondition) a non-empty
// data_dir, an existing vault, and a backup whose newest vault backup is older than it.
Result<RestoreReport> restore_backup(const RestoreOptions& options);

// The stream and type of the record every backup appends once it is complete; its clear part is
// JSON: {"backup_id":..,"target":..,"tree_head":{..},"vault_backup_id":..,"ledger_files":N}
inline constexpr std::string_view kBackupStream = "store-backups";
inline constexpr std::string_view kBackupType = "store.backup_created";

// The stream and type of the record a restore appends; its clear part is JSON:
// {"backup_id":..,"tree_head":{..},"vault_backup_id":..,"erasures_applied":N,"restored_at":..}
inline constexpr std::string_view kRestoreStream = "store-restores";
inline constexpr std::string_view kRestoreType = "store.restored";

// ---- master key escrow ----

inline constexpr std::size_t kMinEscrowPassphraseBytes = 12;

struct EscrowInfo {
    Id store_id;
    std::int64_t created_at_us = 0;
};

// Writes the master key in `keys_dir` to `out` (created 0600; never overwritten), sealed with
// XChaCha20-Poly1305 under a key derived from `passphrase` by Argon2id (libsodium's MODERATE
// limits, random salt); the file records the parameters. InvalidArgument for a passphrase
// shorter than kMinEscrowPassphraseBytes; AlreadyExists when `out` exists.
Status escrow_master_key(const std::filesystem::path& keys_dir, const Id& store_id,
                         std::string_view passphrase, const std::filesystem::path& out);

// Recovers the master key from an escrow file into `key_file` (created 0600; never overwritten).
// PermissionDenied for a wrong passphrase (or a changed file), and nothing is written.
Result<EscrowInfo> unescrow_master_key(const std::filesystem::path& escrow,
                                       std::string_view passphrase,
                                       const std::filesystem::path& key_file);

}  // namespace auditorium::eventstore
