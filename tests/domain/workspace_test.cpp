// The workspace aggregate: given events, when a command, then events or a rejection.
#include "domain/workspace.hpp"

#include <catch2/catch.hpp>

#include <random>

#include "domain/rejection.hpp"
#include "tests/domain/given_when_then.hpp"
#include "tests/support/domain_builders.hpp"
#include "tests/support/status.hpp"

using namespace auditorium;
using namespace auditorium::domain;
using testing::kNow;
using testing::then_rejected;
using R = WorkspaceRole;

namespace {

Id id(std::uint8_t n) { return testing::test_id(n); }

const Id kWs = id(1);
const Id kOwner = id(10);
const Id kAdmin = id(11);
const Id kMember = id(12);
const Id kCompliance = id(13);

std::vector<WorkspaceEvent> a_team() {
    return {WorkspaceCreated{kWs, "Acme", "acme", kOwner, 1},
            MemberInvited{kOwner, kAdmin, R::kAdmin, 2},
            MemberInvited{kOwner, kMember, R::kMember, 3},
            MemberInvited{kOwner, kCompliance, R::kCompliance, 4}};
}

Result<std::vector<WorkspaceEvent>> when(const std::vector<WorkspaceEvent>& given,
                                         const WorkspaceCommand& c) {
    return decide(fold(given), c, kNow);
}

// By value: the result is usually a temporary.
template <class E>
E only(const Result<std::vector<WorkspaceEvent>>& r) {
    REQUIRE_OK(r);
    REQUIRE(r->size() == 1);
    REQUIRE(std::holds_alternative<E>(r->front()));
    return std::get<E>(r->front());
}

}  // namespace

TEST_CASE("creating a workspace makes its creator the owner, names and slugs are checked") {
    const auto created =
        only<WorkspaceCreated>(when({}, CreateWorkspace{kWs, "Acme", "acme-events", kOwner}));
    CHECK(created.workspace == kWs);
    CHECK(created.owner == kOwner);
    CHECK(created.at_us == kNow);
    CHECK(fold({created}).members.at(kOwner) == R::kOwner);

    then_rejected(when(a_team(), CreateWorkspace{kWs, "Again", "again", kOwner}),
                  StatusCode::kFailedPrecondition, "workspace_exists");
    then_rejected(when({}, CreateWorkspace{kWs, "Acme", "Acme", kOwner}),
                  StatusCode::kInvalidArgument, "slug");
    then_rejected(when({}, CreateWorkspace{kWs, "Acme", "-acme", kOwner}),
                  StatusCode::kInvalidArgument, "slug");
    then_rejected(when({}, CreateWorkspace{kWs, "Acme", "", kOwner}), StatusCode::kInvalidArgument,
                  "slug");
    then_rejected(when({}, CreateWorkspace{kWs, "", "acme", kOwner}), StatusCode::kInvalidArgument,
                  "name");
    then_rejected(when({}, CreateWorkspace{kWs, std::string(101, 'a'), "acme", kOwner}),
                  StatusCode::kInvalidArgument, "name");
    then_rejected(when({}, CreateWorkspace{kWs, "Acme", "acme", Id()}),
                  StatusCode::kInvalidArgument, "owner");
    then_rejected(when({}, CreateWorkspace{Id(), "Acme", "acme", kOwner}),
                  StatusCode::kInvalidArgument, "workspace");
}

