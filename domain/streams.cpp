#include "domain/streams.hpp"

namespace auditorium::domain {
namespace {

std::string stream_of(std::string_view type, const Id& id) {
    return std::string(type) + "-" + id.hex();
}

}  // namespace

std::string workspace_stream(const Id& workspace) {
    return stream_of(kWorkspaceStreamType, workspace);
}
std::string webinar_stream(const Id& webinar) { return stream_of(kWebinarStreamType, webinar); }
std::string session_stream(const Id& session) { return stream_of(kSessionStreamType, session); }
std::string registration_stream(const Id& registration) {
    return stream_of(kRegistrationStreamType, registration);
}

std::string reservation_stream(const Id& session, std::string_view blind) {
    return stream_of(kReservationStreamType, session) + "-" + std::string(blind);
}

Id id_in_stream(std::string_view stream, std::string_view type) {
    if (stream.size() <= type.size() || !stream.starts_with(type) || stream[type.size()] != '-')
        return Id();
    return Id::from_hex(stream.substr(type.size() + 1)).value_or(Id());
}

}  // namespace auditorium::domain
