// The sequencer: decides, for each append, its idempotency, its version check and its positions,
// in one short critical section with no I/O in it.
//
// Lookups in RocksDB (event ids, stream versions) happen before the critical section, outside the
// lock. To make that safe, each lookup is taken under a ticket recording the durable head at its
// start, and the sequencer remembers every id and stream head appended after the oldest ticket
// still open (plus every one not yet durable). So inside the critical section "the map, else what
// the lookup saw" is always the truth: anything the lookup may have missed is in the map.
//
// Thread safety: all methods are thread-safe; they take the sequencer's mutex.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/id.hpp"
#include "base/mutex.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore::internal {

// Where an event id is stored.
struct IdLocation {
    Position position = 0;
    StreamVersion version = 0;
    std::string stream;
};

class Sequencer {
public:
    // Opens a lookup window; the durable head at that moment is its snapshot.
    using Ticket = std::multiset<Position>::iterator;

    // `last_recorded_us`: the newest entry's time, so recorded times never decrease.
    Sequencer(Position durable_head, std::int64_t last_recorded_us);

    Ticket begin_lookup();
    // Closes a ticket whose lookups failed, deciding nothing.
    void abandon(Ticket ticket);

    // What the database lookups found (before the critical section).
    struct Lookups {
        std::vector<std::optional<IdLocation>> ids;  // one per event, in order
        StreamVersion stream_version = 0;            // the stream's durable version seen
    };
    struct Decision {
        enum class Kind { kAppend, kReplay, kConflict, kReusedId, kRefused } kind;
        Position first_position = 0;       // kAppend, kReplay
        StreamVersion first_version = 0;   // kAppend, kReplay
        StreamVersion actual_version = 0;  // kConflict
        std::int64_t recorded_at_us = 0;   // kAppend
        std::string detail;                // kReusedId
    };
    // Closes the ticket and decides. On kAppend the positions are reserved: the caller must hand
    // the append to the commit queue (reserve() returns with the sequencer lock released, and the
    // caller calls `enqueue` under it through the callback, so queue order is position order).
    template <typename Enqueue>
    Decision decide(Ticket ticket, std::string_view stream, ExpectedVersion expected,
                    const std::vector<Id>& event_ids, const Lookups& lookups, std::int64_t now_us,
                    Enqueue&& enqueue);

    // The stream's version if the sequencer knows it (a recent or cached append), so the caller
    // can skip reading it from RocksDB. Whatever it returns, decide() rechecks under the lock.
    std::optional<StreamVersion> known_version(std::string_view stream) const;

    // Called by the writer once positions up to `head` are durable; forgets what no open lookup
    // can still need.
    void committed(Position head);

    // After a failed write: every later decision is kRefused.
    void refuse_all();

    // Positions up to here are durable.
    Position durable_head() const;

private:
    struct Recent {
        Position last_position;
        std::string stream;
        std::vector<Id> ids;
    };
    struct StreamHead {
        StreamVersion version;
        Position last_position;
    };
    Decision decide_locked(std::string_view stream, ExpectedVersion expected,
                           const std::vector<Id>& event_ids, const Lookups& lookups,
                           std::int64_t now_us) AUD_REQUIRES(mu_);
    void forget_locked() AUD_REQUIRES(mu_);

    // Stream heads are kept past the horizon, as a cache of committed versions, up to this many.
    static constexpr std::size_t kStreamHeadCache = 100'000;

    mutable Mutex mu_;
    bool refused_ AUD_GUARDED_BY(mu_) = false;
    Position next_position_ AUD_GUARDED_BY(mu_);
    Position durable_head_ AUD_GUARDED_BY(mu_);
    std::int64_t last_recorded_us_ AUD_GUARDED_BY(mu_) = 0;
    std::multiset<Position> open_lookups_ AUD_GUARDED_BY(mu_);
    std::unordered_map<Id, IdLocation> recent_ids_ AUD_GUARDED_BY(mu_);
    std::unordered_map<std::string, StreamHead> recent_heads_ AUD_GUARDED_BY(mu_);
    std::deque<Recent> recent_ AUD_GUARDED_BY(mu_);  // position order
    // Every head written, oldest first, for evicting recent_heads_ beyond the cache size.
    std::deque<std::pair<std::string, Position>> head_order_ AUD_GUARDED_BY(mu_);
};

template <typename Enqueue>
Sequencer::Decision Sequencer::decide(Ticket ticket, std::string_view stream,
                                      ExpectedVersion expected, const std::vector<Id>& event_ids,
                                      const Lookups& lookups, std::int64_t now_us,
                                      Enqueue&& enqueue) {
    MutexLock lock(mu_);
    open_lookups_.erase(ticket);
    Decision d = decide_locked(stream, expected, event_ids, lookups, now_us);
    if (d.kind == Decision::Kind::kAppend) enqueue(d);
    return d;
}

}  // namespace auditorium::eventstore::internal
