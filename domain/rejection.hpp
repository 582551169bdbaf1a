// How a command is refused. A decision that refuses returns a Status whose code says what the
// caller should do next (docs/style.md) and whose Rejection detail names the rule or the fields at
// fault, so the gateway can answer with the right HTTP status and a JSON:API error object naming
// the field:
//   InvalidArgument    a field is missing or malformed           (fields)
//   NotFound           an id names nothing in this workspace      (fields)
//   PermissionDenied   the access policy says no                  (rule "access")
//   FailedPrecondition a domain rule forbids it in this state     (rule)
//   AlreadyExists      it exists already                          (rule, and what exists)
// Pure values; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "base/status.hpp"

namespace auditorium::domain {

struct Rejection : StatusDetail {
    std::string rule;                 // e.g. "workspace_keeps_an_owner"; empty for field errors
    std::vector<std::string> fields;  // e.g. {"slug"}; empty for rule errors
};

// A rejection for a malformed or missing field.
Status invalid_field(const std::string& field, const std::string& why);
// A rejection for an id that names nothing here (other workspaces included: nothing crosses).
Status unknown(const std::string& field, const std::string& what);
// A rejection by the access policy.
Status not_allowed(const std::string& why);
// A rejection by a domain rule.
Status broken_rule(const std::string& rule, const std::string& why);

// The Rejection of a refused decision, or null.
const Rejection* rejection_of(const Status& s);

}  // namespace auditorium::domain
