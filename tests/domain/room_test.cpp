// Who comes into a session's room: the audience a visitor resolves to, and registrant credentials.
#include "domain/room.hpp"
#include "tests/domain/given_when_then.hpp"
#include "tests/support/domain_builders.hpp"

#include <catch2/catch.hpp>

using namespace auditorium;
using namespace auditorium::domain;
using R = WorkspaceRole;
using S = SessionStatus;
using E = RoomAccess::Entry;

namespace {

Id id(std::uint8_t n) { return testing::test_id(n); }

const Id kWs = id(1), kWebinar = id(2), kSession = id(3), kOwner = id(10), kAdmin = id(11),
         kModerator = id(12), kHost = id(13), kColleague = id(14), kGuest = id(20),
         kRegistration = id(30);

WebinarState webinar(bool replay = true) {
    WebinarSettings s = testing::launch_settings();
    s.replay_enabled = replay;
    WebinarState w = testing::webinar_state(kWebinar, kWs, kOwner, s);
    w = evolve(std::move(w), ModeratorAssigned{kOwner, kModerator, 3});
    w = evolve(std::move(w), ModeratorAssigned{kOwner, kHost, 3});
    w = evolve(std::move(w), GuestSpeakerInvited{kOwner, kGuest, "g@example.org", "G", "S", 4});
    return w;
}

SessionState session(S status) {
    return testing::session_state(
        SessionScheduled{kSession, kWebinar, kWs, kHost, 100, "UTC", 60, kOwner, 5}, status);
}

Visitor member(const Id& m, R role, const Id& ws = kWs) {
    return Visitor{Actor{ws, m, role}, std::nullopt, std::nullopt};
}
Visitor guest(const Id& g) { return Visitor{std::nullopt, g, std::nullopt}; }
Visitor registrant(bool canceled = false, const Id& to = kSession) {
    RegistrationState r;
    r.exists = true;
    r.id = kRegistration;
    r.session = to;
    r.canceled = canceled;
    return Visitor{std::nullopt, std::nullopt, r};
}

}  // namespace

TEST_CASE("a visitor resolves to the first audience that applies") {
    const auto w = webinar();
    const auto s = session(S::kLive);
    CHECK(audience_of(w, s, member(kOwner, R::kOwner)) ==
          RoomAudience::kEventTeam);  // the webinar's owner
    CHECK(audience_of(w, s, member(kModerator, R::kMember)) == RoomAudience::kEventTeam);
    CHECK(audience_of(w, s, member(kHost, R::kMember)) == RoomAudience::kEventTeam);
    CHECK(audience_of(w, s, member(kAdmin, R::kAdmin)) == RoomAudience::kOwnerOrAdmin);
    CHECK(audience_of(w, s, member(kColleague, R::kMember)) == RoomAudience::kAnyoneElse);
    CHECK(audience_of(w, s, member(kColleague, R::kCompliance)) == RoomAudience::kAnyoneElse);
    CHECK(audience_of(w, s, guest(kGuest)) == RoomAudience::kGuestSpeaker);
    CHECK(audience_of(w, s, guest(id(21))) == RoomAudience::kAnyoneElse);
    CHECK(audience_of(w, s, registrant()) == RoomAudience::kRegistrant);
    CHECK(audience_of(w, s, registrant(true)) == RoomAudience::kAnyoneElse);
    CHECK(audience_of(w, s, registrant(false, id(4))) == RoomAudience::kAnyoneElse);
    // An owner of another workspace is nobody here, even with the same member id.
    CHECK(audience_of(w, s, member(kOwner, R::kOwner, id(9))) == RoomAudience::kAnyoneElse);
    CHECK(audience_of(w, s, Visitor{}) == RoomAudience::kAnyoneElse);
}

TEST_CASE("admission follows the room table through the session's life") {
    CHECK(admission(webinar(), session(S::kUpcoming), registrant()).entry == E::kWaitOutside);
    const RoomAccess live = admission(webinar(), session(S::kLive), registrant());
    CHECK(live.entry == E::kEnter);
    CHECK_FALSE(live.publish);
    CHECK(live.publish_when_invited);
    CHECK(admission(webinar(), session(S::kLive), guest(kGuest)).publish);
    CHECK(admission(webinar(true), session(S::kPast), registrant()).entry == E::kWatchReplay);
    CHECK(admission(webinar(false), session(S::kPast), registrant()).entry == E::kNone);
    CHECK(admission(webinar(false), session(S::kPast), member(kAdmin, R::kAdmin)).entry ==
          E::kWatchReplay);
    CHECK(admission(webinar(), session(S::kCanceled), registrant()).entry == E::kToldClosed);
    CHECK(admission(webinar(), session(S::kDraft), member(kOwner, R::kOwner)).entry == E::kNone);
    // A session of another webinar, or a deleted one, admits nobody.
    SessionState elsewhere = session(S::kLive);
    elsewhere.webinar = id(5);
    CHECK(admission(webinar(), elsewhere, member(kOwner, R::kOwner)).entry == E::kNone);
    const SessionState deleted = evolve(session(S::kUpcoming), SessionDeleted{kOwner, 7});
    CHECK(admission(webinar(), deleted, registrant()).entry == E::kNone);
}

TEST_CASE("a registrant comes in by the unique link, or by e-mail plus access key") {
    Registered r;
    r.registration = kRegistration;
    r.email = "Ada@Example.org";
    r.link_token = std::string(64, 'e');
    r.access_key = "0427";
    CHECK(link_matches(r, std::string(64, 'e')));
    CHECK_FALSE(link_matches(r, std::string(63, 'e') + "f"));
    CHECK_FALSE(link_matches(r, ""));
    CHECK(email_and_key_match(r, " ada@example.ORG ", "0427"));
    CHECK_FALSE(email_and_key_match(r, "ada@example.org", "0428"));
    CHECK_FALSE(email_and_key_match(r, "eve@example.org", "0427"));
    CHECK_FALSE(email_and_key_match(r, "ada@example.org", "042"));
    // After the person's erasure, nothing matches any more.
    r.erased = true;
    CHECK_FALSE(link_matches(r, std::string(64, 'e')));
    CHECK_FALSE(email_and_key_match(r, "ada@example.org", "0427"));
}
