#include "commands/command_handler.hpp"

#include <fstream>
#include <utility>

#include "base/overloaded.hpp"
#include "commands/internal/stream_io.hpp"
#include "domain/event_codec.hpp"
#include "domain/rejection.hpp"
#include "projections/stored_event.hpp"

namespace auditorium::commands {

namespace {

using eventstore::Log;
using internal::await_version;
using internal::load;
using internal::run;
using internal::to_entries;
using projections::stored_event;

// Which stream a command addresses, and who acts (the entry's actor).
Id workspace_of(const domain::WorkspaceCommand& c) {
    return std::visit([](const auto& x) { return x.workspace; }, c);
}
Id actor_of(const domain::WorkspaceCommand& c) {
    return std::visit(Overloaded{[](const domain::CreateWorkspace& x) { return x.owner; },
                                 [](const auto& x) { return x.by; }},
                      c);
}
Id webinar_of(const domain::WebinarCommand& c) {
    return std::visit([](const auto& x) { return x.webinar; }, c);
}
Id actor_of(const domain::WebinarCommand& c) {
    return std::visit([](const auto& x) { return x.actor.member; }, c);
}
Id session_of(const domain::SessionCommand& c) {
    return std::visit([](const auto& x) { return x.session; }, c);
}
Id actor_of(const domain::SessionCommand& c) {
    return std::visit(Overloaded{[](const domain::MarkSessionNotStarted&) { return Id(); },
                                 [](const auto& x) { return x.actor.member; }},
                      c);
}

}  // namespace

CommandHandler::CommandHandler(Log& log, eventstore::PrivacyKeys& keys, domain::TimeZoneCheck zones,
                               std::function<std::int64_t()> clock)
    : log_(log), keys_(keys), zones_(std::move(zones)), clock_(std::move(clock)) {}

Result<Outcome> CommandHandler::handle(const domain::WorkspaceCommand& command) {
    return run<domain::WorkspaceState>(
        log_, workspace_stream(workspace_of(command)), actor_of(command),
        domain::decode_workspace_event,
        [&](const domain::WorkspaceState& s) { return domain::decide(s, command, clock_()); });
}

Result<Outcome> CommandHandler::handle(const domain::WebinarCommand& command) {
    return run<domain::WebinarState>(
        log_, webinar_stream(webinar_of(command)), actor_of(command), domain::decode_webinar_event,
        [&](const domain::WebinarState& w) { return domain::decide(w, command, clock_()); });
}

Result<Outcome> CommandHandler::handle(const domain::SessionCommand& command) {
    return run<domain::SessionState>(
        log_, session_stream(session_of(command)), actor_of(command), domain::decode_session_event,
        [&](const domain::SessionState& s) -> Result<std::vector<domain::SessionEvent>> {
            // The webinar is read as it is now; a change to it after this read does not conflict,
            // which is fine for what sessions ask of it (team, published, deleted).
            const auto* schedule = std::get_if<domain::ScheduleSession>(&command);
            const Id webinar_id = schedule != nullptr ? schedule->webinar : s.webinar;
            domain::WebinarState w;
            if (!webinar_id.is_none()) {
                AUD_ASSIGN_OR_RETURN(w, webinar(webinar_id));
            }
            return domain::decide(s, w, command, clock_(), zones_);
        });
}

Result<domain::WorkspaceState> CommandHandler::workspace(const Id& id) {
    AUD_ASSIGN_OR_RETURN(
        auto loaded,
        (load<domain::WorkspaceState>(log_, workspace_stream(id), domain::decode_workspace_event)));
    return loaded.state;
}

Result<domain::WebinarState> CommandHandler::webinar(const Id& id) {
    AUD_ASSIGN_OR_RETURN(auto loaded, (load<domain::WebinarState>(log_, webinar_stream(id),
                                                                  domain::decode_webinar_event)));
    return loaded.state;
}

Result<domain::SessionState> CommandHandler::session(const Id& id) {
    AUD_ASSIGN_OR_RETURN(auto loaded, (load<domain::SessionState>(log_, session_stream(id),
                                                                  domain::decode_session_event)));
    return loaded.state;
}

Result<Outcome> CommandHandler::handle(const domain::RegistrationCommand& command) {
    return std::visit(
        Overloaded{
            [&](const domain::Register& c) { return register_person(c); },
            [&](const domain::CancelRegistration& c) { return cancel_registration(c); },
        },
        command);
}

Result<std::string> CommandHandler::reservation_of(const Id& session, std::string_view email) {
    AUD_ASSIGN_OR_RETURN(std::string blind, keys_.blind_index(domain::kEmailBlindIndexPurpose,
                                                              normalized_email(email)));
    return reservation_stream(session, blind);
}

Result<Outcome> CommandHandler::register_person(const domain::Register& command) {
    AUD_ASSIGN_OR_RETURN(domain::SessionState s, session(command.session));
    domain::WebinarState w;
    if (s.exists) {
        AUD_ASSIGN_OR_RETURN(w, webinar(s.webinar));
    }
    AUD_ASSIGN_OR_RETURN(
        auto registration_loaded,
        (load<domain::RegistrationState>(log_, registration_stream(command.registration),
                                         domain::decode_registration_event)));
    AUD_ASSIGN_OR_RETURN(const std::string reservation,
                         reservation_of(command.session, command.email));
    for (int attempt = 1;; ++attempt) {
        AUD_ASSIGN_OR_RETURN(auto held, (load<domain::ReservationState>(
                                            log_, reservation, domain::decode_reservation_event)));
        domain::Register c = command;
        c.existing = held.state.holder;
        const std::int64_t now = clock_();
        AUD_ASSIGN_OR_RETURN(auto events, domain::decide(registration_loaded.state, s, w,
                                                         domain::RegistrationCommand{c}, now));
        const auto expected = held.version == 0 ? eventstore::ExpectedVersion::no_stream()
                                                : eventstore::ExpectedVersion::exact(held.version);
        const std::vector<domain::ReservationEvent> reserve = {
            domain::EmailReserved{c.registration, now}};
        auto reserved = log_.append(reservation, expected, to_entries(reserve, c.person));
        if (!reserved) {
            if (!eventstore::conflict_of(reserved.status()) || attempt == kAttempts)
                return reserved.status();
            AUD_RETURN_IF_ERROR(await_version(log_, reservation, reserved.status()));
            continue;
        }
        auto written =
            log_.append(registration_stream(c.registration),
                        eventstore::ExpectedVersion::no_stream(), to_entries(events, c.person));
        if (!written) {
            // Give the address back, so the person can try again. If that fails too, the caller
            // must learn that the address is still taken: the code stays the write's.
            const std::vector<domain::ReservationEvent> release = {
                domain::EmailReleased{c.registration, now}};
            auto released =
                log_.append(reservation, eventstore::ExpectedVersion::exact(reserved->last_version),
                            to_entries(release, c.person));
            if (!released) {
                return written.status().with_context(
                    "the address stays reserved (releasing it failed: " +
                    released.status().to_string() + ")");
            }
            return written.status();
        }
        return Outcome{written->last_position, written->last_version, events.size()};
    }
}

Result<Outcome> CommandHandler::cancel_registration(const domain::CancelRegistration& command) {
    AUD_ASSIGN_OR_RETURN(std::optional<domain::Registered> written,
                         registration(command.registration));
    AUD_ASSIGN_OR_RETURN(auto loaded, (load<domain::RegistrationState>(
                                          log_, registration_stream(command.registration),
                                          domain::decode_registration_event)));
    domain::SessionState s;
    domain::WebinarState w;
    if (written) {
        AUD_ASSIGN_OR_RETURN(s, session(written->session));
        AUD_ASSIGN_OR_RETURN(w, webinar(written->webinar));
    }
    const std::int64_t now = clock_();
    AUD_ASSIGN_OR_RETURN(
        auto events, domain::decide(loaded.state, s, w, domain::RegistrationCommand{command}, now));
    auto appended = log_.append(registration_stream(command.registration),
                                eventstore::ExpectedVersion::exact(loaded.version),
                                to_entries(events, command.by));
    if (!appended) return appended.status();
    // An erased person's address is gone, and so is the way to its reservation.
    if (written && !written->erased) {
        AUD_ASSIGN_OR_RETURN(const std::string reservation,
                             reservation_of(written->session, written->email));
        AUD_ASSIGN_OR_RETURN(auto held, (load<domain::ReservationState>(
                                            log_, reservation, domain::decode_reservation_event)));
        if (held.state.holder == command.registration) {
            const std::vector<domain::ReservationEvent> release = {
                domain::EmailReleased{command.registration, now}};
            AUD_RETURN_IF_ERROR(log_.append(reservation,
                                            eventstore::ExpectedVersion::exact(held.version),
                                            to_entries(release, command.by))
                                    .status());
        }
    }
    return Outcome{appended->last_position, appended->last_version, events.size()};
}

Result<std::optional<domain::Registered>> CommandHandler::registration(const Id& id) {
    AUD_ASSIGN_OR_RETURN(
        auto entries, log_.read_stream(registration_stream(id), 1, Log::Direction::kForward, 4096));
    std::optional<domain::Registered> out;
    for (const auto& entry : entries) {
        if (entry.purged) continue;
        AUD_ASSIGN_OR_RETURN(auto event, domain::decode_registration_event(stored_event(entry)));
        if (const auto* r = std::get_if<domain::Registered>(&event)) out = *r;
        if (const auto* snap = std::get_if<domain::RegistrationSnapshotted>(&event))
            out = snap->registered;
    }
    return out;
}

bool system_has_time_zone(std::string_view name) {
    if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos)
        return false;
    std::ifstream in("/usr/share/zoneinfo/" + std::string(name), std::ios::binary);
    char magic[4] = {};
    return in.read(magic, 4) && std::string_view(magic, 4) == "TZif";
}

}  // namespace auditorium::commands