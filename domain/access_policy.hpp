// Who may do what, in one place: the workspace permissions (after Livestorm's owner / admin /
// member split, plus the compliance officer), the public parts of the app, and the event room by
// session status. Every command handler and every read in the gateway asks these functions; no
// other code decides access. The tables are data (access_policy.cpp), so each cell can be read,
// reviewed and tested on its own.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace auditorium::domain {

enum class WorkspaceRole : std::uint8_t { kOwner, kAdmin, kMember, kCompliance };
inline constexpr WorkspaceRole kWorkspaceRoles[] = {WorkspaceRole::kOwner, WorkspaceRole::kAdmin,
                                                    WorkspaceRole::kMember,
                                                    WorkspaceRole::kCompliance};
std::string_view name_of(WorkspaceRole role);

// The rows of the workspace permission table.
enum class WorkspaceAction : std::uint8_t {
    kOpenDashboard,    // open the dashboard, see the workspace's events
    kManageOwnEvents,  // create events; edit, schedule, start/end and export those they own or are
                       // assigned to
    kManageAnyEvent,   // edit or delete any event of the workspace
    kEditSettings,     // workspace settings, company page on/off
    kInviteMembers,
    kChangeRoles,
    kRemoveMembers,  // also: delete the workspace, transfer ownership
    kManageApiTokens,
    kReadAuditTrail,   // the audit trail, exports, proofs
    kPrivacyRequests,  // access and erasure requests, legal holds
};
inline constexpr WorkspaceAction kWorkspaceActions[] = {
    WorkspaceAction::kOpenDashboard,  WorkspaceAction::kManageOwnEvents,
    WorkspaceAction::kManageAnyEvent, WorkspaceAction::kEditSettings,
    WorkspaceAction::kInviteMembers,  WorkspaceAction::kChangeRoles,
    WorkspaceAction::kRemoveMembers,  WorkspaceAction::kManageApiTokens,
    WorkspaceAction::kReadAuditTrail, WorkspaceAction::kPrivacyRequests};
std::string_view name_of(WorkspaceAction action);

// A cell of the workspace table: yes, no, or yes within a limit.
enum class Grant : std::uint8_t {
    kNo,
    kYes,
    kReadOnly,     // may look, never change
    kNotOwners,    // the action's target role may be anything but owner
    kMembersOnly,  // the action's target role must be member
    kUpToAdmin,    // the target role (old and new) must be admin or below: never owner
};
std::string_view name_of(Grant grant);

// The cell for `role` and `action`, as the table says.
Grant workspace_grant(WorkspaceRole role, WorkspaceAction action);

// Whether `role` may do `action`. `writes`: whether the act changes anything (a read-only grant
// allows only reads). `target` and `new_role`: for invitations and role changes, the role of the
// member acted on (the invitee's role, the member's current role) and the role given; both must
// be within the grant's limit.
bool may(WorkspaceRole role, WorkspaceAction action, bool writes,
         std::optional<WorkspaceRole> target = std::nullopt,
         std::optional<WorkspaceRole> new_role = std::nullopt);

// The public parts of the app.
struct PublicEventView {
    bool published = false;  // status published, not draft
    bool is_public = false;  // public, not private
    bool registration_page_enabled = false;
};
// The company page is public while the workspace has it enabled.
bool company_page_is_public(bool company_page_enabled);
// It lists published public events only.
bool listed_on_company_page(const PublicEventView& event);
// A published public event's registration page is public while enabled; a private event has none
// (people with access register from the room).
bool registration_page_is_public(const PublicEventView& event);

// The event room.
enum class SessionStatus : std::uint8_t {
    kDraft,
    kUpcoming,
    kLive,
    kPast,
    kPastNotStarted,
    kCanceled,
    kOnDemand
};
inline constexpr SessionStatus kSessionStatuses[] = {
    SessionStatus::kDraft,   SessionStatus::kUpcoming,       SessionStatus::kLive,
    SessionStatus::kPast,    SessionStatus::kPastNotStarted, SessionStatus::kCanceled,
    SessionStatus::kOnDemand};
std::string_view name_of(SessionStatus status);

// Who someone is to a session, for the room: the columns of the room table. The gateway resolves a
// person to the first that applies, in this order.
enum class RoomAudience : std::uint8_t {
    kEventTeam,     // the session's host, a moderator, a team member assigned to the event
    kOwnerOrAdmin,  // of the event's workspace
    kGuestSpeaker,  // external, invited by e-mail
    kRegistrant,    // registered to the session (unique link, or e-mail plus access key)
    kAnyoneElse,
};
inline constexpr RoomAudience kRoomAudiences[] = {
    RoomAudience::kEventTeam, RoomAudience::kOwnerOrAdmin, RoomAudience::kGuestSpeaker,
    RoomAudience::kRegistrant, RoomAudience::kAnyoneElse};
std::string_view name_of(RoomAudience audience);

// A cell of the room table.
struct RoomAccess {
    enum class Entry : std::uint8_t {
        kNone,         // no room, or no access
        kToldClosed,   // no access, and told why (a registrant of a canceled or not-held session)
        kWaitOutside,  // a registrant before the live: the waiting page
        kEnter,        // in the live room
        kWatchReplay,  // the replay of a past session
        kWatch,        // an on-demand session
    };
    Entry entry = Entry::kNone;
    bool publish = false;               // may send audio and video
    bool publish_when_invited = false;  // may send only once invited on stage
    friend bool operator==(const RoomAccess&, const RoomAccess&) = default;
};
std::string_view name_of(RoomAccess::Entry entry);

RoomAccess room_access(SessionStatus status, bool replay_enabled, RoomAudience audience);

}  // namespace auditorium::domain