TEST_CASE("invitations follow the permission table") {
    const auto team = a_team();
    const Id newcomer = id(50);
    const auto invited =
        only<MemberInvited>(when(team, InviteMember{kWs, kOwner, newcomer, R::kOwner}));
    CHECK(invited.role == R::kOwner);
    CHECK(invited.by == kOwner);
    only<MemberInvited>(when(team, InviteMember{kWs, kAdmin, newcomer, R::kAdmin}));
    only<MemberInvited>(when(team, InviteMember{kWs, kMember, newcomer, R::kMember}));
    then_rejected(when(team, InviteMember{kWs, kAdmin, newcomer, R::kOwner}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, InviteMember{kWs, kAdmin, newcomer, R::kCompliance}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, InviteMember{kWs, kMember, newcomer, R::kAdmin}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, InviteMember{kWs, kCompliance, newcomer, R::kMember}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, InviteMember{kWs, kOwner, kMember, R::kMember}),
                  StatusCode::kFailedPrecondition, "already_member");
    then_rejected(when(team, InviteMember{kWs, kOwner, Id(), R::kMember}),
                  StatusCode::kInvalidArgument, "member");
    then_rejected(when(team, InviteMember{kWs, id(99), newcomer, R::kMember}),
                  StatusCode::kPermissionDenied, "access");
}

TEST_CASE("role changes follow the table, and the last owner stays an owner") {
    const auto team = a_team();
    const auto promoted =
        only<MemberRoleChanged>(when(team, ChangeMemberRole{kWs, kAdmin, kMember, R::kAdmin}));
    CHECK(promoted.from == R::kMember);
    CHECK(promoted.to == R::kAdmin);
    then_rejected(when(team, ChangeMemberRole{kWs, kAdmin, kMember, R::kOwner}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, ChangeMemberRole{kWs, kAdmin, kOwner, R::kAdmin}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, ChangeMemberRole{kWs, kMember, kAdmin, R::kMember}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, ChangeMemberRole{kWs, kOwner, kOwner, R::kAdmin}),
                  StatusCode::kFailedPrecondition, "workspace_keeps_an_owner");
    then_rejected(when(team, ChangeMemberRole{kWs, kOwner, kMember, R::kMember}),
                  StatusCode::kFailedPrecondition, "role_unchanged");
    then_rejected(when(team, ChangeMemberRole{kWs, kOwner, id(77), R::kMember}),
                  StatusCode::kNotFound, "member");

    // With a second owner, one owner may step down.
    auto two_owners = team;
    two_owners.push_back(MemberRoleChanged{kOwner, kAdmin, R::kAdmin, R::kOwner, 5});
    only<MemberRoleChanged>(when(two_owners, ChangeMemberRole{kWs, kOwner, kOwner, R::kAdmin}));
}

TEST_CASE("only owners remove members, and never the last owner") {
    const auto team = a_team();
    const auto removed = only<MemberRemoved>(when(team, RemoveMember{kWs, kOwner, kAdmin}));
    CHECK(removed.member == kAdmin);
    CHECK(fold([&] {
              auto t = team;
              t.push_back(removed);
              return t;
          }())
              .members.count(kAdmin) == 0);
    then_rejected(when(team, RemoveMember{kWs, kAdmin, kMember}), StatusCode::kPermissionDenied,
                  "access");
    then_rejected(when(team, RemoveMember{kWs, kOwner, kOwner}), StatusCode::kFailedPrecondition,
                  "workspace_keeps_an_owner");
    then_rejected(when(team, RemoveMember{kWs, kOwner, id(77)}), StatusCode::kNotFound, "member");
}

TEST_CASE("transferring ownership makes the member the owner and the former owner an admin") {
    const auto team = a_team();
    auto r = when(team, TransferOwnership{kWs, kOwner, kMember});
    REQUIRE_OK(r);
    REQUIRE(r->size() == 2);
    auto after = team;
    after.insert(after.end(), r->begin(), r->end());
    const WorkspaceState s = fold(after);
    CHECK(s.members.at(kMember) == R::kOwner);
    CHECK(s.members.at(kOwner) == R::kAdmin);
    // The new owner comes first: no prefix of the events leaves the workspace without an owner.
    CHECK(std::get<MemberRoleChanged>(r->front()).member == kMember);
    then_rejected(when(team, TransferOwnership{kWs, kAdmin, kMember}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, TransferOwnership{kWs, kOwner, id(77)}), StatusCode::kNotFound,
                  "member");
    then_rejected(when(team, TransferOwnership{kWs, kOwner, kOwner}), StatusCode::kInvalidArgument,
                  "to");
}

