// The one table of the domain's event type names and schema versions, as the ledger records them
// in each entry. The encoders write these, the decoders accept exactly these, and the read models
// compare against them; nothing else spells a type name. A name is on disk: never rename one, and
// a new schema version is a new constant beside the old (decoders keep accepting every version
// ever written). Personal parts: guest_speaker_invited (the guest), registration.created and
// registration.snapshot (the registrant). The snapshots are what a purge appends.
// Constants only; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace auditorium::domain {

struct EventType {
    std::string_view name;
    std::uint16_t version = 1;

    friend constexpr bool operator==(const EventType&, const EventType&) = default;
};

namespace event_types {

inline constexpr EventType kWorkspaceCreated{"workspace.created", 1};
inline constexpr EventType kWorkspaceSettingsChanged{"workspace.settings_changed", 1};
inline constexpr EventType kMemberInvited{"workspace.member_invited", 1};
inline constexpr EventType kMemberRoleChanged{"workspace.member_role_changed", 1};
inline constexpr EventType kMemberRemoved{"workspace.member_removed", 1};
inline constexpr EventType kWorkspaceDeleted{"workspace.deleted", 1};
inline constexpr EventType kApiTokenCreated{"workspace.api_token_created", 1};
inline constexpr EventType kApiTokenRevoked{"workspace.api_token_revoked", 1};
inline constexpr EventType kAuditExportRequested{"workspace.audit_export_requested", 1};
inline constexpr EventType kPrivacyRequested{"workspace.privacy_requested", 1};
inline constexpr EventType kWorkspaceSnapshot{"workspace.snapshot", 1};

inline constexpr EventType kWebinarCreated{"webinar.created", 1};
inline constexpr EventType kWebinarEdited{"webinar.edited", 1};
inline constexpr EventType kWebinarPublished{"webinar.published", 1};
inline constexpr EventType kModeratorAssigned{"webinar.moderator_assigned", 1};
inline constexpr EventType kWebinarDeleted{"webinar.deleted", 1};
inline constexpr EventType kGuestSpeakerInvited{"webinar.guest_speaker_invited", 1};
inline constexpr EventType kGuestSpeakerRevoked{"webinar.guest_speaker_revoked", 1};
inline constexpr EventType kWebinarSnapshot{"webinar.snapshot", 1};

inline constexpr EventType kSessionScheduled{"session.scheduled", 1};
inline constexpr EventType kSessionStatusChanged{"session.status_changed", 1};
inline constexpr EventType kSessionDeleted{"session.deleted", 1};
inline constexpr EventType kSessionSnapshot{"session.snapshot", 1};

inline constexpr EventType kRegistered{"registration.created", 1};
inline constexpr EventType kRegistrationCanceled{"registration.canceled", 1};
inline constexpr EventType kRegistrationSnapshot{"registration.snapshot", 1};

inline constexpr EventType kEmailReserved{"registration.email_reserved", 1};
inline constexpr EventType kEmailReleased{"registration.email_released", 1};
inline constexpr EventType kReservationSnapshot{"registration.reservation_snapshot", 1};

inline constexpr std::array kAll = {
    kWorkspaceCreated,     kWorkspaceSettingsChanged, kMemberInvited,     kMemberRoleChanged,
    kMemberRemoved,        kWorkspaceDeleted,         kApiTokenCreated,   kApiTokenRevoked,
    kAuditExportRequested, kPrivacyRequested,         kWorkspaceSnapshot, kWebinarCreated,
    kWebinarEdited,        kWebinarPublished,         kModeratorAssigned, kWebinarDeleted,
    kGuestSpeakerInvited,  kGuestSpeakerRevoked,      kWebinarSnapshot,   kSessionScheduled,
    kSessionStatusChanged, kSessionDeleted,           kSessionSnapshot,   kRegistered,
    kRegistrationCanceled, kRegistrationSnapshot,     kEmailReserved,     kEmailReleased,
    kReservationSnapshot,
};

}  // namespace event_types
}  // namespace auditorium::domain
