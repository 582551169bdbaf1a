// The media grant rows (read_models.hpp: `media_grants`), the room table's cells for a session as
// the media node enforces them: 'g' session(16) -> status, replay switch, for each audience its
// entry and publish bits (1: publish, 2: publish when invited), BE64 team size, the team's ids,
// then the guests' ids. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "domain/webinar.hpp"
#include "projections/read_models.hpp"

namespace auditorium::projections::internal {

// The grant of `session` in `webinar` (the team: owner, moderators and host).
std::string grant_bytes(const domain::WebinarState& webinar, const domain::SessionState& session);

// Corruption when the fixed part is cut short.
Result<MediaGrant> grant_from(std::string_view bytes);

}  // namespace auditorium::projections::internal
