// The access tables, cell by cell, against the product brief's tables transcribed as text.
#include "domain/access_policy.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <string>

using namespace auditorium::domain;

namespace {

// | action | owner | admin | member | compliance |, as the brief writes it.
const std::array<std::array<std::string, 4>, 10> kBriefWorkspaceTable = {{
    {"yes", "yes", "yes", "yes, read-only"},  // open the dashboard, see the workspace's events
    {"yes", "yes", "yes", "no"},  // create events; edit ... the events they own or are assigned to
    {"yes", "yes", "no", "no"},   // edit or delete any event of the workspace
    {"yes", "yes", "no", "no"},   // workspace settings, company page on/off
    {"yes", "yes, not owners", "yes, members only", "no"},  // invite members
    {"yes", "yes, up to admin", "no", "no"},                // change roles
    {"yes", "no", "no", "no"},   // remove members, delete the workspace, transfer ownership
    {"yes", "yes", "no", "no"},  // API tokens
    {"yes", "no", "no", "yes"},  // read the audit trail, exports, proofs
    {"yes", "no", "no", "yes"},  // privacy requests (access, erasure), legal hold
}};

// | session status | host / moderator / assigned team | owner, admin | guest speaker | registrant |
// anyone else | Rows: draft, upcoming, live, past with replay on, past with replay off,
// past_not_started, canceled, on_demand.
struct BriefRoomRow {
    SessionStatus status;
    bool replay;
    std::array<std::string, 5> cells;
};
const BriefRoomRow kBriefRoomTable[] = {
    {SessionStatus::kDraft, true, {"no room", "no room", "no", "no", "no"}},
    {SessionStatus::kUpcoming,
     true,
     {"enter, publish", "enter", "enter, publish", "wait outside", "no"}},
    {SessionStatus::kLive,
     true,
     {"enter, publish", "enter", "enter, publish",
      "enter, watch; publish only when invited on stage", "no"}},
    {SessionStatus::kPast,
     true,
     {"watch replay", "watch replay", "watch replay", "watch replay", "no"}},
    {SessionStatus::kPast, false, {"watch replay", "watch replay", "no", "no", "no"}},
    {SessionStatus::kPastNotStarted, true, {"no", "no", "no", "no (told so)", "no"}},
    {SessionStatus::kCanceled, true, {"no", "no", "no", "no (told so)", "no"}},
    {SessionStatus::kOnDemand, true, {"watch", "watch", "watch", "watch", "no"}},
};

// The brief's wording for a cell of the room table.
std::string describe(const RoomAccess& a) {
    using E = RoomAccess::Entry;
    switch (a.entry) {
        case E::kNone: return "no";
        case E::kToldClosed: return "no (told so)";
        case E::kWaitOutside: return "wait outside";
        case E::kWatchReplay: return "watch replay";
        case E::kWatch: return "watch";
        case E::kEnter:
            if (a.publish) return "enter, publish";
            if (a.publish_when_invited) return "enter, watch; publish only when invited on stage";
            return "enter";
    }
    return "?";
}

}  // namespace

TEST_CASE("every cell of the workspace permission table is as the brief says") {
    for (std::size_t a = 0; a < std::size(kWorkspaceActions); ++a) {
        for (std::size_t r = 0; r < std::size(kWorkspaceRoles); ++r) {
            INFO(name_of(kWorkspaceActions[a]) << " / " << name_of(kWorkspaceRoles[r]));
            CHECK(std::string(name_of(workspace_grant(kWorkspaceRoles[r], kWorkspaceActions[a]))) ==
                  kBriefWorkspaceTable[a][r]);
        }
    }
}

TEST_CASE("every cell of the room table is as the brief says, for every status and audience") {
    for (const auto& row : kBriefRoomTable) {
        for (std::size_t c = 0; c < std::size(kRoomAudiences); ++c) {
            INFO(name_of(row.status) << (row.replay ? " (replay on)" : " (replay off)") << " / "
                                     << name_of(kRoomAudiences[c]));
            const std::string expected = row.cells[c] == "no room" ? "no" : row.cells[c];
            CHECK(describe(room_access(row.status, row.replay, kRoomAudiences[c])) == expected);
        }
    }
    // Replay on or off matters only once the session is past.
    for (const SessionStatus s : kSessionStatuses) {
        if (s == SessionStatus::kPast) continue;
        for (const RoomAudience a : kRoomAudiences) {
            INFO(name_of(s) << " / " << name_of(a));
            CHECK(room_access(s, true, a) == room_access(s, false, a));
        }
    }
}

TEST_CASE("a read-only grant allows reading and refuses every change") {
    CHECK(may(WorkspaceRole::kCompliance, WorkspaceAction::kOpenDashboard, false));
    CHECK_FALSE(may(WorkspaceRole::kCompliance, WorkspaceAction::kOpenDashboard, true));
    CHECK(may(WorkspaceRole::kMember, WorkspaceAction::kOpenDashboard, true));
    CHECK_FALSE(may(WorkspaceRole::kCompliance, WorkspaceAction::kManageOwnEvents, false));
}

TEST_CASE(
    "limited grants: admins never hand out owner or compliance, members invite members only") {
    using R = WorkspaceRole;
    const auto invite = [](R by, R invitee) {
        return may(by, WorkspaceAction::kInviteMembers, true, invitee);
    };
    CHECK(invite(R::kOwner, R::kOwner));
    CHECK(invite(R::kOwner, R::kCompliance));
    CHECK(invite(R::kAdmin, R::kAdmin));
    CHECK(invite(R::kAdmin, R::kMember));
    CHECK_FALSE(invite(R::kAdmin, R::kOwner));
    // The compliance officer reads the audit trail and handles privacy requests, which an admin
    // may not: an admin cannot give those powers away.
    CHECK_FALSE(invite(R::kAdmin, R::kCompliance));
    CHECK(invite(R::kMember, R::kMember));
    CHECK_FALSE(invite(R::kMember, R::kAdmin));
    CHECK_FALSE(invite(R::kCompliance, R::kMember));
    CHECK_FALSE(may(R::kAdmin, WorkspaceAction::kInviteMembers, true));  // no invitee role: refused

    const auto change = [](R by, R from, R to) {
        return may(by, WorkspaceAction::kChangeRoles, true, from, to);
    };
    CHECK(change(R::kOwner, R::kAdmin, R::kOwner));
    CHECK(change(R::kAdmin, R::kMember, R::kAdmin));
    CHECK(change(R::kAdmin, R::kAdmin, R::kMember));
    CHECK_FALSE(change(R::kAdmin, R::kMember, R::kOwner));
    CHECK_FALSE(change(R::kAdmin, R::kOwner, R::kMember));
    CHECK_FALSE(change(R::kAdmin, R::kMember, R::kCompliance));
    CHECK_FALSE(change(R::kAdmin, R::kCompliance, R::kMember));
    CHECK_FALSE(change(R::kMember, R::kMember, R::kMember));
}

TEST_CASE(
    "the company page lists published public events, only those have a public registration page") {
    CHECK(company_page_is_public(true));
    CHECK_FALSE(company_page_is_public(false));
    for (const bool published : {false, true}) {
        for (const bool is_public : {false, true}) {
            for (const bool page : {false, true}) {
                const PublicEventView e{published, is_public, page};
                INFO(published << is_public << page);
                CHECK(listed_on_company_page(e) == (published && is_public));
                CHECK(registration_page_is_public(e) == (published && is_public && page));
            }
        }
    }
}
