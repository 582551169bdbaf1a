#include "domain/rejection.hpp"

#include <memory>

namespace auditorium::domain {

namespace {

Status with(const Status& s, std::string rule, std::vector<std::string> fields) {
    auto r = std::make_shared<Rejection>();
    r->rule = std::move(rule);
    r->fields = std::move(fields);
    return s.with_detail(std::move(r));
}

}  // namespace

Status invalid_field(const std::string& field, const std::string& why) {
    return with(invalid_argument(field + ": " + why), "", {field});
}

Status unknown(const std::string& field, const std::string& what) {
    return with(not_found(field + ": no such " + what), "", {field});
}

Status not_allowed(const std::string& why) { return with(permission_denied(why), "access", {}); }

Status broken_rule(const std::string& rule, const std::string& why) {
    return with(failed_precondition(why), rule, {});
}

const Rejection* rejection_of(const Status& s) { return s.detail<Rejection>(); }

}  // namespace auditorium::domain
