// Events written by the first schema version must decode and fold for ever: the fixture holds one
// coherent history of every event type as version 1 wrote it (type, version, clear part and
// personal part in hex), made once by the encoder of that version and never regenerated.
// To make a new fixture for a new version, run the hidden test "[.generate]" with
// AUD_FIXTURE_OUT=path, and add the file beside this one.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/overloaded.hpp"
#include "domain/event_codec.hpp"

using namespace auditorium;
using namespace auditorium::domain;

namespace {

Id id(std::uint8_t n) {
    Id::Bytes b{};
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(0x40 + n + i);
    return Id(b);
}

constexpr std::int64_t kT = 1'800'000'000'000'000;

// The history the fixture holds, in order.
std::vector<EncodedEvent> history() {
    std::vector<EncodedEvent> out;
    const Id ws = id(1), owner = id(2), admin = id(3), webinar = id(4), session = id(5),
             reg = id(6), person = id(7), guest = id(8), token = id(9);
    out.push_back(encode(WorkspaceEvent{WorkspaceCreated{ws, "Acme", "acme", owner, kT}}));
    out.push_back(
        encode(WorkspaceEvent{WorkspaceSettingsChanged{owner, "Acme Inc", false, kT + 1}}));
    out.push_back(
        encode(WorkspaceEvent{MemberInvited{owner, admin, WorkspaceRole::kMember, kT + 2}}));
    out.push_back(encode(WorkspaceEvent{
        MemberRoleChanged{owner, admin, WorkspaceRole::kMember, WorkspaceRole::kAdmin, kT + 3}}));
    out.push_back(encode(WorkspaceEvent{ApiTokenCreated{admin, token, "CRM", kT + 4}}));
    out.push_back(encode(WorkspaceEvent{AuditExportRequested{owner, id(10), 0, kT, kT + 5}}));
    WebinarSettings s;
    s.title = "Launch";
    s.slug = "launch";
    s.fields = {
        {"size", "Team size", RegistrationField::Kind::kSingleChoice, {"1-10", "11+"}, true}};
    out.push_back(encode(WebinarEvent{WebinarCreated{webinar, ws, owner, s, kT + 6}}));
    out.push_back(encode(WebinarEvent{ModeratorAssigned{owner, admin, kT + 7}}));
    out.push_back(encode(WebinarEvent{
        GuestSpeakerInvited{owner, guest, "grace@example.org", "Grace", "Hopper", kT + 8}}));
    out.push_back(encode(WebinarEvent{WebinarPublished{owner, kT + 9}}));
    out.push_back(encode(SessionEvent{SessionScheduled{
        session, webinar, ws, admin, kT + 86'400'000'000, "Europe/Paris", 60, owner, kT + 10}}));
    out.push_back(encode(SessionEvent{
        SessionStatusChanged{SessionStatus::kDraft, SessionStatus::kUpcoming, owner, kT + 11}}));
    out.push_back(encode(RegistrationEvent{Registered{reg,
                                                      person,
                                                      session,
                                                      webinar,
                                                      ws,
                                                      "ada@example.org",
                                                      "Ada",
                                                      "Lovelace",
                                                      {{"size", {"1-10"}}},
                                                      std::string(64, 'a'),
                                                      "0427",
                                                      kT + 12}}));
    out.push_back(encode(ReservationEvent{EmailReserved{reg, kT + 12}}));
    return out;
}

std::string hex(const std::string& bytes) { return to_hex(bytes); }

std::vector<std::string> words(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

}  // namespace

TEST_CASE("write a fixture of the current schema version", "[.generate]") {
    const char* path = std::getenv("AUD_FIXTURE_OUT");
    REQUIRE(path != nullptr);
    std::ofstream out(path, std::ios::trunc);
    out << "# type version clear-hex personal-hex|- (see tests/domain/fixture_test.cpp)\n";
    for (const auto& e : history()) {
        out << e.type << ' ' << e.schema_version << ' ' << hex(e.clear) << ' '
            << (e.personal ? hex(*e.personal) : std::string("-")) << '\n';
    }
    REQUIRE(out.good());
}

TEST_CASE("every event of the first schema version still decodes and folds to the same states") {
    std::ifstream in(AUD_DOMAIN_FIXTURES "/events-v1.txt");
    REQUIRE(in.good());
    WorkspaceState ws;
    WebinarState webinar;
    SessionState session;
    RegistrationState registration;
    ReservationState reservation;
    std::optional<Registered> registered;
    std::optional<GuestSpeakerInvited> guest;
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.front() == '#') continue;
        const auto w = words(line);
        REQUIRE(w.size() == 4);
        const std::string clear = from_hex(w[2]).value();
        const std::optional<std::string> personal =
            w[3] == "-" ? std::nullopt : std::optional<std::string>(from_hex(w[3]).value());
        StoredEvent s;
        s.type = w[0];
        s.schema_version = static_cast<std::uint16_t>(std::stoi(w[1]));
        s.clear = clear;
        if (personal) s.personal = std::string_view(*personal);
        INFO(line);
        const std::string family = w[0].substr(0, w[0].find('.'));
        if (family == "workspace") {
            ws = evolve(std::move(ws), decode_workspace_event(s).value());
        } else if (family == "webinar") {
            const auto e = decode_webinar_event(s).value();
            if (const auto* g = std::get_if<GuestSpeakerInvited>(&e)) guest = *g;
            webinar = evolve(std::move(webinar), e);
        } else if (family == "session") {
            session = evolve(std::move(session), decode_session_event(s).value());
        } else if (w[0] == "registration.email_reserved") {
            reservation = evolve(std::move(reservation), decode_reservation_event(s).value());
        } else {
            const auto e = decode_registration_event(s).value();
            if (const auto* r = std::get_if<Registered>(&e)) registered = *r;
            registration = evolve(std::move(registration), e);
        }
        ++lines;
    }
    CHECK(lines == history().size());
    CHECK(ws.name == "Acme Inc");
    CHECK_FALSE(ws.company_page_enabled);
    CHECK(ws.members.at(id(3)) == WorkspaceRole::kAdmin);
    CHECK(ws.api_tokens.at(id(9)) == "CRM");
    CHECK(webinar.published);
    CHECK(webinar.settings.fields.at(0).options == std::vector<std::string>{"1-10", "11+"});
    CHECK(webinar.moderators.count(id(3)) == 1);
    REQUIRE(guest.has_value());
    CHECK(guest->email == "grace@example.org");
    CHECK(session.status == SessionStatus::kUpcoming);
    CHECK(session.time_zone == "Europe/Paris");
    CHECK(registration.exists);
    REQUIRE(registered.has_value());
    CHECK(registered->email == "ada@example.org");
    CHECK(registered->answers.at("size") == std::vector<std::string>{"1-10"});
    CHECK(reservation.holder == id(6));
}
