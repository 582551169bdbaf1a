// Erasures: crypto-shredding and legal holds (PrivacyKeys's contract in privacy_keys.hpp). An
// erasure is a store record and its `erasures` row in one batch, registered in every backup
// target's erasure register (backup.hpp) before the subject's personal keys are destroyed, so no
// restore can bring the subject back. Under a legal hold the erasure is deferred, and carried
// out when the hold is released.
//
// Thread safety: any thread; no state of its own (the vault marks a shred pending, so that an
// erasure cut short by a crash is finished at the next open).
#pragma once

#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "eventstore/internal/append_pipeline.hpp"
#include "eventstore/internal/reader.hpp"
#include "eventstore/internal/store_config.hpp"
#include "eventstore/internal/subject_index.hpp"

namespace auditorium::eventstore::internal {

class Vault;

class Erasures {
public:
    // Everything borrowed must outlive this object.
    Erasures(AppendPipeline& pipeline, const SubjectIndex& subjects, Vault& vault,
             LedgerReader& reader, const StoreConfig& config)
        : pipeline_(pipeline),
          subjects_(subjects),
          vault_(vault),
          reader_(reader),
          config_(config) {}

    Result<Position> erase(const Id& subject, const Id& actor);
    Result<Position> set_legal_hold(const Id& subject, const Id& actor, bool held);
    // At open: finishes the erasures a crash cut short (their record written, keys not yet gone).
    Status finish_pending_shreds();

    // A restore's step (backup.hpp): erases every subject of `subjects` not erased yet, at once
    // (a hold the backup recorded was released since), and destroys the personal keys still held
    // for those already erased.
    struct RegisterApplied {
        std::vector<Id> erased;          // registered subjects erased now
        std::size_t keys_destroyed = 0;  // erased in the backup, but their keys were in the vault
    };
    Result<RegisterApplied> apply_erasure_register(const std::vector<Id>& subjects);

private:
    Result<Position> erase_now(const Id& subject, const Id& actor);
    // Writes the erasure of `subject` (recorded at `position`) to the erasure register of every
    // backup target, synced, before the keys go.
    Status record_erasure_in_backups(const Id& subject, Position position);
    // The same for an erasure finished at open (its record's position is looked up).
    Status record_pending_erasure_in_backups(const Id& subject);

    AppendPipeline& pipeline_;
    const SubjectIndex& subjects_;
    Vault& vault_;
    LedgerReader& reader_;
    const StoreConfig& config_;
};

}  // namespace auditorium::eventstore::internal
