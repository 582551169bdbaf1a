#include "commands/command_handler.hpp"

#include <fstream>
#include <utility>

#include "domain/event_codec.hpp"
#include "base/overloaded.hpp"

namespace auditorium::commands {

namespace {

using eventstore::Store;
using eventstore::StreamVersion;

template <class State>
struct Loaded {
    State state;
    StreamVersion version = 0;
};

// The event as the codec reads it back from an entry: the clear part and the personal section.
domain::StoredEvent stored_event(const eventstore::Entry& e) {
    domain::StoredEvent s;
    s.type = e.type;
    s.schema_version = e.schema_version;
    s.clear = e.clear;
    for (const auto& section : e.sections) {
        if (section.key_class != eventstore::KeyClass::kPersonal) continue;
        if (section.state == eventstore::Section::State::kOpen) s.personal = std::string_view(section.plaintext);
        if (section.state == eventstore::Section::State::kErased) s.erased = true;
    }
    return s;
}

// Folds every entry of `stream` into a State.
template <class State, class Decode>
Result<Loaded<State>> load(Store& store, const std::string& stream, Decode decode) {
    Loaded<State> out;
    constexpr std::size_t kPage = 512;
    for (StreamVersion from = 1;;) {
        AUD_ASSIGN_OR_RETURN(auto page, store.read_stream(stream, from, Store::Direction::kForward, kPage));
        for (const auto& entry : page) {
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

// Load, decide, append at the version read; on a conflict, again.
template <class State, class Decode, class Decide>
Result<Outcome> run(Store& store, const std::string& stream, const Id& actor, Decode decode, Decide decide) {
    for (int attempt = 1;; ++attempt) {
        AUD_ASSIGN_OR_RETURN(Loaded<State> loaded, (load<State>(store, stream, decode)));
        AUD_ASSIGN_OR_RETURN(auto events, decide(loaded.state));
        const auto expected = loaded.version == 0 ? eventstore::ExpectedVersion::no_stream()
                                                  : eventstore::ExpectedVersion::exact(loaded.version);
        auto appended = store.append(stream, expected, to_entries(events, actor));
        if (appended) return Outcome{appended->last_position, appended->last_version, events.size()};
        if (!eventstore::conflict_of(appended.status()) || attempt == CommandHandler::kAttempts) {
            return appended.status();
        }
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

CommandHandler::CommandHandler(Store& store, domain::TimeZoneCheck zones, std::function<std::int64_t()> clock)
    : store_(store), zones_(std::move(zones)), clock_(std::move(clock)) {}

Result<Outcome> CommandHandler::handle(const domain::WorkspaceCommand& command) {
    return run<domain::WorkspaceState>(
        store_, workspace_stream(workspace_of(command)), actor_of(command), domain::decode_workspace_event,
        [&](const domain::WorkspaceState& s) { return domain::decide(s, command, clock_()); });
}

Result<Outcome> CommandHandler::handle(const domain::WebinarCommand& command) {
    return run<domain::WebinarState>(
        store_, webinar_stream(webinar_of(command)), actor_of(command), domain::decode_webinar_event,
        [&](const domain::WebinarState& w) { return domain::decide(w, command, clock_()); });
}

Result<Outcome> CommandHandler::handle(const domain::SessionCommand& command) {
    return run<domain::SessionState>(
        store_, session_stream(session_of(command)), actor_of(command), domain::decode_session_event,
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
    AUD_ASSIGN_OR_RETURN(auto loaded, (load<domain::WorkspaceState>(store_, workspace_stream(id),
                                                                    domain::decode_workspace_event)));
    return loaded.state;
}

Result<domain::WebinarState> CommandHandler::webinar(const Id& id) {
    AUD_ASSIGN_OR_RETURN(auto loaded,
                         (load<domain::WebinarState>(store_, webinar_stream(id), domain::decode_webinar_event)));
    return loaded.state;
}

Result<domain::SessionState> CommandHandler::session(const Id& id) {
    AUD_ASSIGN_OR_RETURN(auto loaded,
                         (load<domain::SessionState>(store_, session_stream(id), domain::decode_session_event)));
    return loaded.state;
}

bool system_has_time_zone(std::string_view name) {
    if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) return false;
    std::ifstream in("/usr/share/zoneinfo/" + std::string(name), std::ios::binary);
    char magic[4] = {};
    return in.read(magic, 4) && std::string_view(magic, 4) == "TZif";
}

}  // namespace auditorium::commands
