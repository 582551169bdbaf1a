// The byte layout of the read models' rows (read_models.hpp names the models): their keys, the
// domain states kept in them, registration rows and a session's counts. fold.cpp writes these
// rows and read_models.cpp reads them; nothing else spells their bytes. Pure functions;
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/id.hpp"
#include "base/result.hpp"
#include "domain/webinar.hpp"
#include "domain/workspace.hpp"
#include "projections/model_store.hpp"
#include "projections/read_models.hpp"

namespace auditorium::projections::internal {

// Row keys. Ids are their 16 raw bytes; numbers big-endian, so keys sort by them.
std::string key(char tag, const Id& a);
std::string key(char tag, const Id& a, const Id& b);
std::string key(char tag, const Id& a, std::string_view rest);

// The 16-byte index of a room link: the link's secret is 32 random bytes, so a hash of it names
// it without revealing it.
std::string link_index(std::string_view token);

// The scheduler's index in `rooms`: 'u' BE64(due) session(16) -> (empty), for each upcoming
// session, by when it may be marked past_not_started (domain::not_started_due_us; times before 1970
// as 0). nullopt: the session is not upcoming, so not indexed.
std::optional<std::string> due_key(const Id& session, const domain::SessionState& s);

// States are kept as the domain's own snapshot encoding (canonical: same state, same bytes).
std::string state_bytes(const domain::WorkspaceState& s);
std::string state_bytes(const domain::WebinarState& s);
std::string state_bytes(const domain::SessionState& s);
Result<domain::WorkspaceState> workspace_from(std::string_view bytes);
Result<domain::WebinarState> webinar_from(std::string_view bytes);
Result<domain::SessionState> session_from(std::string_view bytes);

// A registration row: 1 byte canceled, then the registration's clear encoding; the personal part
// is the registrant's fields in their canonical encoding.
Result<RegistrationRow> registration_from(std::string_view clear,
                                          const std::optional<std::string>& personal);

// A session's counts row in `registrations`: 'n' session(16) -> BE64(registered) BE64(canceled).
std::string counts_bytes(const SessionCounts& n);
Result<SessionCounts> counts_from(const Row& row);

}  // namespace auditorium::projections::internal