TEST_CASE("settings: owners and admins change them, the compliance officer only reads") {
    const auto team = a_team();
    const auto changed = only<WorkspaceSettingsChanged>(
        when(team, ChangeWorkspaceSettings{kWs, kAdmin, "Acme Inc", false}));
    auto after = team;
    after.push_back(changed);
    CHECK(fold(after).name == "Acme Inc");
    CHECK_FALSE(fold(after).company_page_enabled);
    then_rejected(when(team, ChangeWorkspaceSettings{kWs, kMember, "X", std::nullopt}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, ChangeWorkspaceSettings{kWs, kCompliance, std::nullopt, true}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, ChangeWorkspaceSettings{kWs, kOwner, std::nullopt, std::nullopt}),
                  StatusCode::kInvalidArgument, "settings");
    then_rejected(when(team, ChangeWorkspaceSettings{kWs, kOwner, "", std::nullopt}),
                  StatusCode::kInvalidArgument, "name");
}

TEST_CASE("nothing crosses workspaces: another workspace's id or members are unknown here") {
    const auto team = a_team();
    const Id other_ws = id(2);
    const Id other_owner = id(20);
    // A command for another workspace, decided on this one's state, names nothing.
    then_rejected(when(team, InviteMember{other_ws, kOwner, id(51), R::kMember}),
                  StatusCode::kNotFound, "workspace");
    then_rejected(when(team, RemoveMember{other_ws, kOwner, kMember}), StatusCode::kNotFound,
                  "workspace");
    // The owner of another workspace is nobody here, and cannot be acted on.
    then_rejected(when(team, ChangeMemberRole{kWs, other_owner, kMember, R::kAdmin}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, RemoveMember{kWs, kOwner, other_owner}), StatusCode::kNotFound,
                  "member");
}

TEST_CASE("no sequence of accepted commands leaves a workspace without an owner") {
    std::mt19937 rng(2026);
    std::vector<WorkspaceEvent> history = {WorkspaceCreated{kWs, "Acme", "acme", kOwner, 1}};
    std::vector<Id> people;
    for (std::uint8_t n = 10; n < 20; ++n) people.push_back(id(n));
    const R roles[] = {R::kOwner, R::kAdmin, R::kMember, R::kCompliance};
    int accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        const Id by = people[rng() % people.size()];
        const Id who = people[rng() % people.size()];
        const R role = roles[rng() % 4];
        WorkspaceCommand c;
        switch (rng() % 4) {
            case 0: c = InviteMember{kWs, by, who, role}; break;
            case 1: c = ChangeMemberRole{kWs, by, who, role}; break;
            case 2: c = RemoveMember{kWs, by, who}; break;
            default: c = TransferOwnership{kWs, by, who}; break;
        }
        auto r = when(history, c);
        if (!r) {
            REQUIRE(rejection_of(r.status()) != nullptr);  // every refusal is a typed rejection
            continue;
        }
        ++accepted;
        for (const auto& e : *r) {
            history.push_back(e);
            const WorkspaceState s = fold(history);
            REQUIRE(std::count_if(s.members.begin(), s.members.end(),
                                  [](const auto& m) { return m.second == R::kOwner; }) >= 1);
        }
    }
    CHECK(accepted > 100);
}

TEST_CASE("only an owner deletes the workspace, afterwards nothing in it can be acted on") {
    const auto team = a_team();
    then_rejected(when(team, DeleteWorkspace{kWs, kAdmin}), StatusCode::kPermissionDenied,
                  "access");
    const auto deleted = only<WorkspaceDeleted>(when(team, DeleteWorkspace{kWs, kOwner}));
    auto after = team;
    after.push_back(deleted);
    then_rejected(when(after, InviteMember{kWs, kOwner, id(51), R::kMember}), StatusCode::kNotFound,
                  "workspace");
    then_rejected(when(after, DeleteWorkspace{kWs, kOwner}), StatusCode::kNotFound, "workspace");
}

