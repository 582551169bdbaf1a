// The domain events' stored form: every type round-trips, personal data goes only to the personal
// part, an erased person's registration still decodes, and damaged bytes are refused.
#include "domain/event_codec.hpp"

#include <catch2/catch.hpp>
#include "tests/support/status.hpp"

using namespace auditorium;
using namespace auditorium::domain;

namespace {

Id id(std::uint8_t n) {
    Id::Bytes b{};
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(n + i);
    return Id(b);
}

StoredEvent stored(const EncodedEvent& e) {
    StoredEvent s;
    s.type = e.type;
    s.schema_version = e.schema_version;
    s.clear = e.clear;
    if (e.personal) s.personal = std::string_view(*e.personal);
    return s;
}

// encode(decode(encode(e))) == encode(e), byte for byte: nothing lost either way.
template <class Event, class Decode>
void round_trips(const Event& e, Decode decode, const std::string& type) {
    const EncodedEvent first = encode(e);
    INFO(type);
    CHECK(first.type == type);
    CHECK(first.schema_version == 1);
    auto decoded = decode(stored(first));
    REQUIRE_OK(decoded);
    const EncodedEvent again = encode(*decoded);
    CHECK(again.type == first.type);
    CHECK(again.clear == first.clear);
    CHECK(again.personal == first.personal);
    CHECK(again.subject == first.subject);
}

WebinarSettings settings() {
    WebinarSettings s;
    s.title = "Launch";
    s.slug = "launch";
    s.description = "All about it";
    s.language = "fr";
    s.is_public = false;
    s.registration_page_enabled = true;
    s.replay_enabled = false;
    s.fields = {
        {"size", "Team size", RegistrationField::Kind::kSingleChoice, {"1-10", "11+"}, true},
        {"note", "Note", RegistrationField::Kind::kText, {}, false}};
    return s;
}

Registered registered() {
    return Registered{id(1),
                      id(2),
                      id(3),
                      id(4),
                      id(5),
                      "ada@example.org",
                      "Ada",
                      "Lovelace",
                      {{"size", {"1-10"}}, {"topics", {"a", "b"}}},
                      std::string(64, 'f'),
                      "0427",
                      99,
                      false};
}

}  // namespace

TEST_CASE("every domain event type round-trips through its stored form") {
    const auto ws = [](const StoredEvent& s) { return decode_workspace_event(s); };
    round_trips(WorkspaceEvent{WorkspaceCreated{id(1), "Acme", "acme", id(2), 7}}, ws,
                "workspace.created");
    round_trips(WorkspaceEvent{WorkspaceSettingsChanged{id(2), "Acme Inc", false, 8}}, ws,
                "workspace.settings_changed");
    round_trips(WorkspaceEvent{WorkspaceSettingsChanged{id(2), std::nullopt, true, 8}}, ws,
                "workspace.settings_changed");
    round_trips(WorkspaceEvent{WorkspaceSettingsChanged{id(2), "Only the name", std::nullopt, 8}},
                ws, "workspace.settings_changed");
    round_trips(WorkspaceEvent{MemberInvited{id(2), id(3), WorkspaceRole::kCompliance, 9}}, ws,
                "workspace.member_invited");
    round_trips(WorkspaceEvent{MemberRoleChanged{id(2), id(3), WorkspaceRole::kMember,
                                                 WorkspaceRole::kAdmin, 10}},
                ws, "workspace.member_role_changed");
    round_trips(WorkspaceEvent{MemberRemoved{id(2), id(3), 11}}, ws, "workspace.member_removed");
    round_trips(WorkspaceEvent{WorkspaceDeleted{id(2), 12}}, ws, "workspace.deleted");
    round_trips(WorkspaceEvent{ApiTokenCreated{id(2), id(8), "CRM sync", 12}}, ws,
                "workspace.api_token_created");
    round_trips(WorkspaceEvent{ApiTokenRevoked{id(2), id(8), 12}}, ws,
                "workspace.api_token_revoked");
    round_trips(WorkspaceEvent{AuditExportRequested{id(2), id(9), 100, 200, 300}}, ws,
                "workspace.audit_export_requested");
    round_trips(
        WorkspaceEvent{PrivacyRequested{id(2), id(9), PrivacyRequestKind::kLegalHold, id(7), 301}},
        ws, "workspace.privacy_requested");

    const auto wb = [](const StoredEvent& s) { return decode_webinar_event(s); };
    round_trips(WebinarEvent{WebinarCreated{id(4), id(1), id(2), settings(), 12}}, wb,
                "webinar.created");
    round_trips(WebinarEvent{WebinarEdited{id(2), settings(), 13}}, wb, "webinar.edited");
    round_trips(WebinarEvent{WebinarPublished{id(2), 14}}, wb, "webinar.published");
    round_trips(WebinarEvent{ModeratorAssigned{id(2), id(3), 15}}, wb,
                "webinar.moderator_assigned");
    round_trips(WebinarEvent{WebinarDeleted{id(2), 16}}, wb, "webinar.deleted");
    round_trips(WebinarEvent{GuestSpeakerInvited{id(2), id(7), "grace@example.org", "Grace",
                                                 "Hopper", 16, false}},
                wb, "webinar.guest_speaker_invited");
    round_trips(WebinarEvent{GuestSpeakerRevoked{id(2), id(7), 16}}, wb,
                "webinar.guest_speaker_revoked");

    const auto ss = [](const StoredEvent& s) { return decode_session_event(s); };
    round_trips(SessionEvent{SessionScheduled{id(5), id(4), id(1), id(2), 1'800'000'000'000'000,
                                              "Europe/Paris", 90, id(2), 17}},
                ss, "session.scheduled");
    round_trips(SessionEvent{SessionStatusChanged{SessionStatus::kUpcoming, SessionStatus::kLive,
                                                  id(2), 18}},
                ss, "session.status_changed");
    round_trips(SessionEvent{SessionDeleted{id(2), 18}}, ss, "session.deleted");

    const auto rg = [](const StoredEvent& s) { return decode_registration_event(s); };
    round_trips(RegistrationEvent{registered()}, rg, "registration.created");
    round_trips(RegistrationEvent{RegistrationCanceled{id(2), 19}}, rg, "registration.canceled");
    WorkspaceState wstate;
    wstate.exists = true;
    wstate.id = id(1);
    wstate.name = "Acme";
    wstate.slug = "acme";
    wstate.company_page_enabled = false;
    wstate.members = {{id(2), WorkspaceRole::kOwner}, {id(3), WorkspaceRole::kCompliance}};
    wstate.api_tokens = {{id(8), "CRM sync"}};
    wstate.deleted = true;
    round_trips(WorkspaceEvent{WorkspaceSnapshotted{wstate, 30}}, ws, "workspace.snapshot");
    WebinarState wb_state;
    wb_state.exists = true;
    wb_state.published = true;
    wb_state.id = id(4);
    wb_state.workspace = id(1);
    wb_state.owner = id(2);
    wb_state.settings = settings();
    wb_state.moderators = {id(3), id(6)};
    wb_state.guests = {id(7)};
    round_trips(WebinarEvent{WebinarSnapshotted{wb_state, 31}}, wb, "webinar.snapshot");
    SessionState s_state;
    s_state.exists = true;
    s_state.id = id(5);
    s_state.webinar = id(4);
    s_state.workspace = id(1);
    s_state.host = id(2);
    s_state.starts_at_us = 1'800'000'000'000'000;
    s_state.time_zone = "UTC";
    s_state.duration_minutes = 30;
    s_state.status = SessionStatus::kOnDemand;
    s_state.deleted = true;
    round_trips(SessionEvent{SessionSnapshotted{s_state, 32}}, ss, "session.snapshot");
    round_trips(RegistrationEvent{RegistrationSnapshotted{registered(), true, 33}}, rg,
                "registration.snapshot");
    const auto rs = [](const StoredEvent& s) { return decode_reservation_event(s); };
    round_trips(ReservationEvent{ReservationSnapshotted{ReservationState{id(1)}, 34}}, rs,
                "registration.reservation_snapshot");
    round_trips(ReservationEvent{ReservationSnapshotted{ReservationState{}, 35}}, rs,
                "registration.reservation_snapshot");
    round_trips(ReservationEvent{EmailReserved{id(1), 20}}, rs, "registration.email_reserved");
    round_trips(ReservationEvent{EmailReleased{id(1), 21}}, rs, "registration.email_released");
}

