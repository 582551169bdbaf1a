#include "commands/due_sessions.hpp"

#include "base/overloaded.hpp"
#include "domain/event_codec.hpp"

namespace auditorium::commands {

namespace {

std::int64_t due_time(const domain::SessionState& s) {
    return s.starts_at_us + std::int64_t{s.duration_minutes} * 60'000'000 + domain::kNotStartedGraceUs;
}

}  // namespace

DueSessions::DueSessions(eventstore::Store& store, CommandHandler& handler)
    : store_(store), handler_(handler), log_(store.subscribe(1)) {}

void DueSessions::apply(const eventstore::Entry& entry) {
    if (entry.purged || eventstore::stream_type(entry.stream) != "session") return;
    domain::StoredEvent stored;
    stored.type = entry.type;
    stored.schema_version = entry.schema_version;
    stored.clear = entry.clear;
    auto event = domain::decode_session_event(stored);
    if (!event) return;  // not ours to judge here; the handler reports it when it loads the stream
    const auto session = Id::from_hex(std::string_view(entry.stream).substr(std::string_view("session-").size()));
    if (!session) return;
    // The session's own fold decides; this index only needs to know when to ask.
    std::visit(Overloaded{
                   [&](const domain::SessionScheduled&) {},
                   [&](const domain::SessionStatusChanged& e) {
                       if (e.to == domain::SessionStatus::kUpcoming) {
                           auto state = handler_.session(*session);
                           if (state) due_at_[*session] = due_time(*state);
                       } else {
                           due_at_.erase(*session);
                       }
                   },
                   [&](const domain::SessionDeleted&) { due_at_.erase(*session); },
                   [&](const domain::SessionSnapshotted& e) {
                       if (e.state.status == domain::SessionStatus::kUpcoming && !e.state.deleted) {
                           due_at_[e.state.id] = due_time(e.state);
                       } else {
                           due_at_.erase(e.state.id);
                       }
                   },
               },
               *event);
}

Status DueSessions::catch_up() {
    for (;;) {
        AUD_ASSIGN_OR_RETURN(auto entries, log_->next(1024, std::chrono::steady_clock::now()));
        if (entries.empty()) return Status::ok();
        for (const auto& e : entries) apply(e);
    }
}

Result<std::size_t> DueSessions::issue_due(std::int64_t now_us) {
    AUD_RETURN_IF_ERROR(catch_up());
    std::size_t moved = 0;
    for (auto it = due_at_.begin(); it != due_at_.end();) {
        if (it->second > now_us) {
            ++it;
            continue;
        }
        auto r = handler_.handle(domain::SessionCommand{domain::MarkSessionNotStarted{it->first}});
        if (r) {
            ++moved;
        } else if (r.status().code() != StatusCode::kFailedPrecondition) {
            return r.status().with_context("marking session " + it->first.hex() + " past_not_started");
        }
        it = due_at_.erase(it);
    }
    return moved;
}

}  // namespace auditorium::commands
