// AppendPipeline: the read-write store's append path (store.hpp's Log contract).
//
// validate -> resolve the section keys (vault) -> look up ids and the stream's version (RocksDB,
// outside any lock) -> the sequencer decides and reserves positions -> seal, encode and hash on
// the appender's thread -> the commit queue's writer batches, syncs the vault if it has new keys,
// writes one synced batch -> the durable head advances and waiters wake.
//
// After a failed write every append is refused until the store is reopened: the refusal is kept
// in the durable head, so that reads and the backup writer see it too.
//
// Thread safety: append, append_async and append_store_record from any thread. The Merkle
// frontier is the writer thread's alone (and the constructor's): only commit() touches it.
// Lock order: Sequencer, then CommitQueue, then DurableHead.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "eventstore/internal/commit_queue.hpp"
#include "eventstore/internal/durable_head.hpp"
#include "eventstore/internal/entry_codec.hpp"
#include "eventstore/internal/ledger_db.hpp"
#include "eventstore/internal/merkle.hpp"
#include "eventstore/internal/reader.hpp"
#include "eventstore/internal/sealer.hpp"
#include "eventstore/internal/sequencer.hpp"
#include "eventstore/internal/store_config.hpp"
#include "eventstore/internal/subject_index.hpp"
#include "eventstore/log.hpp"

namespace auditorium::eventstore::internal {

class Vault;

// Where the ledger ends, as read at open: what the pipeline and the durable head start from.
struct LedgerTail {
    Position last = 0;
    std::int64_t last_recorded_us = 0;
    merkle::Frontier frontier;
};
// Reads the last entry and restores the Merkle frontier from the stored tree pieces.
Result<LedgerTail> read_ledger_tail(const LedgerDb& db, const LedgerReader& reader);

class AppendPipeline {
public:
    // Everything borrowed must outlive the pipeline. Starts the writer thread.
    AppendPipeline(LedgerDb& db, Vault& vault, const SubjectIndex& subjects, LedgerReader& reader,
                   const StoreConfig& config, DurableHead& durable, LedgerTail tail);
    ~AppendPipeline();  // close()
    AppendPipeline(const AppendPipeline&) = delete;
    AppendPipeline& operator=(const AppendPipeline&) = delete;

    // Log::append and Log::append_async: users' events (no "store-*" stream, no "store.*" type).
    Result<AppendResult> append(std::string_view stream, ExpectedVersion expected,
                                const std::vector<NewEvent>& events);
    void append_async(std::string_view stream, ExpectedVersion expected,
                      const std::vector<NewEvent>& events, Log::AppendDone done);
    // A record of the store's own (erasure, purge, hold, restore ...: types "store.*"), with the
    // index rows it writes in the same batch.
    Result<AppendResult> append_store_record(
        std::string_view stream, ExpectedVersion expected, NewEvent record,
        std::vector<PreparedEntry::IndexWrite> index_writes = {});
    // Joins the writer after it commits what is queued. Appends made after it are not accepted.
    void close();

private:
    // What submit() made of an append: answered at once (`answer`); or sealed and queued in `slot`,
    // which the caller hands to the writer with mark_prepared() (after setting on_committed, for
    // an asynchronous append); or, neither, a re-send whose original is not durable yet. In the
    // last two cases `if_durable` is the answer once the positions are durable.
    struct Submitted {
        std::optional<Result<AppendResult>> answer;
        std::shared_ptr<CommitSlot> slot;
        AppendResult if_durable;
    };
    // Decides, reserves and prepares an append that passed validation; `index_writes` go with the
    // last event (store records only).
    Submitted submit(std::string_view stream, ExpectedVersion expected,
                     const std::vector<NewEvent>& events,
                     std::vector<PreparedEntry::IndexWrite> index_writes = {});
    // For append() and store records: waits for what submit() left pending.
    Result<AppendResult> finish_waiting(Submitted submitted);
    Status validate_append(std::string_view stream, const std::vector<NewEvent>& events) const;
    Result<Sequencer::Lookups> look_up(std::string_view stream, const std::vector<Id>& ids);
    Result<std::vector<SectionKey>> keys_for(const std::vector<NewEvent>& events,
                                             std::int64_t now_us);
    Status refuse_new_key(const Id& subject, KeyClass key_class);
    void prepare(CommitSlot& slot, const std::vector<NewEvent>& events,
                 const std::vector<SectionKey>& keys, const Sequencer::Decision& d);
    // The writer thread's: one synced batch for `batch`, then the durable head advances.
    Status commit(const std::vector<std::shared_ptr<CommitSlot>>& batch);
    Status refuse(const Status& why);

    LedgerDb& db_;
    Vault& vault_;
    const SubjectIndex& subjects_;
    LedgerReader& reader_;
    const StoreConfig& config_;
    DurableHead& durable_;
    merkle::Frontier
        frontier_;  // Invariant: touched by the writer thread only, after the constructor.
    Sequencer sequencer_;
    std::unique_ptr<CommitQueue> queue_;  // last: its writer calls commit() on the members above
};

}  // namespace auditorium::eventstore::internal
