// Webinars and their sessions: given events, when a command, then events or a rejection.
#include "domain/webinar.hpp"

#include <catch2/catch.hpp>

#include "domain/rejection.hpp"
#include "tests/domain/given_when_then.hpp"
#include "tests/support/domain_builders.hpp"
#include "tests/support/status.hpp"

using namespace auditorium;
using namespace auditorium::domain;
using testing::kHour;
using testing::kNow;
using testing::then_rejected;
using R = WorkspaceRole;
using S = SessionStatus;

namespace {

Id id(std::uint8_t n) { return testing::test_id(n); }

const Id kWs = id(1);
const Id kOtherWs = id(2);
const Id kWebinar = id(3);
const Id kSession = id(4);
const Id kOwnerMember = id(10);  // the workspace owner
const Id kAdminMember = id(11);
const Id kAuthor = id(12);     // a member who created the webinar
const Id kColleague = id(13);  // another member
const Id kCompliance = id(14);

Actor as(const Id& member, R role, const Id& ws = kWs) { return Actor{ws, member, role}; }

bool tzdata(std::string_view zone) {
    return zone == "Europe/Paris" || zone == "America/New_York" || zone == "UTC";
}

WebinarSettings settings() {
    WebinarSettings s;
    s.title = "Quarterly review";
    s.slug = "quarterly-review";
    s.fields = {{"company", "Company", RegistrationField::Kind::kText, {}, true},
                {"size",
                 "Team size",
                 RegistrationField::Kind::kSingleChoice,
                 {"1-10", "11-100", "100+"},
                 false}};
    return s;
}

WebinarState webinar(bool published = true) {
    return testing::webinar_state(kWebinar, kWs, kAuthor, settings(), published);
}

SessionState session(S status = S::kUpcoming) {
    return testing::session_state(
        SessionScheduled{kSession, kWebinar, kWs, kAuthor, kNow + 24 * kHour, "Europe/Paris", 60,
                         kAuthor, 3},
        status);
}

Result<std::vector<SessionEvent>> when(const SessionState& s, const SessionCommand& c,
                                       std::int64_t now = kNow, const WebinarState& w = webinar()) {
    return decide(s, w, c, now, tzdata);
}

SessionStatus status_after(const Result<std::vector<SessionEvent>>& r) {
    REQUIRE_OK(r);
    REQUIRE(r->size() == 1);
    return std::get<SessionStatusChanged>(r->front()).to;
}

}  // namespace

