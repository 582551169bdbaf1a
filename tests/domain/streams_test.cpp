// Stream names: built in one place, and read back only from a stream of the type asked for.
#include "domain/streams.hpp"

#include <catch2/catch.hpp>

using namespace auditorium;
using namespace auditorium::domain;

namespace {
Id some_id() { return Id::from_hex("0123456789abcdef0123456789abcdef").value(); }
}  // namespace

TEST_CASE("a stream name carries its type before the first dash, and its id reads back") {
    const Id id = some_id();
    CHECK(workspace_stream(id) == "workspace-0123456789abcdef0123456789abcdef");
    CHECK(id_in_stream(workspace_stream(id), kWorkspaceStreamType) == id);
    CHECK(id_in_stream(webinar_stream(id), kWebinarStreamType) == id);
    CHECK(id_in_stream(session_stream(id), kSessionStreamType) == id);
    CHECK(id_in_stream(registration_stream(id), kRegistrationStreamType) == id);
    // The purge finds a stream's snapshot function by the type before the first dash.
    for (const auto& [stream, type] :
         {std::pair{reservation_stream(id, "ab12"), kReservationStreamType},
          std::pair{registration_stream(id), kRegistrationStreamType}}) {
        CHECK(stream.substr(0, stream.find('-')) == type);
    }
    CHECK(reservation_stream(id, "ab12") == "reservation-0123456789abcdef0123456789abcdef-ab12");
}

TEST_CASE("an id is read only from a well-formed stream of the type asked for") {
    const Id id = some_id();
    CHECK(id_in_stream(workspace_stream(id), kWebinarStreamType).is_none());
    CHECK(id_in_stream("workspacex-0123456789abcdef0123456789abcdef", kWorkspaceStreamType)
              .is_none());
    CHECK(id_in_stream("workspace", kWorkspaceStreamType).is_none());
    CHECK(id_in_stream("workspace-", kWorkspaceStreamType).is_none());
    CHECK(id_in_stream("workspace-0123", kWorkspaceStreamType).is_none());
    CHECK(id_in_stream(workspace_stream(id) + "00", kWorkspaceStreamType).is_none());
    CHECK(
        id_in_stream("workspace-0123456789abcdef0123456789abcdeg", kWorkspaceStreamType).is_none());
    // A reservation is no registration, though both start with "re".
    CHECK(id_in_stream(reservation_stream(id, "ab"), kRegistrationStreamType).is_none());
}
