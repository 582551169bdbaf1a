// Registrations: given a session and its webinar, when a person registers, then the registration
// or a typed rejection naming the field or the rule.
#include "domain/registration.hpp"

#include <catch2/catch.hpp>

#include "domain/rejection.hpp"
#include "tests/domain/given_when_then.hpp"
#include "tests/support/domain_builders.hpp"
#include "tests/support/status.hpp"

using namespace auditorium;
using namespace auditorium::domain;
using testing::kNow;
using testing::then_rejected;
using S = SessionStatus;

namespace {

Id id(std::uint8_t n) { return testing::test_id(n); }

const Id kWs = id(1);
const Id kWebinar = id(3);
const Id kSession = id(4);
const Id kOwner = id(10);
const Id kRegistration = id(30);
const Id kPerson = id(31);

WebinarState webinar(bool published = true) {
    WebinarSettings s = testing::launch_settings();
    s.fields = {
        {"company", "Company", RegistrationField::Kind::kText, {}, true},
        {"size", "Team size", RegistrationField::Kind::kSingleChoice, {"1-10", "11-100"}, true},
        {"topics", "Topics", RegistrationField::Kind::kMultipleChoice, {"a", "b", "c"}, false}};
    return testing::webinar_state(kWebinar, kWs, kOwner, s, published);
}

SessionState session(S status) {
    return testing::session_state(
        SessionScheduled{kSession, kWebinar, kWs, kOwner, kNow + 1, "UTC", 60, kOwner, 3}, status);
}

// Ada, answering the webinar's questions.
Register a_registration() {
    Register r = testing::a_registration(kRegistration, kPerson, kSession, "ada@example.org");
    r.answers = {{"company", {"Analytical Engines"}}, {"size", {"1-10"}}, {"topics", {"a", "c"}}};
    return r;
}

Result<std::vector<RegistrationEvent>> when(const Register& c, S status = S::kUpcoming,
                                            const WebinarState& w = webinar()) {
    return decide(RegistrationState{}, session(status), w, c, kNow);
}

}  // namespace

TEST_CASE("a person registers to an upcoming, live or on-demand session of a published webinar") {
    for (const S status : {S::kUpcoming, S::kLive, S::kOnDemand}) {
        INFO(name_of(status));
        auto r = when(a_registration(), status);
        REQUIRE_OK(r);
        const auto& e = std::get<Registered>(r->front());
        CHECK(e.person == kPerson);
        CHECK(e.session == kSession);
        CHECK(e.workspace == kWs);
        CHECK(e.email == "ada@example.org");
        CHECK(e.answers.at("topics") == std::vector<std::string>{"a", "c"});
        CHECK(e.at_us == kNow);
    }
}

TEST_CASE("no registration to a draft, canceled or past session, nor to a draft webinar") {
    for (const S status : {S::kDraft, S::kCanceled, S::kPast, S::kPastNotStarted}) {
        INFO(name_of(status));
        then_rejected(when(a_registration(), status), StatusCode::kFailedPrecondition,
                      "session_closed");
    }
    then_rejected(when(a_registration(), S::kUpcoming, webinar(false)), StatusCode::kNotFound,
                  "session");
    Register elsewhere = a_registration();
    elsewhere.session = id(99);
    then_rejected(when(elsewhere), StatusCode::kNotFound, "session");
}

TEST_CASE(
    "an e-mail already registered to the session is refused, carrying the existing registration") {
    Register again = a_registration();
    again.existing = id(77);
    auto r = when(again);
    then_rejected(r, StatusCode::kAlreadyExists, "already_registered");
    const auto* why = r.status().detail<AlreadyRegistered>();
    REQUIRE(why != nullptr);
    CHECK(why->existing == id(77));
}

TEST_CASE("required fields present and valid, answers within the choices") {
    const auto rejected_with = [](auto change, const std::string& field) {
        Register c = a_registration();
        change(c);
        then_rejected(when(c), StatusCode::kInvalidArgument, field);
    };
    rejected_with([](Register& c) { c.email = "ada.example.org"; }, "email");
    rejected_with([](Register& c) { c.email = "ada@example"; }, "email");
    rejected_with([](Register& c) { c.email = "ada @example.org"; }, "email");
    rejected_with([](Register& c) { c.email = "a@b@example.org"; }, "email");
    rejected_with([](Register& c) { c.first_name = ""; }, "first_name");
    rejected_with([](Register& c) { c.last_name = std::string(101, 'x'); }, "last_name");
    rejected_with([](Register& c) { c.consent = false; }, "consent");
    rejected_with([](Register& c) { c.answers.erase("company"); }, "answers.company");
    rejected_with([](Register& c) { c.answers["company"] = {""}; }, "answers.company");
    rejected_with([](Register& c) { c.answers["size"] = {"1000+"}; }, "answers.size");
    rejected_with([](Register& c) { c.answers["size"] = {"1-10", "11-100"}; }, "answers.size");
    rejected_with([](Register& c) { c.answers["topics"] = {"a", "z"}; }, "answers.topics");
    rejected_with([](Register& c) { c.answers["topics"] = {"a", "a"}; }, "answers.topics");
    rejected_with([](Register& c) { c.answers["shoe_size"] = {"42"}; }, "answers.shoe_size");
    rejected_with([](Register& c) { c.access_key = "12a4"; }, "access_key");
    rejected_with([](Register& c) { c.link_token = "short"; }, "link_token");
    rejected_with([](Register& c) { c.person = Id(); }, "person");
    // An optional field may be left out.
    Register without_topics = a_registration();
    without_topics.answers.erase("topics");
    CHECK(when(without_topics).is_ok());
}

TEST_CASE("a registration is canceled once, and not after the session is over") {
    auto registered = when(a_registration());
    REQUIRE(registered.is_ok());
    const RegistrationState r = evolve({}, registered->front());
    auto canceled = decide(r, session(S::kUpcoming), webinar(),
                           CancelRegistration{kRegistration, kPerson}, kNow);
    REQUIRE(canceled.is_ok());
    const RegistrationState after = evolve(r, canceled->front());
    CHECK(after.canceled);
    then_rejected(decide(after, session(S::kUpcoming), webinar(),
                         CancelRegistration{kRegistration, kPerson}, kNow),
                  StatusCode::kFailedPrecondition, "registration_canceled");
    then_rejected(
        decide(r, session(S::kPast), webinar(), CancelRegistration{kRegistration, kPerson}, kNow),
        StatusCode::kFailedPrecondition, "session_over");
    then_rejected(decide(RegistrationState{}, session(S::kUpcoming), webinar(),
                         CancelRegistration{kRegistration, kPerson}, kNow),
                  StatusCode::kNotFound, "registration");
}
