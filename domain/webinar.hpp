// The webinar aggregate (what the product calls an "event": a title, a registration page, sessions)
// and its session aggregate. One stream per webinar ("webinar-<id>") and one per session
// ("session-<id>"); people appear by pseudonym only.
//
// A command carries, besides its own fields, the facts its decision needs from elsewhere, resolved
// by the command handler from projections: the acting member and their workspace role (`Actor`),
// the workspace role of a member it names. decide() checks them against the access policy; it never
// looks anything up itself. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "domain/access_policy.hpp"

namespace auditorium::domain {

// Who acts: a member of `workspace` with `role` (resolved from the workspace's members).
struct Actor {
    Id workspace;
    Id member;
    WorkspaceRole role = WorkspaceRole::kMember;
};

// ---- webinars ----
struct RegistrationField {
    enum class Kind : std::uint8_t { kText, kSingleChoice, kMultipleChoice };
    std::string key;    // 1..40 of [a-z0-9_]; "email", "first_name", "last_name" are built in
    std::string label;  // 1..200 characters
    Kind kind = Kind::kText;
    std::vector<std::string> options;  // choices: 2..50 distinct, each 1..200 characters
    bool required = false;
    friend bool operator==(const RegistrationField&, const RegistrationField&) = default;
};

struct WebinarSettings {
    std::string title;            // 1..200 characters
    std::string slug;             // 1..80 of [a-z0-9-], not starting or ending with '-'
    std::string description;      // up to 20,000 characters
    std::string language = "en";  // a two-letter ISO 639-1 code
    bool is_public = true;
    bool registration_page_enabled = true;
    bool replay_enabled = true;
    std::vector<RegistrationField> fields;  // custom fields, after the built-in ones
    friend bool operator==(const WebinarSettings&, const WebinarSettings&) = default;
};

struct CreateWebinar {
    Actor actor;
    Id webinar;
    WebinarSettings settings;
};
struct EditWebinar {
    Actor actor;
    Id webinar;
    WebinarSettings settings;  // the whole new settings
};
struct PublishWebinar {
    Actor actor;
    Id webinar;
};
struct AssignModerator {
    Actor actor;
    Id webinar;
    Id member;
    std::optional<WorkspaceRole> member_role;  // nullopt: not a member of the actor's workspace
};
struct DeleteWebinar {
    Actor actor;
    Id webinar;
    std::uint64_t sessions_with_registrants = 0;  // not canceled and not over
};
// A guest speaker is external: invited by e-mail, known by a pseudonym of their own, their
// address and name sealed under that pseudonym's key.
struct InviteGuestSpeaker {
    Actor actor;
    Id webinar;
    Id guest;  // a new pseudonym for the guest
    std::string email;
    std::string first_name;
    std::string last_name;
};
struct RevokeGuestSpeaker {
    Actor actor;
    Id webinar;
    Id guest;
};
using WebinarCommand = std::variant<CreateWebinar, EditWebinar, PublishWebinar, AssignModerator,
                                    DeleteWebinar, InviteGuestSpeaker, RevokeGuestSpeaker>;

struct WebinarCreated {
    Id webinar;
    Id workspace;
    Id owner;
    WebinarSettings settings;
    std::int64_t at_us = 0;
};
struct WebinarEdited {
    Id by;
    WebinarSettings settings;
    std::int64_t at_us = 0;
};
struct WebinarPublished {
    Id by;
    std::int64_t at_us = 0;
};
struct ModeratorAssigned {
    Id by;
    Id member;
    std::int64_t at_us = 0;
};
struct WebinarDeleted {
    Id by;
    std::int64_t at_us = 0;
};
struct GuestSpeakerInvited {
    Id by;
    Id guest;
    std::string email;  // personal: sealed under the guest's key
    std::string first_name;
    std::string last_name;
    std::int64_t at_us = 0;
    bool erased = false;  // read back after the guest's erasure: the personal fields are empty
};
struct GuestSpeakerRevoked {
    Id by;
    Id guest;
    std::int64_t at_us = 0;
};
struct WebinarState {
    bool exists = false;
    bool deleted = false;
    bool published = false;
    Id id;
    Id workspace;
    Id owner;
    WebinarSettings settings;
    std::set<Id> moderators;  // assigned team members
    std::set<Id> guests;      // guest speakers, by pseudonym
    // Whether `member` owns the webinar or is assigned to it.
    bool is_team(const Id& member) const {
        return member == owner || moderators.count(member) != 0;
    }
};

// The whole state, written before a purge drops the entries it summarizes (never decided).
struct WebinarSnapshotted {
    WebinarState state;
    std::int64_t at_us = 0;
};
using WebinarEvent =
    std::variant<WebinarCreated, WebinarEdited, WebinarPublished, ModeratorAssigned, WebinarDeleted,
                 GuestSpeakerInvited, GuestSpeakerRevoked, WebinarSnapshotted>;

WebinarState evolve(WebinarState state, const WebinarEvent& event);
Result<std::vector<WebinarEvent>> decide(const WebinarState& state, const WebinarCommand& command,
                                         std::int64_t now_us);

// ---- sessions ----
// Whether a name is a time zone of the system's tzdata; the handler passes one that reads it.
using TimeZoneCheck = std::function<bool(std::string_view)>;

struct ScheduleSession {
    Actor actor;
    Id session;
    std::int64_t starts_at_us = 0;       // estimated start, UTC
    std::string time_zone;               // IANA name, shown to people
    std::int32_t duration_minutes = 60;  // 1..1440
    Id host;                             // a member of the team; the webinar's owner when none
    Id webinar;                          // the webinar the session belongs to
};
struct OpenSession {  // draft -> upcoming: registrations and the room open
    Actor actor;
    Id session;
};
struct StartSession {
    Actor actor;
    Id session;
};
struct EndSession {
    Actor actor;
    Id session;
};
struct CancelSession {
    Actor actor;
    Id session;
};
// A past session whose replay is on becomes on demand: watched at any time, registrations open
// again.
struct MakeSessionOnDemand {
    Actor actor;
    Id session;
};
// A session nobody registered to may be deleted; one with registrants is canceled, never deleted.
struct DeleteSession {
    Actor actor;
    Id session;
    std::uint64_t registrants = 0;  // resolved by the handler
};
struct MarkSessionNotStarted {  // time-driven: issued by the scheduler
    Id session;
};
using SessionCommand =
    std::variant<ScheduleSession, OpenSession, StartSession, EndSession, CancelSession,
                 MakeSessionOnDemand, DeleteSession, MarkSessionNotStarted>;

struct SessionScheduled {
    Id session;
    Id webinar;
    Id workspace;
    Id host;
    std::int64_t starts_at_us = 0;
    std::string time_zone;
    std::int32_t duration_minutes = 0;
    Id by;
    std::int64_t at_us = 0;
};
struct SessionDeleted {
    Id by;
    std::int64_t at_us = 0;
};
struct SessionStatusChanged {
    SessionStatus from;
    SessionStatus to;
    Id by;  // none for the scheduler
    std::int64_t at_us = 0;
};
struct SessionState {
    bool exists = false;
    Id id;
    Id webinar;
    Id workspace;
    Id host;
    std::int64_t starts_at_us = 0;
    std::string time_zone;
    std::int32_t duration_minutes = 0;
    SessionStatus status = SessionStatus::kDraft;
    bool deleted = false;
};

struct SessionSnapshotted {
    SessionState state;
    std::int64_t at_us = 0;
};
using SessionEvent =
    std::variant<SessionScheduled, SessionStatusChanged, SessionDeleted, SessionSnapshotted>;

// An upcoming session not started this long after its estimated end becomes past_not_started.
inline constexpr std::int64_t kNotStartedGraceUs = std::int64_t{3600} * 1'000'000;
// When `session`, if still upcoming then, may be marked past_not_started (MarkSessionNotStarted).
inline std::int64_t not_started_due_us(const SessionState& session) {
    return session.starts_at_us + std::int64_t{session.duration_minutes} * 60'000'000 +
           kNotStartedGraceUs;
}

SessionState evolve(SessionState state, const SessionEvent& event);
Result<std::vector<SessionEvent>> decide(const SessionState& state, const WebinarState& webinar,
                                         const SessionCommand& command, std::int64_t now_us,
                                         const TimeZoneCheck& zones);

}  // namespace auditorium::domain
