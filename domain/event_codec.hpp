// Domain events <-> what the store keeps of them: a type name and schema version, a clear part
// (flatbuffers: pseudonyms and non-personal fields) and, for events that hold a person's data, a
// personal part the store seals under that person's key (schema/events.fbs). Decoding accepts
// every schema version ever written; an event whose personal part was erased decodes with its
// personal fields empty and says so.
//
// The types and their versions are in domain/event_types.hpp, the one table of them; the codecs
// are one source per aggregate (workspace_codec.cpp, webinar_codec.cpp for webinars and sessions,
// registration_codec.cpp for registrations and e-mail reservations).
// Encodings are byte-stable: the same event gives the same bytes whatever the compiler, because
// read-model digests (`ledger replay`) are compared across builds. C++ leaves the order of
// evaluating a call's arguments open, so no call takes two flatbuffers builder calls as arguments;
// each is a statement of its own, in the order GCC used when the first bytes were written.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/id.hpp"
#include "base/result.hpp"
#include "domain/event_types.hpp"
#include "domain/registration.hpp"
#include "domain/webinar.hpp"
#include "domain/workspace.hpp"

namespace auditorium::domain {

struct EncodedEvent {
    std::string type;
    std::uint16_t schema_version = 1;
    std::string clear;
    Id subject;  // whose personal data `personal` is; none when there is none
    std::optional<std::string> personal;
};

// What the store gives back of an event.
struct StoredEvent {
    std::string_view type;
    std::uint16_t schema_version = 1;
    std::string_view clear;
    std::optional<std::string_view> personal;  // nullopt: none written, or erased (see `erased`)
    bool erased = false;
};

EncodedEvent encode(const WorkspaceEvent& event);
EncodedEvent encode(const WebinarEvent& event);
EncodedEvent encode(const SessionEvent& event);
EncodedEvent encode(const RegistrationEvent& event);
EncodedEvent encode(const ReservationEvent& event);

// Corruption when the bytes fail the flatbuffers check or a field is out of range; InvalidArgument
// for a type (or version) of another aggregate or unknown to this build.
Result<WorkspaceEvent> decode_workspace_event(const StoredEvent& stored);
Result<WebinarEvent> decode_webinar_event(const StoredEvent& stored);
Result<SessionEvent> decode_session_event(const StoredEvent& stored);
Result<RegistrationEvent> decode_registration_event(const StoredEvent& stored);
Result<ReservationEvent> decode_reservation_event(const StoredEvent& stored);

}  // namespace auditorium::domain
