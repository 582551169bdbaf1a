#include "projections/internal/grants.hpp"

#include <set>

#include "base/big_endian.hpp"
#include "domain/room.hpp"

namespace auditorium::projections::internal {

std::string grant_bytes(const domain::WebinarState& webinar, const domain::SessionState& session) {
    std::string g;
    g.push_back(static_cast<char>(session.status));
    g.push_back(webinar.settings.replay_enabled ? 1 : 0);
    for (auto audience : domain::kRoomAudiences) {
        const auto a =
            domain::room_access(session.status, webinar.settings.replay_enabled, audience);
        g.push_back(static_cast<char>(a.entry));
        g.push_back(static_cast<char>((a.publish ? 1 : 0) | (a.publish_when_invited ? 2 : 0)));
    }
    std::set<Id> team(webinar.moderators.begin(), webinar.moderators.end());
    if (!webinar.owner.is_none()) team.insert(webinar.owner);
    if (!session.host.is_none()) team.insert(session.host);
    g.append(be64(team.size()));
    for (const auto& t : team) g.append(t.view());
    for (const auto& guest : webinar.guests) g.append(guest.view());
    return g;
}

Result<MediaGrant> grant_from(std::string_view g) {
    constexpr std::size_t kHead = 2 + 2 * std::size(domain::kRoomAudiences) + 8;
    if (g.size() < kHead) return corruption("a malformed media grant");
    MediaGrant m;
    m.status = static_cast<domain::SessionStatus>(g[0]);
    m.replay_enabled = g[1] == 1;
    for (std::size_t i = 0; i < m.by_audience.size(); ++i) {
        m.by_audience[i].entry = static_cast<domain::RoomAccess::Entry>(g[2 + 2 * i]);
        m.by_audience[i].publish = (g[3 + 2 * i] & 1) != 0;
        m.by_audience[i].publish_when_invited = (g[3 + 2 * i] & 2) != 0;
    }
    const std::uint64_t team = get_be64(g.substr(kHead - 8));
    std::size_t at = kHead;
    for (std::size_t i = 0; i < team && at + 16 <= g.size(); ++i, at += 16)
        m.team.push_back(*Id::from_bytes(g.substr(at, 16)));
    for (; at + 16 <= g.size(); at += 16) m.guests.push_back(*Id::from_bytes(g.substr(at, 16)));
    return m;
}

}  // namespace auditorium::projections::internal
