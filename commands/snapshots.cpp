// The snapshot functions a purge runs on the domain's streams (command_handler.hpp,
// domain_snapshots): each folds what is left of a stream and writes the whole state back as one
// snapshot event.
#include "base/overloaded.hpp"
#include "commands/command_handler.hpp"
#include "commands/internal/stream_io.hpp"
#include "domain/event_codec.hpp"
#include "domain/streams.hpp"
#include "projections/stored_event.hpp"

namespace auditorium::commands {

namespace {

using internal::to_entries;
using projections::stored_event;

// A snapshot function: folds what is left of the stream and writes the whole state back.
template <class State, class Decode, class Snapshot>
eventstore::SnapshotFunction snapshot_function(Decode decode, Snapshot make,
                                               std::function<std::int64_t()> clock) {
    return [decode = std::move(decode), make = std::move(make), clock = std::move(clock)](
               std::string_view, const std::vector<eventstore::Entry>& entries)
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

eventstore::SnapshotRegistry domain_snapshots(const std::function<std::int64_t()>& clock) {
    using namespace domain;
    eventstore::SnapshotRegistry r;
    r[std::string(domain::kWorkspaceStreamType)] = snapshot_function<WorkspaceState>(
        decode_workspace_event,
        [](const WorkspaceState& s, std::int64_t now) {
            return WorkspaceEvent{WorkspaceSnapshotted{s, now}};
        },
        clock);
    r[std::string(domain::kWebinarStreamType)] = snapshot_function<WebinarState>(
        decode_webinar_event,
        [](const WebinarState& s, std::int64_t now) {
            return WebinarEvent{WebinarSnapshotted{s, now}};
        },
        clock);
    r[std::string(domain::kSessionStreamType)] = snapshot_function<SessionState>(
        decode_session_event,
        [](const SessionState& s, std::int64_t now) {
            return SessionEvent{SessionSnapshotted{s, now}};
        },
        clock);
    r[std::string(domain::kReservationStreamType)] = snapshot_function<ReservationState>(
        decode_reservation_event,
        [](const ReservationState& s, std::int64_t now) {
            return ReservationEvent{ReservationSnapshotted{s, now}};
        },
        clock);
    // A registration's state for the snapshot is the registration itself, personal data included.
    struct Whole {
        std::optional<Registered> registered;
        bool canceled = false;
    };
    r[std::string(domain::kRegistrationStreamType)] =
        [clock](std::string_view, const std::vector<eventstore::Entry>& entries)
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
        auto events = to_entries(std::vector{RegistrationEvent{RegistrationSnapshotted{
                                     *whole.registered, whole.canceled, clock()}}},
                                 Id());
        return std::optional<eventstore::NewEvent>(std::move(events.front()));
    };
    return r;
}

}  // namespace auditorium::commands
