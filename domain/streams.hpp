// Stream names, in one place: each aggregate's events live in one stream "<type>-<id, 32 hex>";
// a session's e-mail reservations in "reservation-<session hex>-<blind index of the address>".
// The type before the first '-' is what the store's purge looks a snapshot function up by.
// Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/id.hpp"

namespace auditorium::domain {

inline constexpr std::string_view kWorkspaceStreamType = "workspace";
inline constexpr std::string_view kWebinarStreamType = "webinar";
inline constexpr std::string_view kSessionStreamType = "session";
inline constexpr std::string_view kRegistrationStreamType = "registration";
inline constexpr std::string_view kReservationStreamType = "reservation";

// The blind index purpose (store: PrivacyKeys::blind_index) of a registrant's normalized e-mail.
inline constexpr std::string_view kEmailBlindIndexPurpose = "registration-email";

std::string workspace_stream(const Id& workspace);
std::string webinar_stream(const Id& webinar);
std::string session_stream(const Id& session);
std::string registration_stream(const Id& registration);
// The e-mail reservation stream of `session` for the address whose blind index is `blind`.
std::string reservation_stream(const Id& session, std::string_view blind);

// The id of `stream` when it is "<type>-<32 hex>" of this type; the none Id otherwise.
Id id_in_stream(std::string_view stream, std::string_view type);

}  // namespace auditorium::domain
