#include "domain/access_policy.hpp"

#include <array>
#include <cstddef>

namespace auditorium::domain {

namespace {

using G = Grant;
constexpr std::size_t kRoles = std::size(kWorkspaceRoles);

// The workspace permission table, row by row as in the product brief: owner, admin, member,
// compliance officer.
constexpr std::array<std::array<Grant, kRoles>, std::size(kWorkspaceActions)> kWorkspaceTable = {{
    /* open the dashboard     */ {G::kYes, G::kYes, G::kYes, G::kReadOnly},
    /* manage own events      */ {G::kYes, G::kYes, G::kYes, G::kNo},
    /* manage any event       */ {G::kYes, G::kYes, G::kNo, G::kNo},
    /* settings, company page */ {G::kYes, G::kYes, G::kNo, G::kNo},
    /* invite members         */ {G::kYes, G::kNotOwners, G::kMembersOnly, G::kNo},
    /* change roles           */ {G::kYes, G::kUpToAdmin, G::kNo, G::kNo},
    /* remove, delete, transfer */ {G::kYes, G::kNo, G::kNo, G::kNo},
    /* API tokens             */ {G::kYes, G::kYes, G::kNo, G::kNo},
    /* audit trail            */ {G::kYes, G::kNo, G::kNo, G::kYes},
    /* privacy, legal hold    */ {G::kYes, G::kNo, G::kNo, G::kYes},
}};

// A limited grant lets an admin or a member hand out only roles whose powers they hold
// themselves: member and admin. The compliance officer's powers (audit trail, privacy requests)
// are the owner's alone to give, so no admin can raise anyone, or a friend, above admin.
bool within_admin_powers(WorkspaceRole r) {
    return r == WorkspaceRole::kMember || r == WorkspaceRole::kAdmin;
}

using E = RoomAccess::Entry;
constexpr RoomAccess kNone{E::kNone, false, false};
constexpr RoomAccess kTold{E::kToldClosed, false, false};
constexpr RoomAccess kWait{E::kWaitOutside, false, false};
constexpr RoomAccess kEnterPublish{E::kEnter, true, false};
constexpr RoomAccess kEnterOnly{E::kEnter, false, false};
constexpr RoomAccess kEnterOnStage{E::kEnter, false, true};
constexpr RoomAccess kReplay{E::kWatchReplay, false, false};
constexpr RoomAccess kWatch{E::kWatch, false, false};
constexpr std::size_t kAudiences = std::size(kRoomAudiences);
using RoomRow = std::array<RoomAccess, kAudiences>;

// The room table: event team (host, moderators, assigned team), owner or admin, guest speaker,
// registrant, anyone else.
constexpr RoomRow kDraftRow = {kNone, kNone, kNone, kNone, kNone};
constexpr RoomRow kUpcomingRow = {kEnterPublish, kEnterOnly, kEnterPublish, kWait, kNone};
constexpr RoomRow kLiveRow = {kEnterPublish, kEnterOnly, kEnterPublish, kEnterOnStage, kNone};
constexpr RoomRow kPastReplayOnRow = {kReplay, kReplay, kReplay, kReplay, kNone};
constexpr RoomRow kPastReplayOffRow = {kReplay, kReplay, kNone, kNone, kNone};
constexpr RoomRow kNotHeldRow = {kNone, kNone, kNone, kTold, kNone};  // past_not_started, canceled
constexpr RoomRow kOnDemandRow = {kWatch, kWatch, kWatch, kWatch, kNone};

const RoomRow& room_row(SessionStatus status, bool replay_enabled) {
    switch (status) {
        case SessionStatus::kDraft: return kDraftRow;
        case SessionStatus::kUpcoming: return kUpcomingRow;
        case SessionStatus::kLive: return kLiveRow;
        case SessionStatus::kPast: return replay_enabled ? kPastReplayOnRow : kPastReplayOffRow;
        case SessionStatus::kPastNotStarted:
        case SessionStatus::kCanceled: return kNotHeldRow;
        case SessionStatus::kOnDemand: return kOnDemandRow;
    }
    return kDraftRow;  // unreachable for a valid status: no access
}

}  // namespace

Grant workspace_grant(WorkspaceRole role, WorkspaceAction action) {
    return kWorkspaceTable[static_cast<std::size_t>(action)][static_cast<std::size_t>(role)];
}

bool may(WorkspaceRole role, WorkspaceAction action, bool writes,
         std::optional<WorkspaceRole> target, std::optional<WorkspaceRole> new_role) {
    switch (workspace_grant(role, action)) {
        case Grant::kNo: return false;
        case Grant::kYes: return true;
        case Grant::kReadOnly: return !writes;
        case Grant::kNotOwners: return target && within_admin_powers(*target);
        case Grant::kMembersOnly: return target == WorkspaceRole::kMember;
        case Grant::kUpToAdmin:
            return target && within_admin_powers(*target) &&
                   (!new_role || within_admin_powers(*new_role));
    }
    return false;
}

bool company_page_is_public(bool company_page_enabled) { return company_page_enabled; }

bool listed_on_company_page(const PublicEventView& event) {
    return event.published && event.is_public;
}

bool registration_page_is_public(const PublicEventView& event) {
    return event.published && event.is_public && event.registration_page_enabled;
}

RoomAccess room_access(SessionStatus status, bool replay_enabled, RoomAudience audience) {
    return room_row(status, replay_enabled)[static_cast<std::size_t>(audience)];
}

std::string_view name_of(WorkspaceRole role) {
    switch (role) {
        case WorkspaceRole::kOwner: return "owner";
        case WorkspaceRole::kAdmin: return "admin";
        case WorkspaceRole::kMember: return "member";
        case WorkspaceRole::kCompliance: return "compliance";
    }
    return "?";
}

std::string_view name_of(WorkspaceAction action) {
    switch (action) {
        case WorkspaceAction::kOpenDashboard: return "open the dashboard";
        case WorkspaceAction::kManageOwnEvents: return "manage own events";
        case WorkspaceAction::kManageAnyEvent: return "manage any event";
        case WorkspaceAction::kEditSettings: return "workspace settings";
        case WorkspaceAction::kInviteMembers: return "invite members";
        case WorkspaceAction::kChangeRoles: return "change roles";
        case WorkspaceAction::kRemoveMembers: return "remove members";
        case WorkspaceAction::kManageApiTokens: return "API tokens";
        case WorkspaceAction::kReadAuditTrail: return "read the audit trail";
        case WorkspaceAction::kPrivacyRequests: return "privacy requests";
    }
    return "?";
}

std::string_view name_of(Grant grant) {
    switch (grant) {
        case Grant::kNo: return "no";
        case Grant::kYes: return "yes";
        case Grant::kReadOnly: return "yes, read-only";
        case Grant::kNotOwners: return "yes, not owners";
        case Grant::kMembersOnly: return "yes, members only";
        case Grant::kUpToAdmin: return "yes, up to admin";
    }
    return "?";
}

std::string_view name_of(SessionStatus status) {
    switch (status) {
        case SessionStatus::kDraft: return "draft";
        case SessionStatus::kUpcoming: return "upcoming";
        case SessionStatus::kLive: return "live";
        case SessionStatus::kPast: return "past";
        case SessionStatus::kPastNotStarted: return "past_not_started";
        case SessionStatus::kCanceled: return "canceled";
        case SessionStatus::kOnDemand: return "on_demand";
    }
    return "?";
}

std::string_view name_of(RoomAudience audience) {
    switch (audience) {
        case RoomAudience::kEventTeam: return "host / moderator / assigned team";
        case RoomAudience::kOwnerOrAdmin: return "owner, admin";
        case RoomAudience::kGuestSpeaker: return "guest speaker";
        case RoomAudience::kRegistrant: return "registrant";
        case RoomAudience::kAnyoneElse: return "anyone else";
    }
    return "?";
}

std::string_view name_of(RoomAccess::Entry entry) {
    switch (entry) {
        case RoomAccess::Entry::kNone: return "no";
        case RoomAccess::Entry::kToldClosed: return "no (told so)";
        case RoomAccess::Entry::kWaitOutside: return "wait outside";
        case RoomAccess::Entry::kEnter: return "enter";
        case RoomAccess::Entry::kWatchReplay: return "watch replay";
        case RoomAccess::Entry::kWatch: return "watch";
    }
    return "?";
}

}  // namespace auditorium::domain
