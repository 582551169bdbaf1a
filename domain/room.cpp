#include "domain/room.hpp"

#include <cctype>

namespace auditorium::domain {

namespace {

// Equal strings in time that depends only on their lengths (no early exit on the first mismatch).
bool same_secret(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

std::string folded(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

RoomAudience audience_of(const WebinarState& webinar, const SessionState& session,
                         const Visitor& visitor) {
    if (visitor.member && visitor.member->workspace == webinar.workspace) {
        const Id& m = visitor.member->member;
        if (webinar.is_team(m) || m == session.host) return RoomAudience::kEventTeam;
        if (visitor.member->role == WorkspaceRole::kOwner ||
            visitor.member->role == WorkspaceRole::kAdmin) {
            return RoomAudience::kOwnerOrAdmin;
        }
    }
    if (visitor.guest && webinar.guests.count(*visitor.guest) != 0)
        return RoomAudience::kGuestSpeaker;
    if (visitor.registration && visitor.registration->exists && !visitor.registration->canceled &&
        visitor.registration->session == session.id) {
        return RoomAudience::kRegistrant;
    }
    return RoomAudience::kAnyoneElse;
}

RoomAccess admission(const WebinarState& webinar, const SessionState& session,
                     const Visitor& visitor) {
    if (!webinar.exists || webinar.deleted || !session.exists || session.deleted ||
        session.webinar != webinar.id) {
        return RoomAccess{};
    }
    return room_access(session.status, webinar.settings.replay_enabled,
                       audience_of(webinar, session, visitor));
}

bool link_matches(const Registered& registration, std::string_view token) {
    return !registration.erased && registration.link_token.size() == 64 &&
           same_secret(registration.link_token, token);
}

bool email_and_key_match(const Registered& registration, std::string_view email,
                         std::string_view access_key) {
    if (registration.erased || registration.access_key.size() != 4) return false;
    const bool key = same_secret(registration.access_key, access_key);
    const bool address = folded(registration.email) == folded(email);
    return key && address;
}

}  // namespace auditorium::domain
