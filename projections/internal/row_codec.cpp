#include "projections/internal/row_codec.hpp"

#include <sodium.h>

#include <algorithm>

#include "base/big_endian.hpp"
#include "domain/event_codec.hpp"

namespace auditorium::projections::internal {

namespace {

domain::StoredEvent snapshot_of(domain::EventType type, std::string_view bytes) {
    domain::StoredEvent e;
    e.type = type.name;
    e.schema_version = type.version;
    e.clear = bytes;
    return e;
}

template <class State, class Event, class Snapshot, class Decode>
Result<State> state_from(domain::EventType type, std::string_view bytes, Decode decode) {
    AUD_ASSIGN_OR_RETURN(Event e, decode(snapshot_of(type, bytes)));
    if (!std::holds_alternative<Snapshot>(e)) return corruption("a read-model row holds no state");
    return std::get<Snapshot>(e).state;
}

}  // namespace

std::string key(char tag, const Id& a) { return tag + std::string(a.view()); }
std::string key(char tag, const Id& a, const Id& b) { return key(tag, a) + std::string(b.view()); }
std::string key(char tag, const Id& a, std::string_view rest) {
    return key(tag, a) + std::string(rest);
}

std::string link_index(std::string_view token) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(token.data()), token.size());
    return std::string(reinterpret_cast<const char*>(h), 16);
}

std::optional<std::string> due_key(const Id& session, const domain::SessionState& s) {
    if (!s.exists || s.deleted || s.status != domain::SessionStatus::kUpcoming) return std::nullopt;
    const std::int64_t due = std::max<std::int64_t>(0, domain::not_started_due_us(s));
    return 'u' + be64(static_cast<std::uint64_t>(due)) + std::string(session.view());
}

std::string state_bytes(const domain::WorkspaceState& s) {
    return domain::encode(domain::WorkspaceEvent{domain::WorkspaceSnapshotted{s, 0}}).clear;
}
std::string state_bytes(const domain::WebinarState& s) {
    return domain::encode(domain::WebinarEvent{domain::WebinarSnapshotted{s, 0}}).clear;
}
std::string state_bytes(const domain::SessionState& s) {
    return domain::encode(domain::SessionEvent{domain::SessionSnapshotted{s, 0}}).clear;
}

Result<domain::WorkspaceState> workspace_from(std::string_view bytes) {
    return state_from<domain::WorkspaceState, domain::WorkspaceEvent, domain::WorkspaceSnapshotted>(
        domain::event_types::kWorkspaceSnapshot, bytes, domain::decode_workspace_event);
}
Result<domain::WebinarState> webinar_from(std::string_view bytes) {
    return state_from<domain::WebinarState, domain::WebinarEvent, domain::WebinarSnapshotted>(
        domain::event_types::kWebinarSnapshot, bytes, domain::decode_webinar_event);
}
Result<domain::SessionState> session_from(std::string_view bytes) {
    return state_from<domain::SessionState, domain::SessionEvent, domain::SessionSnapshotted>(
        domain::event_types::kSessionSnapshot, bytes, domain::decode_session_event);
}

Result<RegistrationRow> registration_from(std::string_view clear,
                                          const std::optional<std::string>& personal) {
    if (clear.empty()) return corruption("an empty registration row");
    domain::StoredEvent e;
    e.type = domain::event_types::kRegistered.name;
    e.schema_version = domain::event_types::kRegistered.version;
    e.clear = clear.substr(1);
    if (personal) e.personal = std::string_view(*personal);
    AUD_ASSIGN_OR_RETURN(domain::RegistrationEvent decoded, domain::decode_registration_event(e));
    if (!std::holds_alternative<domain::Registered>(decoded))
        return corruption("a registration row holds no registration");
    return RegistrationRow{std::get<domain::Registered>(std::move(decoded)), clear[0] == 1};
}

std::string counts_bytes(const SessionCounts& n) { return be64(n.registered) + be64(n.canceled); }

Result<SessionCounts> counts_from(const Row& row) {
    if (row.clear.size() != 16) return corruption("a malformed registration counts row");
    return SessionCounts{get_be64(row.clear), get_be64(std::string_view(row.clear).substr(8))};
}

}  // namespace auditorium::projections::internal
