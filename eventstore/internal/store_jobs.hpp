// The store's long jobs, each over the parts it needs rather than the whole store: exports,
// purges and backups (their contracts in audit_ledger.hpp, store_admin.hpp and backup.hpp).
// verify is in verify_rows.hpp, beside its row checks.
//
// Thread safety: each runs on its caller's thread; the parts they borrow are thread-safe.
#pragma once

#include "eventstore/backup.hpp"
#include "eventstore/export.hpp"
#include "eventstore/internal/append_pipeline.hpp"
#include "eventstore/internal/durable_head.hpp"
#include "eventstore/internal/ledger_db.hpp"
#include "eventstore/internal/reader.hpp"
#include "eventstore/internal/store_config.hpp"
#include "eventstore/internal/subject_index.hpp"
#include "eventstore/internal/tree_head_signer.hpp"
#include "eventstore/store_admin.hpp"

namespace auditorium::eventstore::internal {

class Vault;

// A signed export of the entries the newest signed tree head covers (needs the keys).
Result<ExportSummary> export_ledger_file(LedgerReader& reader, const StoreConfig& config,
                                         const ExportOptions& options);

// What a purge reads and writes; borrowed for one purge, on a read-write store.
struct PurgeParts {
    LedgerReader& reader;
    AppendPipeline& pipeline;
    const SubjectIndex& subjects;
    Vault& vault;
    const StoreConfig& config;
};
Result<PurgeReport> purge_ledger(const PurgeParts& parts);

// What a backup reads and writes; borrowed for one backup, on a read-write store.
struct BackupParts {
    LedgerDb& db;
    Vault& vault;
    AppendPipeline& pipeline;
    TreeHeadSigner& signer;
    DurableHead& durable;
    LedgerReader& reader;
    const StoreConfig& config;
};
Result<BackupManifest> write_backup(const BackupParts& parts, const BackupOptions& options);

}  // namespace auditorium::eventstore::internal
