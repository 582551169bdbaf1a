// The layout of a backup target and the manifest format, in one place. docs/backups.md is the
// prose twin of this header: change both together.
//
//   <target>/.lock                               flock()ed while a backup is written
//   <target>/erasures.log                        the erasure register (erasure_register.hpp)
//   <target>/ledger/<id>/                        RocksDB checkpoint of the ledger
//   <target>/ledger/<id>.manifest.json           ledger manifest (below)
//   <target>/ledger/<id>.manifest.json.minisig   its minisign signature, by the ledger's key
//   <target>/vault/<id>/                         RocksDB checkpoint of the key vault
//   <target>/vault/<id>.manifest.json(.minisig)  vault manifest
//   <target>/{ledger,vault}/.<id>.partial/       being written; removed by the next backup
//
// Ledger manifest (one line of JSON; the signature covers its exact bytes):
//   {"format":"auditorium/backup/v1","id":..,"created_at_us":N,"created_at":"<RFC 3339>",
//    "store_id":"<32 hex>","public_key":"RW..","dev":false,"tree_head":{<tree_head_json.hpp>},
//    "vault_id":..,"files":[{"name":"000012.sst","size":N,"sha256":"<64 hex>"},...]}
// Vault manifest:
//   {"format":"auditorium/vault-backup/v1","id":..,"created_at_us":N,"created_at":..,
//    "store_id":..,"public_key":"RW..","files":[...]}
// public_key is the signer's minisign public key (key id and Ed25519 key), so the signature is
// checked before any file of the backup is opened.
// A manifest is written (after its signature) as the last step of a backup: a directory without
// one is an unfinished backup.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "eventstore/backup.hpp"

namespace auditorium::eventstore::internal::backup_format {

inline constexpr std::string_view kLedgerManifestFormat = "auditorium/backup/v1";
inline constexpr std::string_view kVaultManifestFormat = "auditorium/vault-backup/v1";
inline constexpr std::string_view kRegisterFile = "erasures.log";
inline constexpr std::string_view kLockFile = ".lock";
inline constexpr std::string_view kLedgerDir = "ledger";
inline constexpr std::string_view kVaultDir = "vault";
inline constexpr std::string_view kManifestSuffix = ".manifest.json";
inline constexpr std::string_view kSignatureSuffix = ".minisig";
inline constexpr std::string_view kPartialSuffix = ".partial";

enum class Kind { kLedger, kVault };

// Where one backup of `kind` lives in `target`.
struct Paths {
    std::filesystem::path dir;        // the RocksDB checkpoint
    std::filesystem::path manifest;   // <dir>.manifest.json
    std::filesystem::path signature;  // <dir>.manifest.json.minisig
    std::filesystem::path partial;    // .<id>.partial, while being written
};
Paths paths(const std::filesystem::path& target, Kind kind, std::string_view id);

// "20261128T021500.123456Z-<8 random hex>": sorts by time, unique within a microsecond.
std::string make_id(std::int64_t now_us);
// True for names make_id can produce (no path separators, no dot files).
bool valid_id(std::string_view id);

struct VaultManifest {
    std::string id;
    std::int64_t created_at_us = 0;
    Id store_id;
    SigningKeyId key_id{};
    std::string public_key;  // 32 bytes
    std::vector<BackupFile> files;
};

std::string encode(const BackupManifest& m);
std::string encode(const VaultManifest& m);
// Corruption naming the field at fault.
Result<BackupManifest> decode_ledger_manifest(std::string_view json);
Result<VaultManifest> decode_vault_manifest(std::string_view json);

// The trusted comment of a manifest's signature: "auditorium backup <kind> id=.. store=..
// tree_size=.." (tree_size for the ledger only).
std::string trusted_comment(const BackupManifest& m);
std::string trusted_comment(const VaultManifest& m);

// The finished backups of `kind` in `target` (those with a manifest), as (id, manifest bytes),
// sorted by id. Missing directories: an empty list.
Result<std::vector<std::pair<std::string, std::string>>> list_manifests(
    const std::filesystem::path& target, Kind kind);

}  // namespace auditorium::eventstore::internal::backup_format
