// Domain events <-> what the store keeps of them: a type name and schema version, a clear part
// (flatbuffers: pseudonyms and non-personal fields) and, for events that hold a person's data, a
// personal part the store seals under that person's key (schema/events.fbs). Decoding accepts
// every schema version ever written; an event whose personal part was erased decodes with its
// personal fields empty and says so.
//
// Types and versions:
//   workspace.created 1, workspace.settings_changed 1, workspace.member_invited 1,
//   workspace.member_role_changed 1, workspace.member_removed 1, workspace.deleted 1,
//   workspace.api_token_created 1, workspace.api_token_revoked 1, workspace.audit_export_requested 1,
//   workspace.privacy_requested 1,
//   webinar.created 1, webinar.edited 1, webinar.published 1, webinar.moderator_assigned 1,
//   webinar.deleted 1, webinar.guest_speaker_invited 1 (personal: the guest),
//   webinar.guest_speaker_revoked 1, session.scheduled 1, session.status_changed 1, session.deleted 1,
//   registration.created 1 (personal: the registrant), registration.canceled 1,
//   registration.email_reserved 1, registration.email_released 1,
//   and the snapshots a purge appends: workspace.snapshot 1, webinar.snapshot 1, session.snapshot 1,
//   registration.snapshot 1 (personal: the registrant), registration.reservation_snapshot 1.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/id.hpp"
#include "base/result.hpp"
#include "domain/registration.hpp"
#include "domain/webinar.hpp"
#include "domain/workspace.hpp"

namespace auditorium::domain {

struct EncodedEvent {
    std::string type;
    std::uint16_t schema_version = 1;
    std::string clear;
    Id subject;                     // whose personal data `personal` is; none when there is none
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
