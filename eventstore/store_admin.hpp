// StoreAdmin: the operator's commands on the store: purge past retention, key rotations, online
// backups. Each is ledgered. Only the server's admin socket and its maintenance thread take it.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <chrono>

#include "base/id.hpp"
#include "base/result.hpp"
#include "eventstore/backup.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore {

class StoreAdmin {
public:
    virtual ~StoreAdmin() = default;
    StoreAdmin(const StoreAdmin&) = delete;
    StoreAdmin& operator=(const StoreAdmin&) = delete;

    // ---- retention ----

    // Drops the payload bytes of entries past retention, keeping their leaf hashes, so verify
    // and every proof still hold. Before purging a stream it appends the snapshot made by the
    // function registered for its stream type; a type without one is not purged and is reported.
    // Entries holding data of a subject under legal hold are kept. Retention keys (one per subject
    // per month) are destroyed once every record they seal is purged. The purge is ledgered.
    virtual Result<PurgeReport> purge() = 0;
    // The retention period recorded at creation.
    virtual std::chrono::microseconds retention() const = 0;

    // ---- key rotation (each ledgered) ----

    // A new ledger signing key becomes active; the old one is retired, its public key kept, so
    // every tree head it signed still verifies.
    virtual Result<Position> rotate_signing_key(const Id& actor) = 0;
    // A new master key: every subject key and secret in the vault is re-wrapped under it in one
    // batch, and the key file replaced (a crash in between is finished at the next open).
    virtual Result<Position> rotate_master_key(const Id& actor) = 0;

    // ---- backups ----

    // Takes a consistent online backup into `options.target` while appends go on (backup.hpp).
    virtual Result<BackupManifest> create_backup(const BackupOptions& options) = 0;

protected:
    StoreAdmin() = default;
};

}  // namespace auditorium::eventstore
