// Builders of the domain's values, shared by the domain's given/when/then tests and the tests that
// drive the command handler: readable fixed ids, the times tests start at, a webinar's and a
// session's state folded from their first events, and a registration every rule accepts.
//
// Pure like domain/: no store, no randomness; a caller that wants fresh ids passes them in.
#pragma once

#include <cstdint>
#include <string>

#include "base/id.hpp"
#include "domain/registration.hpp"
#include "domain/webinar.hpp"

namespace auditorium::testing {

// Microseconds since the epoch, as the domain and the store count time.
inline constexpr std::int64_t kHour = std::int64_t{3600} * 1'000'000;
inline constexpr std::int64_t kDay = 24 * kHour;
// The moment tests decide at, and the handler fixture's clock starts at: 2027-01-15.
inline constexpr std::int64_t kNow = 1'800'000'000'000'000;

// A fixed pseudonym: n in the last byte, so a failing check prints ids one can tell apart.
inline Id test_id(std::uint8_t n) {
    Id::Bytes b{};
    b[0] = 0xA0;
    b[15] = n;
    return Id(b);
}

// The settings of the webinar most tests need: titled "Launch", slug "launch", no questions.
inline domain::WebinarSettings launch_settings() {
    domain::WebinarSettings s;
    s.title = "Launch";
    s.slug = "launch";
    return s;
}

// A webinar of workspace `ws` created by `by` at time 1, and published by `by` at time 2 unless
// `published` is false.
inline domain::WebinarState webinar_state(const Id& webinar, const Id& ws, const Id& by,
                                          const domain::WebinarSettings& settings,
                                          bool published = true) {
    domain::WebinarState w =
        domain::evolve({}, domain::WebinarCreated{webinar, ws, by, settings, 1});
    if (published) w = domain::evolve(std::move(w), domain::WebinarPublished{by, 2});
    return w;
}

// A session as `scheduled` (a draft), then moved to `status` by its scheduler one microsecond
// later.
inline domain::SessionState session_state(const domain::SessionScheduled& scheduled,
                                          domain::SessionStatus status) {
    domain::SessionState s = domain::evolve({}, scheduled);
    if (status == domain::SessionStatus::kDraft) return s;
    return domain::evolve(std::move(s),
                          domain::SessionStatusChanged{domain::SessionStatus::kDraft, status,
                                                       scheduled.by, scheduled.at_us + 1});
}

// Ada Lovelace registering `email` to `session` (of a webinar that asks no questions), with
// consent, access key 1815 and a link token unique to the two ids.
inline domain::Register a_registration(const Id& registration, const Id& person, const Id& session,
                                       std::string email) {
    domain::Register r;
    r.registration = registration;
    r.person = person;
    r.session = session;
    r.email = std::move(email);
    r.first_name = "Ada";
    r.last_name = "Lovelace";
    r.consent = true;
    r.link_token = registration.hex() + person.hex();
    r.access_key = "1815";
    return r;
}

}  // namespace auditorium::testing
