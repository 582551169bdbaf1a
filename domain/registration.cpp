#include "domain/registration.hpp"

#include <algorithm>
#include <cctype>
#include <memory>

#include "domain/internal/checks.hpp"
#include "domain/rejection.hpp"

namespace auditorium::domain {

std::string normalized_email(std::string_view email) {
    while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front())))
        email.remove_prefix(1);
    while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back())))
        email.remove_suffix(1);
    std::string out(email);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

namespace {

using internal::Overloaded;
using Events = std::vector<RegistrationEvent>;

// A pragmatic address check: one '@', a non-empty local part, a domain with a dot and no spaces.
// Deliverability is proven later, by the confirmation e-mail.
bool plausible_email(const std::string& e) {
    const auto at = e.find('@');
    if (at == std::string::npos || at == 0 || e.find('@', at + 1) != std::string::npos)
        return false;
    const std::string domain = e.substr(at + 1);
    const auto dot = domain.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 >= domain.size()) return false;
    return std::none_of(e.begin(), e.end(),
                        [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

bool all_digits(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool lower_hex(const std::string& s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Status check_answers(const WebinarSettings& settings,
                     const std::map<std::string, std::vector<std::string>>& answers) {
    for (const auto& answer : answers) {
        const std::string& key =
            answer.first;  // not a structured binding: clang 14 cannot capture one
        const bool known = std::any_of(settings.fields.begin(), settings.fields.end(),
                                       [&](const RegistrationField& f) { return f.key == key; });
        if (!known) return invalid_field("answers." + key, "no such registration field");
    }
    for (const RegistrationField& f : settings.fields) {
        const std::string at = "answers." + f.key;
        const auto it = answers.find(f.key);
        const bool empty = it == answers.end() || it->second.empty() ||
                           (it->second.size() == 1 && it->second.front().empty());
        if (empty) {
            if (f.required) return invalid_field(at, "required");
            continue;
        }
        const auto& values = it->second;
        switch (f.kind) {
            case RegistrationField::Kind::kText:
                if (values.size() != 1) return invalid_field(at, "one text value");
                AUD_RETURN_IF_ERROR(internal::check_length(at, values.front(), 1, 2000));
                break;
            case RegistrationField::Kind::kSingleChoice:
            case RegistrationField::Kind::kMultipleChoice:
                if (f.kind == RegistrationField::Kind::kSingleChoice && values.size() != 1) {
                    return invalid_field(at, "exactly one choice");
                }
                for (std::size_t i = 0; i < values.size(); ++i) {
                    if (std::find(f.options.begin(), f.options.end(), values[i]) ==
                        f.options.end()) {
                        return invalid_field(at, "'" + values[i] + "' is not one of the choices");
                    }
                    if (std::find(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(i),
                                  values[i]) != values.begin() + static_cast<std::ptrdiff_t>(i)) {
                        return invalid_field(at, "'" + values[i] + "' is chosen twice");
                    }
                }
                break;
        }
    }
    return Status::ok();
}

Result<Events> register_person(const RegistrationState& r, const SessionState& s,
                               const WebinarState& w, const Register& c, std::int64_t now) {
    if (c.registration.is_none()) return invalid_field("registration", "missing");
    if (c.person.is_none()) return invalid_field("person", "missing");
    if (r.exists) return broken_rule("registration_exists", "the registration exists already");
    if (!s.exists || s.id != c.session || !w.exists || w.deleted || w.id != s.webinar) {
        return unknown("session", "session");
    }
    if (!w.published) return unknown("session", "session");  // a draft webinar takes no one
    if (!takes_registrations(s.status)) {
        return broken_rule("session_closed", "the session is " + std::string(name_of(s.status)) +
                                                 " and takes no registrations");
    }
    if (c.existing) {
        auto why = std::make_shared<AlreadyRegistered>();
        why->rule = "already_registered";
        why->fields = {"email"};
        why->existing = *c.existing;
        return already_exists("email: already registered to this session (registration " +
                              c.existing->hex() + ")")
            .with_detail(std::move(why));
    }
    if (c.email.size() > 254 || !plausible_email(c.email))
        return invalid_field("email", "not an e-mail address");
    AUD_RETURN_IF_ERROR(internal::check_length("first_name", c.first_name, 1, 100));
    AUD_RETURN_IF_ERROR(internal::check_length("last_name", c.last_name, 1, 100));
    if (!c.consent) return invalid_field("consent", "required to register");
    AUD_RETURN_IF_ERROR(check_answers(w.settings, c.answers));
    if (c.link_token.size() != 64 || !lower_hex(c.link_token))
        return invalid_field("link_token", "64 hex digits");
    if (c.access_key.size() != 4 || !all_digits(c.access_key))
        return invalid_field("access_key", "4 digits");
    return Events{Registered{c.registration, c.person, s.id, w.id, w.workspace, c.email,
                             c.first_name, c.last_name, c.answers, c.link_token, c.access_key,
                             now}};
}

Result<Events> cancel(const RegistrationState& r, const SessionState& s,
                      const CancelRegistration& c, std::int64_t now) {
    if (!r.exists || r.id != c.registration) return unknown("registration", "registration");
    if (r.canceled)
        return broken_rule("registration_canceled", "the registration is canceled already");
    if (s.status == SessionStatus::kPast || s.status == SessionStatus::kPastNotStarted) {
        return broken_rule("session_over", "the session is over; the registration is history");
    }
    return Events{RegistrationCanceled{c.by, now}};
}

}  // namespace

bool takes_registrations(SessionStatus status) {
    return status == SessionStatus::kUpcoming || status == SessionStatus::kLive ||
           status == SessionStatus::kOnDemand;
}

ReservationState evolve(ReservationState r, const ReservationEvent& event) {
    std::visit(Overloaded{
                   [&](const EmailReserved& e) { r.holder = e.registration; },
                   [&](const EmailReleased& e) {
                       if (r.holder == e.registration) r.holder.reset();
                   },
                   [&](const ReservationSnapshotted& e) { r = e.state; },
               },
               event);
    return r;
}

RegistrationState evolve(RegistrationState r, const RegistrationEvent& event) {
    std::visit(Overloaded{
                   [&](const Registered& e) {
                       r.exists = true;
                       r.id = e.registration;
                       r.person = e.person;
                       r.session = e.session;
                   },
                   [&](const RegistrationCanceled&) { r.canceled = true; },
                   [&](const RegistrationSnapshotted& e) {
                       r.exists = true;
                       r.id = e.registered.registration;
                       r.person = e.registered.person;
                       r.session = e.registered.session;
                       r.canceled = e.canceled;
                   },
               },
               event);
    return r;
}

Result<std::vector<RegistrationEvent>> decide(const RegistrationState& r, const SessionState& s,
                                              const WebinarState& w,
                                              const RegistrationCommand& command,
                                              std::int64_t now_us) {
    return std::visit(Overloaded{
                          [&](const Register& c) { return register_person(r, s, w, c, now_us); },
                          [&](const CancelRegistration& c) { return cancel(r, s, c, now_us); },
                      },
                      command);
}

}  // namespace auditorium::domain
