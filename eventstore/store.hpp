// Store: the durable, encrypted event log on RocksDB, the public face of eventstore/. It is four
// interfaces, so each caller takes only what it uses: Log (log.hpp: append, read, subscribe; what
// a replicated log implements), AuditLedger (audit_ledger.hpp: tree heads, proofs, verify,
// export), PrivacyKeys (privacy_keys.hpp: erasure, holds, blind index, model sealing) and
// StoreAdmin (store_admin.hpp: purge, key rotation, backups). Only composition roots (the
// commands of tools/) hold a Store.
//
// Guarantees:
// - append() returns only after its entries are synced to disk, in one RocksDB write batch with
//   their stream and id indexes and Merkle nodes. Concurrent appends share one batch and one sync.
// - Positions are dense from 1, given in commit order; each stream's versions are dense from 1.
// - Every sealed section is encrypted under its subject's key, which lives in the key vault (a
//   RocksDB of its own in the keys directory, wrapped by the master key), never in the ledger.
// - After a failed write or sync the store refuses every later append until it is reopened.
//
// Thread safety: every method may be called from any thread concurrently. A Store must outlive
// every Subscription made from it.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "base/result.hpp"
#include "eventstore/audit_ledger.hpp"
#include "eventstore/log.hpp"
#include "eventstore/privacy_keys.hpp"
#include "eventstore/store_admin.hpp"
#include "eventstore/types.hpp"

namespace rocksdb {
class Env;
}

namespace auditorium::eventstore {

struct StoreOptions {
    std::filesystem::path data_dir;  // the ledger
    std::filesystem::path keys_dir;  // master key and vault; default: "keys" beside data_dir
    bool create_if_missing = false;  // create the ledger, and the keys if the keys dir is empty
    bool dev = false;                // recorded at creation; a dev store says so everywhere
    // How long entries stay whole: at least kMinimumRetention (two years) unless `dev`. Fixed at
    // creation and recorded in the ledger's metadata; later opens use the recorded value.
    std::chrono::microseconds retention = kMinimumRetention;
    // Snapshot functions by stream type, for purge(); the domain registers its own.
    SnapshotRegistry snapshots;

    // Read-only access beside a running server (auditors, exports, proofs): the ledger is opened
    // as a RocksDB secondary instance, and the vault too when `with_keys`; nothing is written.
    bool read_only = false;
    bool with_keys = true;  // false: sections read back as kSealed; no keys directory needed
    // Read-only: map the ledger's files instead of reading them, for whole scans (verify, export):
    // no copy of each block, but the mapped pages count in the process's resident size.
    bool map_files = false;

    // Restores only: the ledger is an older copy on purpose, so a missing head witness is not
    // reported and the restored ledger's own newest head becomes the witness at its first
    // read-write open. Every other open checks the witness (internal/head_witness.hpp).
    bool adopt_head_witness = false;

    // Backup targets (directories; mounted remote volumes in production). Every erasure is written
    // at once to the erasure register of each, not only at the next backup.
    std::vector<std::filesystem::path> backup_targets;

    // Tests only: the environment (file system) both RocksDB instances use. Not owned; must
    // outlive the Store. Null means the default.
    rocksdb::Env* env = nullptr;
    // Tests and benchmarks: a clock returning microseconds since the epoch. Null: system clock.
    std::function<std::int64_t()> clock;
};

// The default keys directory for a data directory: its sibling named "keys".
std::filesystem::path default_keys_dir(const std::filesystem::path& data_dir);

class Store : public Log, public AuditLedger, public PrivacyKeys, public StoreAdmin {
public:
    // Opens (or, with create_if_missing, creates) the ledger and its vault. Refuses, naming the
    // file and the problem: a master key file that is not 0600 or not owned by the running user; a
    // wrong master key; a ledger whose keys are missing; a vault made for another ledger.
    static Result<std::unique_ptr<Store>> open(const StoreOptions& options);

    ~Store() override = default;

protected:
    Store() = default;
};

}  // namespace auditorium::eventstore