TEST_CASE(
    "API tokens: owners and admins make and revoke them, by name, the secret is never in an "
    "event") {
    const auto team = a_team();
    const Id token = id(70);
    const auto made =
        only<ApiTokenCreated>(when(team, CreateApiToken{kWs, kAdmin, token, "CRM sync"}));
    CHECK(made.name == "CRM sync");
    auto after = team;
    after.push_back(made);
    CHECK(fold(after).api_tokens.at(token) == "CRM sync");
    then_rejected(when(after, CreateApiToken{kWs, kOwner, token, "again"}),
                  StatusCode::kFailedPrecondition, "token_exists");
    then_rejected(when(team, CreateApiToken{kWs, kMember, id(71), "mine"}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, CreateApiToken{kWs, kCompliance, id(71), "mine"}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, CreateApiToken{kWs, kOwner, id(71), ""}), StatusCode::kInvalidArgument,
                  "name");
    const auto revoked = only<ApiTokenRevoked>(when(after, RevokeApiToken{kWs, kOwner, token}));
    after.push_back(revoked);
    CHECK(fold(after).api_tokens.empty());
    then_rejected(when(after, RevokeApiToken{kWs, kOwner, token}), StatusCode::kNotFound, "token");
}

TEST_CASE(
    "audit-trail exports are requested, and recorded, by owners and compliance officers only") {
    const auto team = a_team();
    const auto asked = only<AuditExportRequested>(
        when(team, RequestAuditExport{kWs, kCompliance, id(80), kNow - 1'000'000, kNow - 1}));
    CHECK(asked.by == kCompliance);
    CHECK(asked.since_us == kNow - 1'000'000);
    only<AuditExportRequested>(when(team, RequestAuditExport{kWs, kOwner, id(81), 0, 0}));
    then_rejected(when(team, RequestAuditExport{kWs, kAdmin, id(82), 0, 0}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, RequestAuditExport{kWs, kMember, id(82), 0, 0}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, RequestAuditExport{kWs, kOwner, id(82), 10, 5}),
                  StatusCode::kInvalidArgument, "until");
    then_rejected(when(team, RequestAuditExport{kWs, kOwner, id(82), 0, kNow + 1}),
                  StatusCode::kInvalidArgument, "until");
    then_rejected(when(team, RequestAuditExport{kWs, kOwner, Id(), 0, 0}),
                  StatusCode::kInvalidArgument, "request");
}

TEST_CASE(
    "privacy requests: owners and compliance officers, about a person of this workspace only") {
    const auto team = a_team();
    const Id person = id(90);
    const auto ok = only<PrivacyRequested>(when(
        team, RequestPrivacy{kWs, kCompliance, id(91), PrivacyRequestKind::kErasure, person, kWs}));
    CHECK(ok.subject == person);
    CHECK(ok.kind == PrivacyRequestKind::kErasure);
    only<PrivacyRequested>(when(
        team, RequestPrivacy{kWs, kOwner, id(91), PrivacyRequestKind::kLegalHold, person, kWs}));
    then_rejected(
        when(team, RequestPrivacy{kWs, kAdmin, id(91), PrivacyRequestKind::kErasure, person, kWs}),
        StatusCode::kPermissionDenied, "access");
    then_rejected(
        when(team, RequestPrivacy{kWs, kMember, id(91), PrivacyRequestKind::kAccess, person, kWs}),
        StatusCode::kPermissionDenied, "access");
    then_rejected(when(team, RequestPrivacy{kWs, kOwner, id(91), PrivacyRequestKind::kErasure,
                                            person, id(2)}),
                  StatusCode::kNotFound, "subject");
    then_rejected(when(team, RequestPrivacy{kWs, kOwner, id(91), PrivacyRequestKind::kErasure,
                                            person, std::nullopt}),
                  StatusCode::kNotFound, "subject");
    then_rejected(
        when(team, RequestPrivacy{kWs, kOwner, Id(), PrivacyRequestKind::kErasure, person, kWs}),
        StatusCode::kInvalidArgument, "request");
}
