#include "commands/command_handler.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <utility>

#include "domain/event_codec.hpp"
#include "domain/rejection.hpp"
#include "base/overloaded.hpp"
#include "projections/stored_event.hpp"

namespace auditorium::commands {

namespace {

using eventstore::Log;
using eventstore::StreamVersion;

template <class State>
struct Loaded {
    State state;
    StreamVersion version = 0;
};

using projections::stored_event;

// Folds every entry of `stream` into a State.
template <class State, class Decode>
Result<Loaded<State>> load(Log& log, const std::string& stream, Decode decode) {
    Loaded<State> out;
    constexpr std::size_t kPage = 512;
    for (StreamVersion from = 1;;) {
        AUD_ASSIGN_OR_RETURN(auto page, log.read_stream(stream, from, Log::Direction::kForward, kPage));
        for (const auto& entry : page) {
            out.version = entry.version;
            // Past retention and purged: the snapshot appended before the purge stands for it.
            if (entry.purged) continue;
            AUD_ASSIGN_OR_RETURN(auto event, decode(stored_event(entry)));
            out.state = domain::evolve(std::move(out.state), event);
            out.version = entry.version;
        }
        if (page.size() < kPage) return out;
        from = out.version + 1;
    }
}

template <class Event>
std::vector<eventstore::NewEvent> to_entries(const std::vector<Event>& events, const Id& actor) {
    std::vector<eventstore::NewEvent> out;
    for (const auto& event : events) {
        domain::EncodedEvent encoded = domain::encode(event);
        eventstore::NewEvent e;
        e.event_id = eventstore::random_id();
        e.type = std::move(encoded.type);
        e.schema_version = encoded.schema_version;
        e.actor = actor;
        e.subject = encoded.subject;
        e.clear = std::move(encoded.clear);
        if (encoded.personal) {
            e.sections.push_back({encoded.subject, eventstore::KeyClass::kPersonal, std::move(*encoded.personal)});
        }
        out.push_back(std::move(e));
    }
    return out;
}

// After a conflict: the version that won may be decided but not yet durable, and reads show only
// durable entries. Waits (bounded) until the stream shows it, so the next attempt reads it.
Status await_version(Log& log, const std::string& stream, const Status& conflict) {
    const auto c = eventstore::conflict_of(conflict);
    if (!c) return Status::ok();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        AUD_ASSIGN_OR_RETURN(StreamVersion now_at, log.stream_version(stream));
        if (now_at >= c->actual || std::chrono::steady_clock::now() >= deadline) return Status::ok();
        log.wait_for(log.head() + 1, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(50)));
    }
}

// Load, decide, append at the version read; on a conflict, again.
template <class State, class Decode, class Decide>
Result<Outcome> run(Log& log, const std::string& stream, const Id& actor, Decode decode, Decide decide) {
    for (int attempt = 1;; ++attempt) {
        AUD_ASSIGN_OR_RETURN(Loaded<State> loaded, (load<State>(log, stream, decode)));
        AUD_ASSIGN_OR_RETURN(auto events, decide(loaded.state));
        const auto expected = loaded.version == 0 ? eventstore::ExpectedVersion::no_stream()
                                                  : eventstore::ExpectedVersion::exact(loaded.version);
        auto appended = log.append(stream, expected, to_entries(events, actor));
        if (appended) return Outcome{appended->last_position, appended->last_version, events.size()};
        if (!eventstore::conflict_of(appended.status()) || attempt == CommandHandler::kAttempts) {
            return appended.status();
        }
        AUD_RETURN_IF_ERROR(await_version(log, stream, appended.status()));
    }
}


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

std::string workspace_stream(const Id& workspace) { return "workspace-" + workspace.hex(); }
std::string webinar_stream(const Id& webinar) { return "webinar-" + webinar.hex(); }
std::string session_stream(const Id& session) { return "session-" + session.hex(); }
std::string registration_stream(const Id& registration) { return "registration-" + registration.hex(); }
std::string reservation_stream(const Id& session, std::string_view blind) {
    return "reservation-" + session.hex() + "-" + std::string(blind);
}

CommandHandler::CommandHandler(Log& log, eventstore::PrivacyKeys& keys, domain::TimeZoneCheck zones,
                               std::function<std::int64_t()> clock)
    : log_(log), keys_(keys), zones_(std::move(zones)), clock_(std::move(clock)) {}

