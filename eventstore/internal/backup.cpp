// Backups (backup.hpp). Placeholder bodies until the backup module lands: creating a backup is
// refused with a clear error, and an erasure with backup targets configured is refused too, so
// nothing pretends a register was written.
#include "eventstore/internal/rocks_store.hpp"

namespace auditorium::eventstore::internal {

Status RocksStore::record_erasure_in_backups(const Id&, Position) {
    if (backup_targets_.empty()) return Status::ok();
    return failed_precondition("erasure registers in backup targets are not supported by this build");
}

Result<BackupManifest> RocksStore::create_backup(const BackupOptions&) {
    return failed_precondition("backups are not supported by this build yet");
}

}  // namespace auditorium::eventstore::internal
