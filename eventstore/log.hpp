// Log: the ordered, durable event log; what commands and projections append to and read from,
// and the interface a replicated log implements (eventstore/store.hpp is the local one).
//
// Guarantees: append() returns only after its entries are durable; positions are dense from 1,
// in commit order; each stream's versions are dense from 1. A Log must outlive every Subscription
// made from it.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore {

class Subscription;

class Log {
public:
    virtual ~Log() = default;
    Log(const Log&) = delete;
    Log& operator=(const Log&) = delete;

    // Appends `events` (1..10,000) to `stream` atomically, if its version admits `expected`.
    // - Idempotent re-send: when every event id is already stored in this stream, consecutively and
    //   in this order, returns the original positions (idempotent_replay) and writes nothing,
    //   whatever `expected` says. When only some are, or they are stored in another stream:
    //   AlreadyExists.
    // - A version mismatch: Aborted, with the conflict available from conflict_of(status).
    // - Bad input (stream name, event type, empty id, duplicate ids): InvalidArgument.
    // - After a failed sync or a full disk: Unavailable, now and until reopened.
    virtual Result<AppendResult> append(std::string_view stream, ExpectedVersion expected,
                                        std::vector<NewEvent> events) = 0;

    // The same append without waiting for its sync, for servers that run many requests on few
    // threads (the call itself still reads RocksDB, and writes a new person's key to the vault).
    // `done` gets the outcome exactly once: on this thread before append_async returns when it is
    // decided at once (bad input, a conflict, a refusal, a re-send already durable), else on the
    // store's writer thread right after the batch holding the append is synced (reads then see
    // it). A re-send made while its original is in flight is answered in the same batch, possibly
    // before the original. `done` runs on the writer's critical path: it must be quick, must not
    // throw, and must not call append() or anything else that waits for the writer; post real work
    // to an executor. Appends still in flight when the store closes are committed and answered
    // before the destructor returns.
    using AppendDone = std::function<void(Result<AppendResult>)>;
    virtual void append_async(std::string_view stream, ExpectedVersion expected,
                              std::vector<NewEvent> events, AppendDone done) = 0;

    // The stream's current version (0 when it does not exist), as of the last acknowledged append.
    virtual Result<StreamVersion> stream_version(std::string_view stream) = 0;

    // Reads a stream from `from` (inclusive), up to `max` entries; backward reads go down from
    // `from` (use UINT64_MAX for "from the end").
    enum class Direction { kForward, kBackward };
    virtual Result<std::vector<Entry>> read_stream(std::string_view stream, StreamVersion from,
                                                   Direction direction, std::size_t max) = 0;

    // Reads the whole log from position `from` (inclusive), up to `max` entries.
    virtual Result<std::vector<Entry>> read_all(Position from, std::size_t max) = 0;

    // The last acknowledged position (0 for an empty ledger).
    virtual Position head() const = 0;

    // Waits until head() >= position or the deadline passes; returns head().
    virtual Position wait_for(Position position,
                              std::chrono::steady_clock::time_point deadline) = 0;

    // A subscription that catches up from `from` and then follows live appends, with no gap and no
    // duplicate (positions are dense and delivered in order).
    virtual std::unique_ptr<Subscription> subscribe(Position from) = 0;

protected:
    Log() = default;
};

// Pull-based follower of the log. Thread safety: one thread at a time per Subscription.
class Subscription {
public:
    virtual ~Subscription() = default;
    // Up to `max` entries after the last one returned, waiting until `deadline` for at least one.
    // Returns an empty vector when the deadline passes with nothing new.
    virtual Result<std::vector<Entry>> next(std::size_t max,
                                            std::chrono::steady_clock::time_point deadline) = 0;
    // The position of the last entry returned (the starting point minus one at first).
    virtual Position last_position() const = 0;
};

// The version conflict carried by an append's Aborted status, if it is one.
std::optional<VersionConflict> conflict_of(const Status& status);

}  // namespace auditorium::eventstore
