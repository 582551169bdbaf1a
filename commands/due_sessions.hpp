// The time-driven session commands: an upcoming session not started an hour after its estimated
// end becomes past_not_started. DueSessions follows the log (a subscription from position 1) and
// keeps, in memory, the upcoming sessions and when each falls due; issue_due() sends
// MarkSessionNotStarted through the command handler for each one due, so the decision (and its
// rule) stays the domain's. The scheduler in `serve` runs it every minute; it is the only place
// that issues these commands.
//
// (In memory until the projections exist: a restart folds the log again, reading only session
// streams' entries.)
//
// Thread safety: none; one scheduler thread owns it. `store` and `handler` must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "base/id.hpp"
#include "base/result.hpp"
#include "commands/command_handler.hpp"
#include "eventstore/store.hpp"

namespace auditorium::commands {

class DueSessions {
public:
    DueSessions(eventstore::Store& store, CommandHandler& handler);

    // Reads what the log gained since the last call (waiting for nothing).
    Status catch_up();
    // Catches up, then issues the command for every session due at `now_us`. Returns how many
    // sessions it moved; a rejection (someone started the session meanwhile) is not an error.
    Result<std::size_t> issue_due(std::int64_t now_us);

    std::size_t watched() const { return due_at_.size(); }

private:
    void apply(const eventstore::Entry& entry);

    eventstore::Store& store_;
    CommandHandler& handler_;
    std::unique_ptr<eventstore::Subscription> log_;
    std::map<Id, std::int64_t> due_at_;  // upcoming sessions -> when they become past_not_started
};

}  // namespace auditorium::commands