TEST_CASE(
    "members create webinars they then own, the compliance officer creates none, settings are "
    "checked") {
    auto created =
        decide(WebinarState{}, CreateWebinar{as(kAuthor, R::kMember), kWebinar, settings()}, kNow);
    REQUIRE_OK(created);
    const auto& e = std::get<WebinarCreated>(created->front());
    CHECK(e.owner == kAuthor);
    CHECK(e.workspace == kWs);
    then_rejected(
        decide(WebinarState{}, CreateWebinar{as(kCompliance, R::kCompliance), kWebinar, settings()},
               kNow),
        StatusCode::kPermissionDenied, "access");
    then_rejected(
        decide(webinar(), CreateWebinar{as(kAuthor, R::kMember), kWebinar, settings()}, kNow),
        StatusCode::kFailedPrecondition, "webinar_exists");

    const auto rejected_with = [](auto change, const std::string& field) {
        WebinarSettings s = settings();
        change(s);
        then_rejected(
            decide(WebinarState{}, CreateWebinar{as(kAuthor, R::kMember), kWebinar, s}, kNow),
            StatusCode::kInvalidArgument, field);
    };
    rejected_with([](WebinarSettings& s) { s.title = ""; }, "title");
    rejected_with([](WebinarSettings& s) { s.slug = "Quarterly Review"; }, "slug");
    rejected_with([](WebinarSettings& s) { s.language = "english"; }, "language");
    rejected_with([](WebinarSettings& s) { s.description = std::string(20'001, 'x'); },
                  "description");
    rejected_with([](WebinarSettings& s) { s.fields[0].key = "email"; }, "fields[0].key");
    rejected_with([](WebinarSettings& s) { s.fields[1].key = "company"; }, "fields[1].key");
    rejected_with([](WebinarSettings& s) { s.fields[1].options = {"only one"}; },
                  "fields[1].options");
    rejected_with(
        [](WebinarSettings& s) {
            s.fields[1].options = {"a", "a"};
        },
        "fields[1].options");
    rejected_with(
        [](WebinarSettings& s) {
            s.fields[0].options = {"a", "b"};
        },
        "fields[0].options");
    rejected_with([](WebinarSettings& s) { s.fields[0].label = ""; }, "fields[0].label");
}

TEST_CASE("a webinar is managed by its team, owners and admins, other members only read it") {
    WebinarSettings changed = settings();
    changed.title = "Quarterly review, Q3";
    for (const auto& [actor, allowed] :
         std::vector<std::pair<Actor, bool>>{{as(kAuthor, R::kMember), true},
                                             {as(kOwnerMember, R::kOwner), true},
                                             {as(kAdminMember, R::kAdmin), true},
                                             {as(kColleague, R::kMember), false},
                                             {as(kCompliance, R::kCompliance), false}}) {
        INFO(name_of(actor.role));
        auto r = decide(webinar(), EditWebinar{actor, kWebinar, changed}, kNow);
        if (allowed) {
            CHECK(r.is_ok());
        } else {
            then_rejected(r, StatusCode::kPermissionDenied, "access");
        }
    }
    // Once assigned, the colleague manages it too.
    WebinarState w = evolve(webinar(), ModeratorAssigned{kAuthor, kColleague, 5});
    CHECK(decide(w, EditWebinar{as(kColleague, R::kMember), kWebinar, changed}, kNow).is_ok());
    then_rejected(
        decide(webinar(), EditWebinar{as(kAuthor, R::kMember), kWebinar, settings()}, kNow),
        StatusCode::kFailedPrecondition, "nothing_changed");
}

TEST_CASE("assigning moderators: members of the workspace only, never the compliance officer") {
    auto ok =
        decide(webinar(),
               AssignModerator{as(kAuthor, R::kMember), kWebinar, kColleague, R::kMember}, kNow);
    REQUIRE(ok.is_ok());
    CHECK(std::get<ModeratorAssigned>(ok->front()).member == kColleague);
    then_rejected(
        decide(webinar(), AssignModerator{as(kAuthor, R::kMember), kWebinar, id(90), std::nullopt},
               kNow),
        StatusCode::kNotFound, "member");
    then_rejected(
        decide(webinar(),
               AssignModerator{as(kAuthor, R::kMember), kWebinar, kCompliance, R::kCompliance},
               kNow),
        StatusCode::kFailedPrecondition, "compliance_manages_no_events");
    then_rejected(
        decide(webinar(), AssignModerator{as(kAuthor, R::kMember), kWebinar, kAuthor, R::kMember},
               kNow),
        StatusCode::kFailedPrecondition, "already_assigned");
}

TEST_CASE(
    "a webinar with registrants in live sessions is not deleted, another workspace never sees it") {
    then_rejected(decide(webinar(), DeleteWebinar{as(kAdminMember, R::kAdmin), kWebinar, 2}, kNow),
                  StatusCode::kFailedPrecondition, "sessions_have_registrants");
    auto deleted = decide(webinar(), DeleteWebinar{as(kAdminMember, R::kAdmin), kWebinar, 0}, kNow);
    REQUIRE(deleted.is_ok());
    const WebinarState gone = evolve(webinar(), deleted->front());
    then_rejected(decide(gone, PublishWebinar{as(kAuthor, R::kMember), kWebinar}, kNow),
                  StatusCode::kNotFound, "webinar");
    then_rejected(decide(webinar(), DeleteWebinar{as(kColleague, R::kMember), kWebinar, 0}, kNow),
                  StatusCode::kPermissionDenied, "access");
    // The owner of another workspace: the webinar does not exist for them.
    then_rejected(
        decide(webinar(), EditWebinar{as(id(20), R::kOwner, kOtherWs), kWebinar, settings()}, kNow),
        StatusCode::kNotFound, "webinar");
    then_rejected(when(session(), CancelSession{as(id(20), R::kOwner, kOtherWs), kSession}),
                  StatusCode::kNotFound, "session");
}

TEST_CASE(
    "scheduling a session checks its time zone against tzdata, its duration, start and host") {
    const auto schedule = [](std::string zone, std::int32_t minutes, std::int64_t starts, Id host) {
        return when(SessionState{}, ScheduleSession{as(kAuthor, R::kMember), kSession, starts, zone,
                                                    minutes, host, kWebinar});
    };
    auto ok = schedule("America/New_York", 90, kNow + kHour, Id());
    REQUIRE_OK(ok);
    const auto& e = std::get<SessionScheduled>(ok->front());
    CHECK(e.host == kAuthor);  // the webinar's owner when none is named
    CHECK(e.time_zone == "America/New_York");
    CHECK(evolve({}, e).status == S::kDraft);
    then_rejected(schedule("Mars/Olympus_Mons", 90, kNow + kHour, Id()),
                  StatusCode::kInvalidArgument, "time_zone");
    then_rejected(schedule("", 90, kNow + kHour, Id()), StatusCode::kInvalidArgument, "time_zone");
    then_rejected(schedule("UTC", 0, kNow + kHour, Id()), StatusCode::kInvalidArgument,
                  "duration_minutes");
    then_rejected(schedule("UTC", 1441, kNow + kHour, Id()), StatusCode::kInvalidArgument,
                  "duration_minutes");
    then_rejected(schedule("UTC", 60, kNow - 1, Id()), StatusCode::kInvalidArgument, "starts_at");
    then_rejected(schedule("UTC", 60, kNow + kHour, kColleague), StatusCode::kInvalidArgument,
                  "host");
    then_rejected(when(session(), ScheduleSession{as(kAuthor, R::kMember), kSession, kNow + kHour,
                                                  "UTC", 60, Id(), kWebinar}),
                  StatusCode::kFailedPrecondition, "session_exists");
    // A session of another webinar than the one given.
    then_rejected(when(SessionState{}, ScheduleSession{as(kAuthor, R::kMember), kSession,
                                                       kNow + kHour, "UTC", 60, Id(), id(98)}),
                  StatusCode::kNotFound, "webinar");
}

TEST_CASE("a session opens once its webinar is published, only its host starts and ends it") {
    CHECK(status_after(when(session(S::kDraft), OpenSession{as(kAuthor, R::kMember), kSession})) ==
          S::kUpcoming);
    then_rejected(when(session(S::kDraft), OpenSession{as(kAuthor, R::kMember), kSession}, kNow,
                       webinar(false)),
                  StatusCode::kFailedPrecondition, "webinar_not_published");
    then_rejected(when(session(S::kUpcoming), OpenSession{as(kAuthor, R::kMember), kSession}),
                  StatusCode::kFailedPrecondition, "session_not_draft");

    CHECK(status_after(when(session(S::kUpcoming),
                            StartSession{as(kAuthor, R::kMember), kSession})) == S::kLive);
    // Owners and admins manage the webinar but are not its host.
    then_rejected(when(session(S::kUpcoming), StartSession{as(kOwnerMember, R::kOwner), kSession}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(session(S::kDraft), StartSession{as(kAuthor, R::kMember), kSession}),
                  StatusCode::kFailedPrecondition, "session_not_upcoming");
    CHECK(status_after(when(session(S::kLive), EndSession{as(kAuthor, R::kMember), kSession})) ==
          S::kPast);
    then_rejected(when(session(S::kLive), EndSession{as(kColleague, R::kMember), kSession}),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(when(session(S::kUpcoming), EndSession{as(kAuthor, R::kMember), kSession}),
                  StatusCode::kFailedPrecondition, "session_not_live");
}

TEST_CASE("canceling: draft and upcoming sessions only") {
    CHECK(status_after(when(session(S::kUpcoming),
                            CancelSession{as(kAdminMember, R::kAdmin), kSession})) == S::kCanceled);
    CHECK(status_after(when(session(S::kDraft),
                            CancelSession{as(kAuthor, R::kMember), kSession})) == S::kCanceled);
    for (const S s : {S::kLive, S::kPast, S::kCanceled, S::kPastNotStarted}) {
        INFO(name_of(s));
        then_rejected(when(session(s), CancelSession{as(kAuthor, R::kMember), kSession}),
                      StatusCode::kFailedPrecondition, "session_not_cancelable");
    }
    then_rejected(when(session(S::kUpcoming), CancelSession{as(kColleague, R::kMember), kSession}),
                  StatusCode::kPermissionDenied, "access");
}

TEST_CASE(
    "an upcoming session not started an hour after its estimated end becomes past_not_started") {
    const SessionState s = session(S::kUpcoming);
    const std::int64_t end = s.starts_at_us + 60 * 60'000'000LL;
    then_rejected(when(s, MarkSessionNotStarted{kSession}, end + kHour - 1),
                  StatusCode::kFailedPrecondition, "session_not_overdue");
    auto r = when(s, MarkSessionNotStarted{kSession}, end + kHour);
    CHECK(status_after(r) == S::kPastNotStarted);
    CHECK(std::get<SessionStatusChanged>(r->front()).by.is_none());  // the scheduler, nobody
    then_rejected(when(session(S::kLive), MarkSessionNotStarted{kSession}, end + 2 * kHour),
                  StatusCode::kFailedPrecondition, "session_not_overdue");
}

TEST_CASE("guest speakers are invited by e-mail by the webinar's managers, and revoked") {
    const Id guest = id(60);
    auto invited = decide(webinar(),
                          InviteGuestSpeaker{as(kAuthor, R::kMember), kWebinar, guest,
                                             "grace@example.org", "Grace", "Hopper"},
                          kNow);
    REQUIRE_OK(invited);
    const auto& e = std::get<GuestSpeakerInvited>(invited->front());
    CHECK(e.guest == guest);
    CHECK(e.email == "grace@example.org");
    const WebinarState with_guest = evolve(webinar(), e);
    CHECK(with_guest.guests.count(guest) == 1);
    then_rejected(decide(with_guest,
                         InviteGuestSpeaker{as(kAuthor, R::kMember), kWebinar, guest,
                                            "grace@example.org", "Grace", "Hopper"},
                         kNow),
                  StatusCode::kFailedPrecondition, "already_guest");
    then_rejected(decide(webinar(),
                         InviteGuestSpeaker{as(kColleague, R::kMember), kWebinar, guest,
                                            "grace@example.org", "Grace", "Hopper"},
                         kNow),
                  StatusCode::kPermissionDenied, "access");
    then_rejected(decide(webinar(),
                         InviteGuestSpeaker{as(kAuthor, R::kMember), kWebinar, guest,
                                            "grace.example.org", "Grace", "Hopper"},
                         kNow),
                  StatusCode::kInvalidArgument, "email");
    then_rejected(decide(webinar(),
                         InviteGuestSpeaker{as(kAuthor, R::kMember), kWebinar, guest,
                                            "grace@example.org", "", "Hopper"},
                         kNow),
                  StatusCode::kInvalidArgument, "first_name");
    auto revoked =
        decide(with_guest, RevokeGuestSpeaker{as(kAuthor, R::kMember), kWebinar, guest}, kNow);
    REQUIRE(revoked.is_ok());
    CHECK(evolve(with_guest, revoked->front()).guests.empty());
    then_rejected(
        decide(webinar(), RevokeGuestSpeaker{as(kAuthor, R::kMember), kWebinar, guest}, kNow),
        StatusCode::kNotFound, "guest");
}

TEST_CASE("a session is deleted only while nobody registered to it, otherwise it is canceled") {
    then_rejected(when(session(S::kUpcoming), DeleteSession{as(kAuthor, R::kMember), kSession, 3}),
                  StatusCode::kFailedPrecondition, "session_has_registrants");
    then_rejected(when(session(S::kLive), DeleteSession{as(kAuthor, R::kMember), kSession, 0}),
                  StatusCode::kFailedPrecondition, "session_live");
    auto deleted = when(session(S::kUpcoming), DeleteSession{as(kAuthor, R::kMember), kSession, 0});
    REQUIRE_OK(deleted);
    const SessionState gone = evolve(session(S::kUpcoming), deleted->front());
    CHECK(gone.deleted);
    then_rejected(when(gone, StartSession{as(kAuthor, R::kMember), kSession}),
                  StatusCode::kNotFound, "session");
    then_rejected(
        when(session(S::kUpcoming), DeleteSession{as(kColleague, R::kMember), kSession, 0}),
        StatusCode::kPermissionDenied, "access");
}

TEST_CASE("a past session with its replay on goes on demand, and takes registrations again") {
    CHECK(status_after(when(session(S::kPast), MakeSessionOnDemand{as(kAuthor, R::kMember),
                                                                   kSession})) == S::kOnDemand);
    then_rejected(when(session(S::kLive), MakeSessionOnDemand{as(kAuthor, R::kMember), kSession}),
                  StatusCode::kFailedPrecondition, "session_not_past");
    WebinarState no_replay = webinar();
    WebinarSettings off = no_replay.settings;
    off.replay_enabled = false;
    no_replay = evolve(std::move(no_replay), WebinarEdited{kAuthor, off, 9});
    then_rejected(when(session(S::kPast), MakeSessionOnDemand{as(kAuthor, R::kMember), kSession},
                       kNow, no_replay),
                  StatusCode::kFailedPrecondition, "replay_off");
    then_rejected(
        when(session(S::kPast), MakeSessionOnDemand{as(kColleague, R::kMember), kSession}),
        StatusCode::kPermissionDenied, "access");
}
