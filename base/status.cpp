#include "base/status.hpp"

namespace auditorium {

std::string_view status_code_name(StatusCode code) {
    switch (code) {
        case StatusCode::kOk: return "OK";
        case StatusCode::kAborted: return "Aborted";
        case StatusCode::kInvalidArgument: return "InvalidArgument";
        case StatusCode::kFailedPrecondition: return "FailedPrecondition";
        case StatusCode::kAlreadyExists: return "AlreadyExists";
        case StatusCode::kNotFound: return "NotFound";
        case StatusCode::kCorruption: return "Corruption";
        case StatusCode::kDataLoss: return "DataLoss";
        case StatusCode::kUnavailable: return "Unavailable";
        case StatusCode::kPermissionDenied: return "PermissionDenied";
        case StatusCode::kInternal: return "Internal";
    }
    return "Unknown";
}

Status::Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

std::string Status::to_string() const {
    if (is_ok()) return "OK";
    std::string out(status_code_name(code_));
    out += ": ";
    out += message_;
    return out;
}

Status Status::with_context(std::string_view context) const {
    if (is_ok()) return *this;
    std::string m(context);
    m += ": ";
    m += message_;
    Status s(code_, std::move(m));
    s.detail_ = detail_;
    return s;
}

std::ostream& operator<<(std::ostream& out, const Status& status) {
    return out << status.to_string();
}

}  // namespace auditorium
