// What the command handler's sources share to read and write aggregate streams: fold a stream
// into a state (load), turn domain events into ledger entries (to_entries), wait out a version
// conflict (await_version), and the load-decide-append loop with its retries (run). Only
// commands/ includes this. Functions only; as thread-safe as the Log they are given.
#pragma once

#include <string>
#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "commands/command_handler.hpp"
#include "domain/event_codec.hpp"
#include "eventstore/log.hpp"
#include "projections/stored_event.hpp"

namespace auditorium::commands::internal {

template <class State>
struct Loaded {
    State state;
    eventstore::StreamVersion version = 0;  // of the last entry read; 0: no stream
};

// Folds every entry of `stream` into a State.
template <class State, class Decode>
Result<Loaded<State>> load(eventstore::Log& log, const std::string& stream, Decode decode) {
    using eventstore::Log;
    using eventstore::StreamVersion;
    using projections::stored_event;
    Loaded<State> out;
    constexpr std::size_t kPage = 512;
    for (StreamVersion from = 1;;) {
        AUD_ASSIGN_OR_RETURN(auto page,
                             log.read_stream(stream, from, Log::Direction::kForward, kPage));
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

// The entries of `events`, acted by `actor`: each with a random event id, its personal part (if
// any) in a section sealed under its subject's key.
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
            e.sections.push_back(
                {encoded.subject, eventstore::KeyClass::kPersonal, std::move(*encoded.personal)});
        }
        out.push_back(std::move(e));
    }
    return out;
}

// After a conflict: the version that won may be decided but not yet durable, and reads show only
// durable entries. Waits (bounded) until the stream shows it, so the next attempt reads it.
Status await_version(eventstore::Log& log, const std::string& stream, const Status& conflict);

// Load, decide, append at the version read; on a conflict, again (up to CommandHandler::kAttempts).
template <class State, class Decode, class Decide>
Result<Outcome> run(eventstore::Log& log, const std::string& stream, const Id& actor, Decode decode,
                    Decide decide) {
    for (int attempt = 1;; ++attempt) {
        AUD_ASSIGN_OR_RETURN(Loaded<State> loaded, (load<State>(log, stream, decode)));
        AUD_ASSIGN_OR_RETURN(auto events, decide(loaded.state));
        const auto expected = loaded.version == 0
                                  ? eventstore::ExpectedVersion::no_stream()
                                  : eventstore::ExpectedVersion::exact(loaded.version);
        auto appended = log.append(stream, expected, to_entries(events, actor));
        if (appended)
            return Outcome{appended->last_position, appended->last_version, events.size()};
        if (!eventstore::conflict_of(appended.status()) || attempt == CommandHandler::kAttempts) {
            return appended.status();
        }
        AUD_RETURN_IF_ERROR(await_version(log, stream, appended.status()));
    }
}

}  // namespace auditorium::commands::internal
