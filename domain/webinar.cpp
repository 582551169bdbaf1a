#include "domain/webinar.hpp"

#include <algorithm>

#include "domain/internal/checks.hpp"
#include "domain/rejection.hpp"

namespace auditorium::domain {

namespace {

using internal::Overloaded;
using WebinarEvents = std::vector<WebinarEvent>;
using SessionEvents = std::vector<SessionEvent>;

bool is_key_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

Status check_field(const RegistrationField& f, std::size_t index) {
    const std::string at = "fields[" + std::to_string(index) + "]";
    if (f.key.empty() || f.key.size() > 40 ||
        !std::all_of(f.key.begin(), f.key.end(), is_key_char)) {
        return invalid_field(at + ".key", "1 to 40 of a-z, 0-9 and '_'");
    }
    if (f.key == "email" || f.key == "first_name" || f.key == "last_name") {
        return invalid_field(at + ".key", "'" + f.key + "' is a built-in field");
    }
    AUD_RETURN_IF_ERROR(internal::check_length(at + ".label", f.label, 1, 200));
    if (f.kind == RegistrationField::Kind::kText) {
        if (!f.options.empty())
            return invalid_field(at + ".options", "a text field has no options");
        return Status::ok();
    }
    if (f.options.size() < 2 || f.options.size() > 50)
        return invalid_field(at + ".options", "2 to 50 choices");
    for (std::size_t i = 0; i < f.options.size(); ++i) {
        AUD_RETURN_IF_ERROR(internal::check_length(at + ".options", f.options[i], 1, 200));
        if (std::find(f.options.begin(), f.options.begin() + static_cast<std::ptrdiff_t>(i),
                      f.options[i]) != f.options.begin() + static_cast<std::ptrdiff_t>(i)) {
            return invalid_field(at + ".options", "the choice '" + f.options[i] + "' repeats");
        }
    }
    return Status::ok();
}

Status check_settings(const WebinarSettings& s) {
    AUD_RETURN_IF_ERROR(internal::check_length("title", s.title, 1, 200));
    AUD_RETURN_IF_ERROR(internal::check_slug("slug", s.slug, 80));
    AUD_RETURN_IF_ERROR(internal::check_length("description", s.description, 0, 20'000));
    if (s.language.size() != 2 || !std::all_of(s.language.begin(), s.language.end(),
                                               [](char c) { return c >= 'a' && c <= 'z'; })) {
        return invalid_field("language", "a two-letter ISO 639-1 code");
    }
    if (s.fields.size() > 50) return invalid_field("fields", "at most 50 custom fields");
    for (std::size_t i = 0; i < s.fields.size(); ++i) {
        AUD_RETURN_IF_ERROR(check_field(s.fields[i], i));
        for (std::size_t j = 0; j < i; ++j) {
            if (s.fields[j].key == s.fields[i].key) {
                return invalid_field("fields[" + std::to_string(i) + "].key",
                                     "'" + s.fields[i].key + "' repeats");
            }
        }
    }
    return Status::ok();
}

// The webinar must exist, be this workspace's, and not be deleted: anything else is unknown here.
Status check_found(const WebinarState& w, const Id& webinar, const Actor& actor) {
    if (!w.exists || w.deleted || w.id != webinar || w.workspace != actor.workspace)
        return unknown("webinar", "webinar");
    return Status::ok();
}

// Owners, admins and anyone who owns or is assigned to the webinar may manage it; members only
// their own; the compliance officer never.
Status check_manage(const WebinarState& w, const Actor& actor) {
    if (may(actor.role, WorkspaceAction::kManageAnyEvent, true)) return Status::ok();
    if (may(actor.role, WorkspaceAction::kManageOwnEvents, true) && w.is_team(actor.member))
        return Status::ok();
    return not_allowed("a " + std::string(name_of(actor.role)) + " may not manage this webinar");
}

Result<WebinarEvents> create(const WebinarState& w, const CreateWebinar& c, std::int64_t now) {
    if (c.webinar.is_none()) return invalid_field("webinar", "missing");
    if (w.exists) return broken_rule("webinar_exists", "the webinar exists already");
    if (!may(c.actor.role, WorkspaceAction::kManageOwnEvents, true)) {
        return not_allowed("a " + std::string(name_of(c.actor.role)) + " may not create webinars");
    }
    AUD_RETURN_IF_ERROR(check_settings(c.settings));
    return WebinarEvents{
        WebinarCreated{c.webinar, c.actor.workspace, c.actor.member, c.settings, now}};
}

Result<WebinarEvents> edit(const WebinarState& w, const EditWebinar& c, std::int64_t now) {
    AUD_RETURN_IF_ERROR(check_found(w, c.webinar, c.actor));
    AUD_RETURN_IF_ERROR(check_manage(w, c.actor));
    AUD_RETURN_IF_ERROR(check_settings(c.settings));
    if (c.settings == w.settings)
        return broken_rule("nothing_changed", "the settings are unchanged");
    return WebinarEvents{WebinarEdited{c.actor.member, c.settings, now}};
}

Result<WebinarEvents> publish(const WebinarState& w, const PublishWebinar& c, std::int64_t now) {
    AUD_RETURN_IF_ERROR(check_found(w, c.webinar, c.actor));
    AUD_RETURN_IF_ERROR(check_manage(w, c.actor));
    if (w.published) return broken_rule("already_published", "the webinar is published already");
    return WebinarEvents{WebinarPublished{c.actor.member, now}};
}

Result<WebinarEvents> assign(const WebinarState& w, const AssignModerator& c, std::int64_t now) {
    AUD_RETURN_IF_ERROR(check_found(w, c.webinar, c.actor));
    AUD_RETURN_IF_ERROR(check_manage(w, c.actor));
    if (!c.member_role) return unknown("member", "member of this workspace");
    if (*c.member_role == WorkspaceRole::kCompliance) {
        return broken_rule("compliance_manages_no_events",
                           "a compliance officer manages no events");
    }
    if (w.is_team(c.member))
        return broken_rule("already_assigned", "the member is on the webinar's team already");
    return WebinarEvents{ModeratorAssigned{c.actor.member, c.member, now}};
}

Result<WebinarEvents> remove(const WebinarState& w, const DeleteWebinar& c, std::int64_t now) {
    AUD_RETURN_IF_ERROR(check_found(w, c.webinar, c.actor));
    if (!may(c.actor.role, WorkspaceAction::kManageAnyEvent, true) &&
        !(w.owner == c.actor.member)) {
        return not_allowed("only owners, admins and the webinar's owner delete it");
    }
    if (c.sessions_with_registrants > 0) {
        return broken_rule(
            "sessions_have_registrants",
            "cancel the sessions that have registrants first: they are canceled, never deleted");
    }
    return WebinarEvents{WebinarDeleted{c.actor.member, now}};
}

Result<WebinarEvents> invite_guest(const WebinarState& w, const InviteGuestSpeaker& c,
                                   std::int64_t now) {
    AUD_RETURN_IF_ERROR(check_found(w, c.webinar, c.actor));
    AUD_RETURN_IF_ERROR(check_manage(w, c.actor));
    if (c.guest.is_none()) return invalid_field("guest", "missing");
    if (w.guests.count(c.guest) != 0)
        return broken_rule("already_guest", "already a guest speaker of this webinar");
    const auto at = c.email.find('@');
    if (c.email.size() > 254 || at == std::string::npos || at == 0 ||
        c.email.find('.', at) == std::string::npos || c.email.find(' ') != std::string::npos) {
        return invalid_field("email", "not an e-mail address");
    }
    AUD_RETURN_IF_ERROR(internal::check_length("first_name", c.first_name, 1, 100));
    AUD_RETURN_IF_ERROR(internal::check_length("last_name", c.last_name, 1, 100));
    return WebinarEvents{
        GuestSpeakerInvited{c.actor.member, c.guest, c.email, c.first_name, c.last_name, now}};
}

Result<WebinarEvents> revoke_guest(const WebinarState& w, const RevokeGuestSpeaker& c,
                                   std::int64_t now) {
    AUD_RETURN_IF_ERROR(check_found(w, c.webinar, c.actor));
    AUD_RETURN_IF_ERROR(check_manage(w, c.actor));
    if (w.guests.count(c.guest) == 0) return unknown("guest", "guest speaker of this webinar");
    return WebinarEvents{GuestSpeakerRevoked{c.actor.member, c.guest, now}};
}

// ---- sessions ----

Status check_session(const SessionState& s, const Id& session, const Actor& actor) {
    if (!s.exists || s.deleted || s.id != session || s.workspace != actor.workspace)
        return unknown("session", "session");
    return Status::ok();
}

Result<SessionEvents> status_change(const SessionState& s, SessionStatus to, const Id& by,
                                    std::int64_t now) {
    return SessionEvents{SessionStatusChanged{s.status, to, by, now}};
}

Result<SessionEvents> schedule(const SessionState& s, const WebinarState& w,
                               const ScheduleSession& c, std::int64_t now,
                               const TimeZoneCheck& zones) {
    if (c.session.is_none()) return invalid_field("session", "missing");
    if (s.exists) return broken_rule("session_exists", "the session exists already");
    if (!w.exists || w.deleted || w.id != c.webinar || w.workspace != c.actor.workspace) {
        return unknown("webinar", "webinar");
    }
    AUD_RETURN_IF_ERROR(check_manage(w, c.actor));
    if (c.duration_minutes < 1 || c.duration_minutes > 1440) {
        return invalid_field("duration_minutes", "1 to 1440 minutes");
    }
    if (c.time_zone.empty() || !zones || !zones(c.time_zone)) {
        return invalid_field("time_zone",
                             "'" + c.time_zone + "' is not a time zone of the system's tzdata");
    }
    if (c.starts_at_us <= now) return invalid_field("starts_at", "must be in the future");
    const Id host = c.host.is_none() ? w.owner : c.host;
    if (!w.is_team(host))
        return invalid_field("host", "the host must be the webinar's owner or assigned to it");
    return SessionEvents{SessionScheduled{c.session, w.id, w.workspace, host, c.starts_at_us,
                                          c.time_zone, c.duration_minutes, c.actor.member, now}};
}

Result<SessionEvents> open(const SessionState& s, const WebinarState& w, const OpenSession& c,
                           std::int64_t now) {
    AUD_RETURN_IF_ERROR(check_session(s, c.session, c.actor));
    AUD_RETURN_IF_ERROR(check_manage(w, c.actor));
    if (!w.published) return broken_rule("webinar_not_published", "publish the webinar first");
    if (s.status != SessionStatus::kDraft)
        return broken_rule("session_not_draft", "only a draft session opens");
    return status_change(s, SessionStatus::kUpcoming, c.actor.member, now);
}

Result<SessionEvents> start(const SessionState& s, const StartSession& c, std::int64_t now) {
    AUD_RETURN_IF_ERROR(check_session(s, c.session, c.actor));
    if (c.actor.member != s.host) return not_allowed("only the session's host starts it");
    if (s.status != SessionStatus::kUpcoming)
        return broken_rule("session_not_upcoming", "only an upcoming session starts");
    return status_change(s, SessionStatus::kLive, c.actor.member, now);
}

Result<SessionEvents> end(const SessionState& s, const EndSession& c, std::int64_t now) {
    AUD_RETURN_IF_ERROR(check_session(s, c.session, c.actor));
    if (c.actor.member != s.host) return not_allowed("only the session's host ends it");
    if (s.status != SessionStatus::kLive)
        return broken_rule("session_not_live", "only a live session ends");
    return status_change(s, SessionStatus::kPast, c.actor.member, now);
}

Result<SessionEvents> cancel(const SessionState& s, const WebinarState& w, const CancelSession& c,
                             std::int64_t now) {
    AUD_RETURN_IF_ERROR(check_session(s, c.session, c.actor));
    AUD_RETURN_IF_ERROR(check_manage(w, c.actor));
    if (s.status != SessionStatus::kDraft && s.status != SessionStatus::kUpcoming) {
        return broken_rule("session_not_cancelable",
                           "only a draft or upcoming session is canceled");
    }
    return status_change(s, SessionStatus::kCanceled, c.actor.member, now);
}

Result<SessionEvents> on_demand(const SessionState& s, const WebinarState& w,
                                const MakeSessionOnDemand& c, std::int64_t now) {
    AUD_RETURN_IF_ERROR(check_session(s, c.session, c.actor));
    AUD_RETURN_IF_ERROR(check_manage(w, c.actor));
    if (s.status != SessionStatus::kPast)
        return broken_rule("session_not_past", "only a past session goes on demand");
    if (!w.settings.replay_enabled) return broken_rule("replay_off", "the webinar's replay is off");
    return status_change(s, SessionStatus::kOnDemand, c.actor.member, now);
}

Result<SessionEvents> delete_session(const SessionState& s, const WebinarState& w,
                                     const DeleteSession& c, std::int64_t now) {
    AUD_RETURN_IF_ERROR(check_session(s, c.session, c.actor));
    AUD_RETURN_IF_ERROR(check_manage(w, c.actor));
    if (c.registrants > 0) {
        return broken_rule("session_has_registrants",
                           "a session with registrants is canceled, never deleted");
    }
    if (s.status == SessionStatus::kLive)
        return broken_rule("session_live", "a live session is ended, not deleted");
    return SessionEvents{SessionDeleted{c.actor.member, now}};
}

Result<SessionEvents> not_started(const SessionState& s, const MarkSessionNotStarted& c,
                                  std::int64_t now) {
    if (!s.exists || s.id != c.session) return unknown("session", "session");
    if (s.status != SessionStatus::kUpcoming || now < not_started_due_us(s)) {
        return broken_rule("session_not_overdue",
                           "only an upcoming session an hour past its estimated end");
    }
    return status_change(s, SessionStatus::kPastNotStarted, Id(), now);
}

}  // namespace

WebinarState evolve(WebinarState w, const WebinarEvent& event) {
    std::visit(Overloaded{
                   [&](const WebinarCreated& e) {
                       w.exists = true;
                       w.id = e.webinar;
                       w.workspace = e.workspace;
                       w.owner = e.owner;
                       w.settings = e.settings;
                   },
                   [&](const WebinarEdited& e) { w.settings = e.settings; },
                   [&](const WebinarPublished&) { w.published = true; },
                   [&](const ModeratorAssigned& e) { w.moderators.insert(e.member); },
                   [&](const WebinarDeleted&) { w.deleted = true; },
                   [&](const GuestSpeakerInvited& e) { w.guests.insert(e.guest); },
                   [&](const GuestSpeakerRevoked& e) { w.guests.erase(e.guest); },
                   [&](const WebinarSnapshotted& e) { w = e.state; },
               },
               event);
    return w;
}

Result<std::vector<WebinarEvent>> decide(const WebinarState& w, const WebinarCommand& command,
                                         std::int64_t now_us) {
    return std::visit(Overloaded{
                          [&](const CreateWebinar& c) { return create(w, c, now_us); },
                          [&](const EditWebinar& c) { return edit(w, c, now_us); },
                          [&](const PublishWebinar& c) { return publish(w, c, now_us); },
                          [&](const AssignModerator& c) { return assign(w, c, now_us); },
                          [&](const DeleteWebinar& c) { return remove(w, c, now_us); },
                          [&](const InviteGuestSpeaker& c) { return invite_guest(w, c, now_us); },
                          [&](const RevokeGuestSpeaker& c) { return revoke_guest(w, c, now_us); },
                      },
                      command);
}

SessionState evolve(SessionState s, const SessionEvent& event) {
    std::visit(Overloaded{
                   [&](const SessionScheduled& e) {
                       s.exists = true;
                       s.id = e.session;
                       s.webinar = e.webinar;
                       s.workspace = e.workspace;
                       s.host = e.host;
                       s.starts_at_us = e.starts_at_us;
                       s.time_zone = e.time_zone;
                       s.duration_minutes = e.duration_minutes;
                       s.status = SessionStatus::kDraft;
                   },
                   [&](const SessionStatusChanged& e) { s.status = e.to; },
                   [&](const SessionDeleted&) { s.deleted = true; },
                   [&](const SessionSnapshotted& e) { s = e.state; },
               },
               event);
    return s;
}

Result<std::vector<SessionEvent>> decide(const SessionState& s, const WebinarState& w,
                                         const SessionCommand& command, std::int64_t now_us,
                                         const TimeZoneCheck& zones) {
    return std::visit(
        Overloaded{
            [&](const ScheduleSession& c) { return schedule(s, w, c, now_us, zones); },
            [&](const OpenSession& c) { return open(s, w, c, now_us); },
            [&](const StartSession& c) { return start(s, c, now_us); },
            [&](const EndSession& c) { return end(s, c, now_us); },
            [&](const CancelSession& c) { return cancel(s, w, c, now_us); },
            [&](const MakeSessionOnDemand& c) { return on_demand(s, w, c, now_us); },
            [&](const DeleteSession& c) { return delete_session(s, w, c, now_us); },
            [&](const MarkSessionNotStarted& c) { return not_started(s, c, now_us); },
        },
        command);
}

}  // namespace auditorium::domain