TEST_CASE("a registration's personal data goes only into the personal part, under the person") {
    const EncodedEvent e = encode(RegistrationEvent{registered()});
    CHECK(e.subject == id(2));
    REQUIRE(e.personal.has_value());
    for (const std::string& secret :
         std::vector<std::string>{"ada@example.org", "Lovelace", "0427", std::string(64, 'f')}) {
        INFO(secret);
        CHECK(e.clear.find(secret) == std::string::npos);
        CHECK(e.personal->find(secret) != std::string::npos);
    }
    // Nothing else carries personal data.
    CHECK_FALSE(encode(WorkspaceEvent{MemberInvited{id(2), id(3), WorkspaceRole::kMember, 9}})
                    .personal.has_value());
}

TEST_CASE("an erased person's registration decodes with its pseudonyms and no personal data") {
    const EncodedEvent e = encode(RegistrationEvent{registered()});
    StoredEvent s = stored(e);
    s.personal.reset();
    s.erased = true;
    auto decoded = decode_registration_event(s);
    REQUIRE(decoded.is_ok());
    const auto& r = std::get<Registered>(*decoded);
    CHECK(r.erased);
    CHECK(r.person == id(2));
    CHECK(r.session == id(3));
    CHECK(r.email.empty());
    CHECK(r.answers.empty());
}

TEST_CASE("damaged bytes, unknown types and versions are refused") {
    const EncodedEvent e =
        encode(WorkspaceEvent{MemberInvited{id(2), id(3), WorkspaceRole::kMember, 9}});
    StoredEvent s = stored(e);
    const std::string truncated = e.clear.substr(0, e.clear.size() / 2);
    s.clear = truncated;
    CHECK(decode_workspace_event(s).status().code() == StatusCode::kCorruption);
    s = stored(e);
    s.type = "workspace.exploded";
    CHECK(decode_workspace_event(s).status().code() == StatusCode::kInvalidArgument);
    s = stored(e);
    s.schema_version = 2;
    CHECK(decode_workspace_event(s).status().code() == StatusCode::kInvalidArgument);
    // Another aggregate's event is not this one's.
    CHECK(decode_webinar_event(stored(e)).status().code() == StatusCode::kInvalidArgument);
    // A role byte out of range: the bytes pass the format check but mean nothing.
    std::string bad = e.clear;
    const EncodedEvent admin =
        encode(WorkspaceEvent{MemberInvited{id(2), id(3), WorkspaceRole::kCompliance, 9}});
    REQUIRE(admin.clear.size() == bad.size());
    std::size_t differs = 0, at = 0;
    for (std::size_t i = 0; i < bad.size(); ++i) {
        if (bad[i] != admin.clear[i]) ++differs, at = i;
    }
    REQUIRE(differs == 1);  // the role byte
    bad[at] = 9;
    s = stored(e);
    s.clear = bad;
    CHECK(decode_workspace_event(s).status().code() == StatusCode::kCorruption);
}
