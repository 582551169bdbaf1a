// Group commit. Appends are enqueued in position order (by the sequencer), prepared (sealed,
// encoded, hashed) by their own threads, and committed by one writer thread that folds every
// consecutive prepared append into one write batch and one sync. The writer does no encryption
// and no leaf hashing: it only batches, computes the few Merkle nodes, writes and syncs.
//
// Thread safety: enqueue() is called with the sequencer's lock held (it only takes the queue's
// own lock); mark_prepared() and wait() from the appending thread; the commit function and every
// slot's on_committed run on the writer thread only.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.hpp"
#include "base/status.hpp"
#include "eventstore/internal/merkle.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore::internal {

// One event ready to be written.
struct PreparedEntry {
    Position position = 0;
    StreamVersion version = 0;
    Id event_id;
    std::string bytes;    // the canonical entry bytes
    merkle::Hash leaf{};  // leaf_hash(bytes)
    // Store records also write their own index keys in the same batch (an erasure record its
    // `erasures` key, a legal hold its `holds` key, a purge its purge markers in `ledger`, ...):
    // (column family, key, value or removal). The value is the record's position unless given.
    struct IndexWrite {
        enum class Family { kErasures, kHolds, kDeferredErasures, kLedger } family;
        std::string key;
        bool remove = false;
        std::optional<std::string> value;
    };
    std::vector<IndexWrite> index_writes;
};

// One append in the queue.
struct CommitSlot {
    std::string stream;
    Position first_position = 0;
    std::vector<PreparedEntry> entries;  // written by the appender before mark_prepared()
    // An asynchronous append sets this before mark_prepared(): the writer calls it once with the
    // outcome of the batch that held the slot, on its critical path (quick, never throws).
    std::function<void(const Status&)> on_committed;
    // Otherwise the writer sets the outcome, then `done` (released), which wakes only this slot's
    // waiter.
    Status result;
    std::atomic<int> done{0};
    // Set by the appender: preparation failed; the writer refuses this and every later append.
    Status prepare_error;
};

class CommitQueue {
public:
    // Commits a run of prepared slots, in position order, as one batch; returns the outcome for
    // all.
    using CommitFn = std::function<Status(const std::vector<std::shared_ptr<CommitSlot>>&)>;

    explicit CommitQueue(CommitFn commit);
    ~CommitQueue();  // close()
    // Stops the writer once it has committed every slot enqueued, including any that a slot's
    // on_committed enqueues meanwhile; then joins it. Idempotent; from one thread only.
    void close();
    CommitQueue(const CommitQueue&) = delete;
    CommitQueue& operator=(const CommitQueue&) = delete;

    void enqueue(std::shared_ptr<CommitSlot> slot);
    // Hands the slot to the writer, which answers it once it is committed (or refused).
    void mark_prepared(const std::shared_ptr<CommitSlot>& slot);
    // Blocks until the writer has committed (or refused) a slot without on_committed; returns
    // its outcome.
    Status wait(const std::shared_ptr<CommitSlot>& slot);

private:
    static constexpr std::size_t kMaxBatchBytes = 32 << 20;

    void run();

    const CommitFn commit_;
    Mutex mu_;
    CondVar work_cv_;
    struct Queued {
        std::shared_ptr<CommitSlot> slot;
        bool prepared = false;
    };
    std::deque<Queued> queue_ AUD_GUARDED_BY(mu_);  // position order
    bool stopping_ AUD_GUARDED_BY(mu_) = false;
    std::thread writer_;
};

}  // namespace auditorium::eventstore::internal
