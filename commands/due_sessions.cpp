#include "commands/due_sessions.hpp"

namespace auditorium::commands {

DueSessions::DueSessions(const projections::ReadModels& models, CommandHandler& handler)
    : models_(models), handler_(handler) {}

Result<DueSessions::Issued> DueSessions::issue_due(std::int64_t now_us) {
    AUD_ASSIGN_OR_RETURN(auto due, models_.due_sessions(now_us));
    Issued issued;
    for (const Id& session : due) {
        auto r = handler_.handle(domain::SessionCommand{domain::MarkSessionNotStarted{session}});
        if (r) {
            ++issued.moved;
        } else if (r.status().code() == StatusCode::kFailedPrecondition) {
            ++issued.refused;
        } else {
            Status failure =
                r.status().with_context("marking session " + session.hex() + " past_not_started");
            if (failure.code() == StatusCode::kUnavailable) return failure;  // so would every other
            if (issued.failed++ == 0) issued.first_failure = std::move(failure);
        }
    }
    return issued;
}

}  // namespace auditorium::commands