Result<Outcome> CommandHandler::handle(const domain::WorkspaceCommand& command) {
    return run<domain::WorkspaceState>(
        log_, workspace_stream(workspace_of(command)), actor_of(command), domain::decode_workspace_event,
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
    AUD_ASSIGN_OR_RETURN(auto loaded, (load<domain::WorkspaceState>(log_, workspace_stream(id),
                                                                    domain::decode_workspace_event)));
    return loaded.state;
}

Result<domain::WebinarState> CommandHandler::webinar(const Id& id) {
    AUD_ASSIGN_OR_RETURN(auto loaded,
                         (load<domain::WebinarState>(log_, webinar_stream(id), domain::decode_webinar_event)));
    return loaded.state;
}

Result<domain::SessionState> CommandHandler::session(const Id& id) {
    AUD_ASSIGN_OR_RETURN(auto loaded,
                         (load<domain::SessionState>(log_, session_stream(id), domain::decode_session_event)));
    return loaded.state;
}

Result<Outcome> CommandHandler::handle(const domain::RegistrationCommand& command) {
    return std::visit(Overloaded{
                          [&](const domain::Register& c) { return register_person(c); },
                          [&](const domain::CancelRegistration& c) { return cancel_registration(c); },
                      },
                      command);
}

Result<std::string> CommandHandler::reservation_of(const Id& session, std::string_view email) {
    AUD_ASSIGN_OR_RETURN(std::string blind, keys_.blind_index("registration-email", normalized_email(email)));
    return reservation_stream(session, blind);
}

Result<Outcome> CommandHandler::register_person(const domain::Register& command) {
    AUD_ASSIGN_OR_RETURN(domain::SessionState s, session(command.session));
    domain::WebinarState w;
    if (s.exists) {
        AUD_ASSIGN_OR_RETURN(w, webinar(s.webinar));
    }
    AUD_ASSIGN_OR_RETURN(auto registration_loaded,
                         (load<domain::RegistrationState>(log_, registration_stream(command.registration),
                                                          domain::decode_registration_event)));
    AUD_ASSIGN_OR_RETURN(const std::string reservation, reservation_of(command.session, command.email));
    for (int attempt = 1;; ++attempt) {
        AUD_ASSIGN_OR_RETURN(auto held, (load<domain::ReservationState>(log_, reservation,
                                                                        domain::decode_reservation_event)));
        domain::Register c = command;
        c.existing = held.state.holder;
        const std::int64_t now = clock_();
        AUD_ASSIGN_OR_RETURN(auto events, domain::decide(registration_loaded.state, s, w, domain::RegistrationCommand{c}, now));
        const auto expected = held.version == 0 ? eventstore::ExpectedVersion::no_stream()
                                                : eventstore::ExpectedVersion::exact(held.version);
        const std::vector<domain::ReservationEvent> reserve = {domain::EmailReserved{c.registration, now}};
        auto reserved = log_.append(reservation, expected, to_entries(reserve, c.person));
        if (!reserved) {
            if (!eventstore::conflict_of(reserved.status()) || attempt == kAttempts) return reserved.status();
            AUD_RETURN_IF_ERROR(await_version(log_, reservation, reserved.status()));
            continue;
        }
        auto written = log_.append(registration_stream(c.registration), eventstore::ExpectedVersion::no_stream(),
                                     to_entries(events, c.person));
        if (!written) {
            // Give the address back, so the person can try again. If that fails too, the caller
            // must learn that the address is still taken: the code stays the write's.
            const std::vector<domain::ReservationEvent> release = {domain::EmailReleased{c.registration, now}};
            auto released = log_.append(reservation, eventstore::ExpectedVersion::exact(reserved->last_version),
                                        to_entries(release, c.person));
            if (!released) {
                return written.status().with_context("the address stays reserved (releasing it failed: " +
                                                     released.status().to_string() + ")");
            }
            return written.status();
        }
        return Outcome{written->last_position, written->last_version, events.size()};
    }
}

Result<Outcome> CommandHandler::cancel_registration(const domain::CancelRegistration& command) {
    AUD_ASSIGN_OR_RETURN(std::optional<domain::Registered> written, registration(command.registration));
    AUD_ASSIGN_OR_RETURN(auto loaded, (load<domain::RegistrationState>(log_, registration_stream(command.registration),
                                                                       domain::decode_registration_event)));
    domain::SessionState s;
    domain::WebinarState w;
    if (written) {
        AUD_ASSIGN_OR_RETURN(s, session(written->session));
        AUD_ASSIGN_OR_RETURN(w, webinar(written->webinar));
    }
    const std::int64_t now = clock_();
    AUD_ASSIGN_OR_RETURN(auto events, domain::decide(loaded.state, s, w, domain::RegistrationCommand{command}, now));
    auto appended = log_.append(registration_stream(command.registration),
                                  eventstore::ExpectedVersion::exact(loaded.version), to_entries(events, command.by));
    if (!appended) return appended.status();
    // An erased person's address is gone, and so is the way to its reservation.
    if (written && !written->erased) {
        AUD_ASSIGN_OR_RETURN(const std::string reservation, reservation_of(written->session, written->email));
        AUD_ASSIGN_OR_RETURN(auto held, (load<domain::ReservationState>(log_, reservation,
                                                                        domain::decode_reservation_event)));
        if (held.state.holder == command.registration) {
            const std::vector<domain::ReservationEvent> release = {domain::EmailReleased{command.registration, now}};
            AUD_RETURN_IF_ERROR(log_.append(reservation, eventstore::ExpectedVersion::exact(held.version),
                                              to_entries(release, command.by)).status());
        }
    }
    return Outcome{appended->last_position, appended->last_version, events.size()};
}

Result<std::optional<domain::Registered>> CommandHandler::registration(const Id& id) {
    AUD_ASSIGN_OR_RETURN(auto entries, log_.read_stream(registration_stream(id), 1, Log::Direction::kForward, 4096));
    std::optional<domain::Registered> out;
    for (const auto& entry : entries) {
        if (entry.purged) continue;
        AUD_ASSIGN_OR_RETURN(auto event, domain::decode_registration_event(stored_event(entry)));
        if (const auto* r = std::get_if<domain::Registered>(&event)) out = *r;
        if (const auto* snap = std::get_if<domain::RegistrationSnapshotted>(&event)) out = snap->registered;
    }
    return out;
}

namespace {

// A snapshot function: folds what is left of the stream and writes the whole state back.
template <class State, class Decode, class Snapshot>
eventstore::SnapshotFunction snapshot_function(Decode decode, Snapshot make, std::function<std::int64_t()> clock) {
    return [decode, make, clock](std::string_view, const std::vector<eventstore::Entry>& entries)
               -> Result<std::optional<eventstore::NewEvent>> {
        State state{};
        bool any = false;
        for (const auto& entry : entries) {
            if (entry.purged) continue;
            AUD_ASSIGN_OR_RETURN(auto event, decode(stored_event(entry)));
            state = domain::evolve(std::move(state), event);
            any = true;
        }
        if (!any) return std::optional<eventstore::NewEvent>();
        auto events = to_entries(std::vector{make(state, clock())}, Id());
        return std::optional<eventstore::NewEvent>(std::move(events.front()));
    };
}

}  // namespace

eventstore::SnapshotRegistry domain_snapshots(std::function<std::int64_t()> clock) {
    using namespace domain;
    eventstore::SnapshotRegistry r;
    r["workspace"] = snapshot_function<WorkspaceState>(
        decode_workspace_event, [](const WorkspaceState& s, std::int64_t now) { return WorkspaceEvent{WorkspaceSnapshotted{s, now}}; },
        clock);
    r["webinar"] = snapshot_function<WebinarState>(
        decode_webinar_event, [](const WebinarState& s, std::int64_t now) { return WebinarEvent{WebinarSnapshotted{s, now}}; },
        clock);
    r["session"] = snapshot_function<SessionState>(
        decode_session_event, [](const SessionState& s, std::int64_t now) { return SessionEvent{SessionSnapshotted{s, now}}; },
        clock);
    r["reservation"] = snapshot_function<ReservationState>(
        decode_reservation_event,
        [](const ReservationState& s, std::int64_t now) { return ReservationEvent{ReservationSnapshotted{s, now}}; }, clock);
    // A registration's state for the snapshot is the registration itself, personal data included.
    struct Whole {
        std::optional<Registered> registered;
        bool canceled = false;
    };
    r["registration"] = [clock](std::string_view, const std::vector<eventstore::Entry>& entries)
        -> Result<std::optional<eventstore::NewEvent>> {
        Whole whole;
        for (const auto& entry : entries) {
            if (entry.purged) continue;
            AUD_ASSIGN_OR_RETURN(auto event, decode_registration_event(stored_event(entry)));
            std::visit(Overloaded{[&](const Registered& e) { whole.registered = e; },
                                  [&](const RegistrationCanceled&) { whole.canceled = true; },
                                  [&](const RegistrationSnapshotted& e) {
                                      whole.registered = e.registered;
                                      whole.canceled = e.canceled;
                                  }},
                       event);
        }
        if (!whole.registered) return std::optional<eventstore::NewEvent>();
        auto events = to_entries(
            std::vector{RegistrationEvent{RegistrationSnapshotted{*whole.registered, whole.canceled, clock()}}}, Id());
        return std::optional<eventstore::NewEvent>(std::move(events.front()));
    };
    return r;
}

Result<PrivacyOutcome> CommandHandler::handle_privacy(const Id& workspace, const Id& by, const Id& request,
                                                      domain::PrivacyRequestKind kind, const PrivacySubject& who) {
    // Find the person, and the workspace they belong to, from what the request names.
    domain::RequestPrivacy command{workspace, by, request, kind, Id(), std::nullopt};
    std::optional<domain::Registered> registrant;
    switch (who.kind) {
        case PrivacySubject::Kind::kRegistrant: {
            AUD_ASSIGN_OR_RETURN(registrant, registration(who.id));
            if (registrant) {
                command.subject = registrant->person;
                command.subject_workspace = registrant->workspace;
            }
            break;
        }
        case PrivacySubject::Kind::kGuestSpeaker: {
            AUD_ASSIGN_OR_RETURN(domain::WebinarState w, webinar(who.webinar));
            if (w.exists && w.guests.count(who.id) != 0) {
                command.subject = who.id;
                command.subject_workspace = w.workspace;
            }
            break;
        }
        case PrivacySubject::Kind::kMember: {
            AUD_ASSIGN_OR_RETURN(domain::WorkspaceState s, this->workspace(workspace));
            if (s.members.count(who.id) != 0) {
                command.subject = who.id;
                command.subject_workspace = s.id;
            }
            break;
        }
    }
    if (kind == domain::PrivacyRequestKind::kAccess && who.kind != PrivacySubject::Kind::kRegistrant &&
        read_models_ == nullptr) {
        return domain::broken_rule("access_needs_read_models",
                                   "access to guest speakers and members reads the subject index of the read models");
    }
    PrivacyOutcome out;
    AUD_ASSIGN_OR_RETURN(out.recorded, handle(domain::WorkspaceCommand{command}));
    switch (kind) {
        case domain::PrivacyRequestKind::kAccess: {
            out.registrant = registrant;
            if (read_models_ != nullptr && !command.subject.is_none()) {
                AUD_ASSIGN_OR_RETURN(auto positions, read_models_->entries_of(command.subject));
                for (eventstore::Position p : positions) {
                    AUD_ASSIGN_OR_RETURN(auto read, log_.read_all(p, 1));
                    for (auto& e : read) {
                        if (!e.purged) out.entries.push_back(std::move(e));
                    }
                }
            }
            break;
        }
        case domain::PrivacyRequestKind::kErasure: {
            AUD_ASSIGN_OR_RETURN(out.carried_out, keys_.erase(command.subject, by));
            break;
        }
        case domain::PrivacyRequestKind::kLegalHold:
        case domain::PrivacyRequestKind::kReleaseHold: {
            AUD_ASSIGN_OR_RETURN(out.carried_out, keys_.set_legal_hold(command.subject, by,
                                                                        kind == domain::PrivacyRequestKind::kLegalHold));
            break;
        }
    }
    return out;
}

bool system_has_time_zone(std::string_view name) {
    if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) return false;
    std::ifstream in("/usr/share/zoneinfo/" + std::string(name), std::ios::binary);
    char magic[4] = {};
    return in.read(magic, 4) && std::string_view(magic, 4) == "TZif";
}

}  // namespace auditorium::commands
