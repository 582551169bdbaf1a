// Who is someone to a session's room, and may they come in: resolves a visitor to the audience
// column of the room table (access_policy.hpp) and checks a registrant's credentials (the unique
// room link, or the e-mail address plus the 4-digit access key). The gateway builds a Visitor from
// the signed-in member or from the credentials presented; room_access() then decides.
// Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/id.hpp"
#include "domain/access_policy.hpp"
#include "domain/registration.hpp"
#include "domain/webinar.hpp"

namespace auditorium::domain {

struct Visitor {
    std::optional<Actor> member;  // signed in as a member of some workspace
    std::optional<Id> guest;      // identified as a guest speaker (by their invitation)
    std::optional<RegistrationState>
        registration;  // identified as a registrant (credentials checked)
};

// The first column that applies, in the room table's order: the event team (the webinar's owner,
// its moderators, the session's host), an owner or admin of the webinar's workspace, a guest
// speaker of the webinar, a registrant of this session (not canceled), anyone else. A member of
// another workspace is anyone else.
RoomAudience audience_of(const WebinarState& webinar, const SessionState& session,
                         const Visitor& visitor);

// What the visitor may do in the room now.
RoomAccess admission(const WebinarState& webinar, const SessionState& session,
                     const Visitor& visitor);

// A registrant's room link: the 64-hex-digit token from their registration, compared in constant
// time.
bool link_matches(const Registered& registration, std::string_view token);
// E-mail (trimmed, case-insensitive) plus the 4-digit access key, the key compared in constant
// time.
bool email_and_key_match(const Registered& registration, std::string_view email,
                         std::string_view access_key);

}  // namespace auditorium::domain
