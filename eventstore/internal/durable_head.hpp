// DurableHead: how far the ledger is durable (the last synced position, and the Merkle tree head
// at it), the refusal that ends appends after a failed write, and who waits for either: readers
// (wait_for), appends (wait_durable) and re-sends of an append still in flight (when_durable).
//
// The append pipeline's writer advances it after each synced batch; a read-only store follows
// its primary with follow(). Waiters are called without the lock held, in position order.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <vector>

#include "base/mutex.hpp"
#include "base/status.hpp"
#include "eventstore/audit_ledger.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore::internal {

class DurableHead {
public:
    using TreeHead = AuditLedger::TreeHead;
    using Waiter = std::function<void(const Status&)>;

    Position head() const AUD_EXCLUDES(mu_);
    // As of the last advance (a read-only store's, as of its open).
    TreeHead tree_head() const AUD_EXCLUDES(mu_);
    // OK while appends are accepted; after set_refused, the refusal.
    Status refused() const AUD_EXCLUDES(mu_);

    // At open, and by the writer after a synced batch: wakes the readers and releases the
    // waiters up to `head`, calling them with OK.
    void advance(Position head, TreeHead tree) AUD_EXCLUDES(mu_);
    // A read-only store that caught up with its primary: the head never moves back.
    void follow(Position head) AUD_EXCLUDES(mu_);

    // Appends are refused from now on; the first refusal is kept and returned, and `first` says
    // whether it was this one. Call release_all() with it once whatever must stop first has.
    Status set_refused(Status refusal, bool& first) AUD_EXCLUDES(mu_);
    // Wakes every reader and calls every waiter with `why` (a refusal, or the store's close).
    void release_all(const Status& why) AUD_EXCLUDES(mu_);

    // Blocks until `position` is durable (OK) or appends are refused (the refusal).
    Status wait_durable(Position position) AUD_EXCLUDES(mu_);
    // Blocks until head() >= position, the deadline, or a refusal; returns head().
    Position wait_for(Position position, std::chrono::steady_clock::time_point deadline)
        AUD_EXCLUDES(mu_);
    // Calls `then` once `position` is durable (at once if it is) or with the refusal.
    void when_durable(Position position, Waiter then) AUD_EXCLUDES(mu_);

private:
    std::vector<Waiter> take_waiters(bool all) AUD_REQUIRES(mu_);

    mutable Mutex mu_;
    CondVar changed_;
    Position head_ AUD_GUARDED_BY(mu_) = 0;
    TreeHead tree_head_ AUD_GUARDED_BY(mu_);
    Status refused_ AUD_GUARDED_BY(mu_);
    // Re-sends waiting for the original append's sync, by the last position they need.
    std::multimap<Position, Waiter> waiters_ AUD_GUARDED_BY(mu_);
};

}  // namespace auditorium::eventstore::internal
