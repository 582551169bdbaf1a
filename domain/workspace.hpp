// The workspace aggregate: a company's workspace, its settings and its team. One stream per
// workspace ("workspace-<id>"); members appear by pseudonym only (their names and e-mail
// addresses live in each member's own profile stream, sealed under that person's key).
//
// decide(state, command, now) -> events | rejection (rejection.hpp), and evolve(state, event) ->
// state. Invariants kept here: a workspace always keeps an owner; every act is allowed by the
// access policy (access_policy.hpp) for the acting member's role; nothing names a member of
// another workspace. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "domain/access_policy.hpp"

namespace auditorium::domain {

// ---- commands ----
struct CreateWorkspace {
    Id workspace;
    std::string name;  // 1..100 characters
    std::string slug;  // 1..60 of [a-z0-9-], not starting or ending with '-'
    Id owner;          // the member who creates it becomes its first owner
};
struct ChangeWorkspaceSettings {
    Id workspace;
    Id by;
    std::optional<std::string> name;
    std::optional<bool> company_page_enabled;
};
struct InviteMember {
    Id workspace;
    Id by;
    Id member;  // a new pseudonym for the invitee
    WorkspaceRole role;
};
struct ChangeMemberRole {
    Id workspace;
    Id by;
    Id member;
    WorkspaceRole role;
};
struct RemoveMember {
    Id workspace;
    Id by;
    Id member;
};
struct TransferOwnership {
    Id workspace;
    Id by;  // an owner, who becomes an admin
    Id to;  // a member, who becomes an owner
};
struct DeleteWorkspace {
    Id workspace;
    Id by;  // an owner
};
// An API token: the ledger records who made which token, named what; its secret lives only in the
// gateway's credential store (hashed), never here.
struct CreateApiToken {
    Id workspace;
    Id by;
    Id token;          // a new pseudonym for the token
    std::string name;  // 1..100 characters, for people
};
struct RevokeApiToken {
    Id workspace;
    Id by;
    Id token;
};
// A request for an audit-trail export, recorded before the export is made.
struct RequestAuditExport {
    Id workspace;
    Id by;
    Id request;                 // a new pseudonym for the request
    std::int64_t since_us = 0;  // the period asked for: recorded at or after
    std::int64_t until_us = 0;  // and before; 0: up to now
};
// A privacy request about a person this workspace knows (a registrant, a guest speaker, a member):
// recorded in the workspace's stream, then carried out by the command handler through the store
// (erasure: crypto-shredding; hold and release: legal holds). The handler resolves the person and
// the workspace they belong to from what the request names; a person of another workspace is
// unknown here.
enum class PrivacyRequestKind : std::uint8_t { kAccess, kErasure, kLegalHold, kReleaseHold };
struct RequestPrivacy {
    Id workspace;
    Id by;
    Id request;  // a new pseudonym for the request
    PrivacyRequestKind kind = PrivacyRequestKind::kAccess;
    Id subject;                           // the person (resolved by the handler)
    std::optional<Id> subject_workspace;  // where the handler found them; nullopt: nowhere
};
using WorkspaceCommand =
    std::variant<CreateWorkspace, ChangeWorkspaceSettings, InviteMember, ChangeMemberRole,
                 RemoveMember, TransferOwnership, DeleteWorkspace, CreateApiToken, RevokeApiToken,
                 RequestAuditExport, RequestPrivacy>;

// ---- events ----
struct WorkspaceCreated {
    Id workspace;
    std::string name;
    std::string slug;
    Id owner;
    std::int64_t at_us = 0;
};
struct WorkspaceSettingsChanged {
    Id by;
    std::optional<std::string> name;
    std::optional<bool> company_page_enabled;
    std::int64_t at_us = 0;
};
struct MemberInvited {
    Id by;
    Id member;
    WorkspaceRole role;
    std::int64_t at_us = 0;
};
struct MemberRoleChanged {
    Id by;
    Id member;
    WorkspaceRole from;
    WorkspaceRole to;
    std::int64_t at_us = 0;
};
struct MemberRemoved {
    Id by;
    Id member;
    std::int64_t at_us = 0;
};
struct WorkspaceDeleted {
    Id by;
    std::int64_t at_us = 0;
};
struct ApiTokenCreated {
    Id by;
    Id token;
    std::string name;
    std::int64_t at_us = 0;
};
struct ApiTokenRevoked {
    Id by;
    Id token;
    std::int64_t at_us = 0;
};
struct PrivacyRequested {
    Id by;
    Id request;
    PrivacyRequestKind kind = PrivacyRequestKind::kAccess;
    Id subject;
    std::int64_t at_us = 0;
};
struct AuditExportRequested {
    Id by;
    Id request;
    std::int64_t since_us = 0;
    std::int64_t until_us = 0;
    std::int64_t at_us = 0;
};
// ---- state ----
struct WorkspaceState {
    bool exists = false;
    Id id;
    std::string name;
    std::string slug;
    bool company_page_enabled = true;
    std::map<Id, WorkspaceRole> members;
    std::map<Id, std::string> api_tokens;  // live tokens and their names
    bool deleted = false;
    // Invariant: once it exists, at least one member is an owner.
};

// The whole state, written before a purge drops the entries it summarizes (never decided).
struct WorkspaceSnapshotted {
    WorkspaceState state;
    std::int64_t at_us = 0;
};
using WorkspaceEvent =
    std::variant<WorkspaceCreated, WorkspaceSettingsChanged, MemberInvited, MemberRoleChanged,
                 MemberRemoved, WorkspaceDeleted, ApiTokenCreated, ApiTokenRevoked,
                 AuditExportRequested, PrivacyRequested, WorkspaceSnapshotted>;

WorkspaceState evolve(WorkspaceState state, const WorkspaceEvent& event);
WorkspaceState fold(const std::vector<WorkspaceEvent>& events);
Result<std::vector<WorkspaceEvent>> decide(const WorkspaceState& state,
                                           const WorkspaceCommand& command, std::int64_t now_us);

}  // namespace auditorium::domain
