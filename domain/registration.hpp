// Registrations of people to sessions. Each registration is a stream of its own
// ("registration-<id>"), holding the person's data (e-mail, names, answers), sealed under the
// person's key by the store; the session's stream names registrants by pseudonym only.
//
// E-mail uniqueness per session is a reservation, kept by the command handler: a stream named by
// the session and a keyed hash of the e-mail, appended with expected version "no stream", so
// registrations to one session never contend on one stream. The handler reads that reservation
// and passes what it found (`existing`); decide() turns it into the "already registered" rejection
// carrying the existing registration. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "base/status.hpp"
#include "domain/rejection.hpp"
#include "domain/webinar.hpp"

namespace auditorium::domain {

struct Register {
    Id registration;  // a new pseudonym for this registration
    Id person;        // the person's pseudonym (their key subject)
    Id session;
    std::string email;
    std::string first_name;
    std::string last_name;
    std::map<std::string, std::vector<std::string>> answers;  // custom field key -> value(s)
    bool consent = false;  // to the processing stated on the registration page
    std::string
        link_token;  // the unique room link's secret: 32 random bytes, hex, from the handler
    std::string access_key;      // 4 digits, from the handler
    std::optional<Id> existing;  // the registration the e-mail reservation already names
};
struct CancelRegistration {
    Id registration;
    Id by;  // the person, or a member managing the webinar (resolved by the handler)
};
using RegistrationCommand = std::variant<Register, CancelRegistration>;

struct Registered {
    Id registration;
    Id person;
    Id session;
    Id webinar;
    Id workspace;
    std::string email;  // personal: sealed under the person's key
    std::string first_name;
    std::string last_name;
    std::map<std::string, std::vector<std::string>> answers;
    std::string link_token;
    std::string access_key;
    std::int64_t at_us = 0;
    bool erased = false;  // read back after the person's erasure: the personal fields are empty
};
struct RegistrationCanceled {
    Id by;
    std::int64_t at_us = 0;
};
// The registration as written and whether it was canceled, before a purge drops those entries;
// its personal fields are sealed under the person's key like the original's (never decided).
struct RegistrationSnapshotted {
    Registered registered;
    bool canceled = false;
    std::int64_t at_us = 0;
};
using RegistrationEvent = std::variant<Registered, RegistrationCanceled, RegistrationSnapshotted>;

struct RegistrationState {
    bool exists = false;
    bool canceled = false;
    Id id;
    Id person;
    Id session;
};

// The e-mail reservation of a session (see above): a stream of its own, held by one registration
// at a time; released when that registration is canceled (or could not be written).
struct EmailReserved {
    Id registration;
    std::int64_t at_us = 0;
};
struct EmailReleased {
    Id registration;
    std::int64_t at_us = 0;
};
struct ReservationState {
    std::optional<Id> holder;  // the registration holding the e-mail, if any
};
struct ReservationSnapshotted {
    ReservationState state;
    std::int64_t at_us = 0;
};
using ReservationEvent = std::variant<EmailReserved, EmailReleased, ReservationSnapshotted>;
ReservationState evolve(ReservationState state, const ReservationEvent& event);

// An e-mail address as registrations compare it (reservations, room entry): trimmed, lowercased.
std::string normalized_email(std::string_view email);

// The detail of an "already registered" rejection (code AlreadyExists, rule "already_registered").
struct AlreadyRegistered : Rejection {
    Id existing;
};

RegistrationState evolve(RegistrationState state, const RegistrationEvent& event);
Result<std::vector<RegistrationEvent>> decide(const RegistrationState& state,
                                              const SessionState& session,
                                              const WebinarState& webinar,
                                              const RegistrationCommand& command,
                                              std::int64_t now_us);

// Whether a session takes registrations in its status: upcoming, live and on demand do; draft,
// canceled, past and past_not_started do not.
bool takes_registrations(SessionStatus status);

}  // namespace auditorium::domain
