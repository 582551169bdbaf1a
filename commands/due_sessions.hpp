// The time-driven session commands: an upcoming session not started an hour after its estimated
// end becomes past_not_started. The rooms read model indexes upcoming sessions by when they fall
// due (ReadModels::due_sessions), so a restarted server reads only the index, never the log;
// issue_due() sends MarkSessionNotStarted through the command handler for each one due, so the
// decision (and its rule) stays the domain's. The scheduler in `serve` runs it every minute; it is
// the only place that issues these commands.
//
// The index is as fresh as the projection runner: a session that fell due a moment ago, or that
// was just started, is judged by the command, which refuses what is not (yet) due.
//
// Thread safety: none; one scheduler thread owns it. `models` and `handler` must outlive it.
#pragma once

#include <cstdint>

#include "base/result.hpp"
#include "commands/command_handler.hpp"
#include "projections/read_models.hpp"

namespace auditorium::commands {

class DueSessions {
public:
    DueSessions(const projections::ReadModels& models, CommandHandler& handler);

    struct Issued {
        std::size_t moved = 0;    // marked past_not_started
        std::size_t refused = 0;  // refused by the domain: started meanwhile, or a lagging index
        std::size_t failed = 0;   // any other error (a session the log does not know, a conflict)
        Status first_failure;     // the first of those, naming its session
    };
    // Issues the command for every session due at `now_us`. A refusal is not an error, but a
    // refusal that comes back minute after minute means the read models stopped following. A
    // session that fails does not hold back the others; only a store that refuses appends (or
    // an unreadable index) stops the round, as an error.
    Result<Issued> issue_due(std::int64_t now_us);

private:
    const projections::ReadModels& models_;
    CommandHandler& handler_;
};

}  // namespace auditorium::commands
