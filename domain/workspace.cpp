#include "domain/workspace.hpp"

#include <algorithm>

#include "domain/internal/checks.hpp"
#include "domain/rejection.hpp"

namespace auditorium::domain {

namespace {

using internal::Overloaded;

using Events = std::vector<WorkspaceEvent>;

Status check_name(const std::string& name) { return internal::check_length("name", name, 1, 100); }

std::size_t owners(const WorkspaceState& s) {
    return static_cast<std::size_t>(
        std::count_if(s.members.begin(), s.members.end(),
                      [](const auto& m) { return m.second == WorkspaceRole::kOwner; }));
}

// The acting member's role: the workspace must exist and the actor must be one of its members
// (a member of another workspace is nobody here).
Result<WorkspaceRole> actor_role(const WorkspaceState& s, const Id& workspace, const Id& by) {
    if (!s.exists || s.deleted || s.id != workspace) return unknown("workspace", "workspace");
    const auto it = s.members.find(by);
    if (it == s.members.end()) return not_allowed("the actor is not a member of this workspace");
    return it->second;
}

Result<WorkspaceRole> member_role(const WorkspaceState& s, const Id& member) {
    const auto it = s.members.find(member);
    if (it == s.members.end()) return unknown("member", "member of this workspace");
    return it->second;
}

Result<Events> create(const WorkspaceState& s, const CreateWorkspace& c, std::int64_t now) {
    if (s.exists) return broken_rule("workspace_exists", "the workspace exists already");
    if (c.workspace.is_none()) return invalid_field("workspace", "missing");
    if (c.owner.is_none()) return invalid_field("owner", "missing");
    AUD_RETURN_IF_ERROR(check_name(c.name));
    AUD_RETURN_IF_ERROR(internal::check_slug("slug", c.slug, 60));
    return Events{WorkspaceCreated{c.workspace, c.name, c.slug, c.owner, now}};
}

Result<Events> change_settings(const WorkspaceState& s, const ChangeWorkspaceSettings& c,
                               std::int64_t now) {
    AUD_ASSIGN_OR_RETURN(WorkspaceRole role, actor_role(s, c.workspace, c.by));
    if (!may(role, WorkspaceAction::kEditSettings, true))
        return not_allowed("only owners and admins change settings");
    if (!c.name && !c.company_page_enabled) return invalid_field("settings", "nothing to change");
    if (c.name) AUD_RETURN_IF_ERROR(check_name(*c.name));
    return Events{WorkspaceSettingsChanged{c.by, c.name, c.company_page_enabled, now}};
}

Result<Events> invite(const WorkspaceState& s, const InviteMember& c, std::int64_t now) {
    AUD_ASSIGN_OR_RETURN(WorkspaceRole role, actor_role(s, c.workspace, c.by));
    if (c.member.is_none()) return invalid_field("member", "missing");
    if (s.members.count(c.member) != 0)
        return broken_rule("already_member", "already a member of this workspace");
    if (!may(role, WorkspaceAction::kInviteMembers, true, c.role)) {
        return not_allowed("a " + std::string(name_of(role)) + " may not invite a " +
                           std::string(name_of(c.role)));
    }
    return Events{MemberInvited{c.by, c.member, c.role, now}};
}

Result<Events> change_role(const WorkspaceState& s, const ChangeMemberRole& c, std::int64_t now) {
    AUD_ASSIGN_OR_RETURN(WorkspaceRole role, actor_role(s, c.workspace, c.by));
    AUD_ASSIGN_OR_RETURN(WorkspaceRole current, member_role(s, c.member));
    if (!may(role, WorkspaceAction::kChangeRoles, true, current, c.role)) {
        return not_allowed("a " + std::string(name_of(role)) + " may not change a " +
                           std::string(name_of(current)) + " into a " +
                           std::string(name_of(c.role)));
    }
    if (current == c.role) return broken_rule("role_unchanged", "the member has this role already");
    if (current == WorkspaceRole::kOwner && owners(s) == 1) {
        return broken_rule("workspace_keeps_an_owner", "the last owner cannot stop being an owner");
    }
    return Events{MemberRoleChanged{c.by, c.member, current, c.role, now}};
}

Result<Events> remove(const WorkspaceState& s, const RemoveMember& c, std::int64_t now) {
    AUD_ASSIGN_OR_RETURN(WorkspaceRole role, actor_role(s, c.workspace, c.by));
    AUD_ASSIGN_OR_RETURN(WorkspaceRole current, member_role(s, c.member));
    if (!may(role, WorkspaceAction::kRemoveMembers, true))
        return not_allowed("only owners remove members");
    if (current == WorkspaceRole::kOwner && owners(s) == 1) {
        return broken_rule("workspace_keeps_an_owner", "the last owner cannot be removed");
    }
    return Events{MemberRemoved{c.by, c.member, now}};
}

Result<Events> transfer(const WorkspaceState& s, const TransferOwnership& c, std::int64_t now) {
    AUD_ASSIGN_OR_RETURN(WorkspaceRole role, actor_role(s, c.workspace, c.by));
    if (!may(role, WorkspaceAction::kRemoveMembers,
             true)) {  // the same row: remove, delete, transfer
        return not_allowed("only an owner transfers ownership");
    }
    AUD_ASSIGN_OR_RETURN(WorkspaceRole to_role, member_role(s, c.to));
    if (c.to == c.by) return invalid_field("to", "the owner already owns the workspace");
    if (to_role == WorkspaceRole::kOwner)
        return broken_rule("already_owner", "the member is an owner already");
    // The new owner first, so the workspace never lacks one between the two events.
    return Events{MemberRoleChanged{c.by, c.to, to_role, WorkspaceRole::kOwner, now},
                  MemberRoleChanged{c.by, c.by, WorkspaceRole::kOwner, WorkspaceRole::kAdmin, now}};
}

Result<Events> delete_workspace(const WorkspaceState& s, const DeleteWorkspace& c,
                                std::int64_t now) {
    AUD_ASSIGN_OR_RETURN(WorkspaceRole role, actor_role(s, c.workspace, c.by));
    if (!may(role, WorkspaceAction::kRemoveMembers,
             true)) {  // the same row: remove, delete, transfer
        return not_allowed("only an owner deletes the workspace");
    }
    return Events{WorkspaceDeleted{c.by, now}};
}

Result<Events> create_token(const WorkspaceState& s, const CreateApiToken& c, std::int64_t now) {
    AUD_ASSIGN_OR_RETURN(WorkspaceRole role, actor_role(s, c.workspace, c.by));
    if (!may(role, WorkspaceAction::kManageApiTokens, true))
        return not_allowed("only owners and admins make API tokens");
    if (c.token.is_none()) return invalid_field("token", "missing");
    if (s.api_tokens.count(c.token) != 0)
        return broken_rule("token_exists", "the token exists already");
    AUD_RETURN_IF_ERROR(internal::check_length("name", c.name, 1, 100));
    return Events{ApiTokenCreated{c.by, c.token, c.name, now}};
}

Result<Events> revoke_token(const WorkspaceState& s, const RevokeApiToken& c, std::int64_t now) {
    AUD_ASSIGN_OR_RETURN(WorkspaceRole role, actor_role(s, c.workspace, c.by));
    if (!may(role, WorkspaceAction::kManageApiTokens, true))
        return not_allowed("only owners and admins revoke API tokens");
    if (s.api_tokens.count(c.token) == 0)
        return unknown("token", "live API token of this workspace");
    return Events{ApiTokenRevoked{c.by, c.token, now}};
}

Result<Events> request_export(const WorkspaceState& s, const RequestAuditExport& c,
                              std::int64_t now) {
    AUD_ASSIGN_OR_RETURN(WorkspaceRole role, actor_role(s, c.workspace, c.by));
    if (!may(role, WorkspaceAction::kReadAuditTrail, true)) {
        return not_allowed("only owners and compliance officers export the audit trail");
    }
    if (c.request.is_none()) return invalid_field("request", "missing");
    if (c.since_us < 0) return invalid_field("since", "before 1970");
    if (c.until_us != 0 && c.until_us <= c.since_us)
        return invalid_field("until", "not after since");
    if (c.until_us > now) return invalid_field("until", "in the future");
    return Events{AuditExportRequested{c.by, c.request, c.since_us, c.until_us, now}};
}

Result<Events> request_privacy(const WorkspaceState& s, const RequestPrivacy& c, std::int64_t now) {
    AUD_ASSIGN_OR_RETURN(WorkspaceRole role, actor_role(s, c.workspace, c.by));
    if (!may(role, WorkspaceAction::kPrivacyRequests, true)) {
        return not_allowed(
            "only owners and compliance officers handle privacy requests and legal holds");
    }
    if (c.request.is_none()) return invalid_field("request", "missing");
    if (c.subject.is_none() || c.subject_workspace != s.id)
        return unknown("subject", "person known to this workspace");
    if (c.kind > PrivacyRequestKind::kReleaseHold)
        return invalid_field("kind", "unknown kind of request");
    return Events{PrivacyRequested{c.by, c.request, c.kind, c.subject, now}};
}

}  // namespace

WorkspaceState evolve(WorkspaceState s, const WorkspaceEvent& event) {
    std::visit(Overloaded{
                   [&](const WorkspaceCreated& e) {
                       s.exists = true;
                       s.id = e.workspace;
                       s.name = e.name;
                       s.slug = e.slug;
                       s.members[e.owner] = WorkspaceRole::kOwner;
                   },
                   [&](const WorkspaceSettingsChanged& e) {
                       if (e.name) s.name = *e.name;
                       if (e.company_page_enabled) s.company_page_enabled = *e.company_page_enabled;
                   },
                   [&](const MemberInvited& e) { s.members[e.member] = e.role; },
                   [&](const MemberRoleChanged& e) { s.members[e.member] = e.to; },
                   [&](const MemberRemoved& e) { s.members.erase(e.member); },
                   [&](const WorkspaceDeleted&) { s.deleted = true; },
                   [&](const ApiTokenCreated& e) { s.api_tokens[e.token] = e.name; },
                   [&](const ApiTokenRevoked& e) { s.api_tokens.erase(e.token); },
                   [&](const AuditExportRequested&) {},
                   [&](const PrivacyRequested&) {},
                   [&](const WorkspaceSnapshotted& e) { s = e.state; },
               },
               event);
    return s;
}

WorkspaceState fold(const std::vector<WorkspaceEvent>& events) {
    WorkspaceState s;
    for (const auto& e : events) s = evolve(std::move(s), e);
    return s;
}

Result<std::vector<WorkspaceEvent>> decide(const WorkspaceState& state,
                                           const WorkspaceCommand& command, std::int64_t now_us) {
    return std::visit(
        Overloaded{
            [&](const CreateWorkspace& c) { return create(state, c, now_us); },
            [&](const ChangeWorkspaceSettings& c) { return change_settings(state, c, now_us); },
            [&](const InviteMember& c) { return invite(state, c, now_us); },
            [&](const ChangeMemberRole& c) { return change_role(state, c, now_us); },
            [&](const RemoveMember& c) { return remove(state, c, now_us); },
            [&](const TransferOwnership& c) { return transfer(state, c, now_us); },
            [&](const DeleteWorkspace& c) { return delete_workspace(state, c, now_us); },
            [&](const CreateApiToken& c) { return create_token(state, c, now_us); },
            [&](const RevokeApiToken& c) { return revoke_token(state, c, now_us); },
            [&](const RequestAuditExport& c) { return request_export(state, c, now_us); },
            [&](const RequestPrivacy& c) { return request_privacy(state, c, now_us); },
        },
        command);
}

}  // namespace auditorium::domain
