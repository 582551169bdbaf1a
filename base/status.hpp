// Status: the outcome of an operation that can fail, as a value.
//
// The code tells the caller what to do next (see docs/style.md, "Errors"):
//   Aborted            re-read, decide again, retry (an expected-version conflict)
//   InvalidArgument    the request itself is wrong; retrying cannot help
//   FailedPrecondition a rule forbids it in the current state
//   AlreadyExists      the thing is there already (for example a reused event id)
//   NotFound           no such thing
//   Corruption         stored bytes fail a hash, tag or format check
//   DataLoss           something that must exist is gone (a key missing without an erasure record)
//   Unavailable        storage or a peer is gone or refuses writes; try after operator action
//   PermissionDenied   the caller, or a key file, may not do this
//   Internal           a broken invariant; a bug
//
// Thread safety: a Status is an immutable value; copies may be used from any thread.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace auditorium {

enum class StatusCode {
    kOk = 0,
    kAborted,
    kInvalidArgument,
    kFailedPrecondition,
    kAlreadyExists,
    kNotFound,
    kCorruption,
    kDataLoss,
    kUnavailable,
    kPermissionDenied,
    kInternal,
};

std::string_view status_code_name(StatusCode code);

// Typed detail a Status may carry for callers that act on it (an append's version conflict).
struct StatusDetail {
    virtual ~StatusDetail() = default;
};

class [[nodiscard]] Status {
public:
    Status() = default;  // OK
    Status(StatusCode code, std::string message);

    static Status ok() { return Status(); }

    bool is_ok() const { return code_ == StatusCode::kOk; }
    explicit operator bool() const { return is_ok(); }
    StatusCode code() const { return code_; }
    const std::string& message() const { return message_; }

    // "Corruption: entry at position 7: tag check failed"
    std::string to_string() const;

    // Prefixes the message with context, keeping the code: "opening ledger: " + message.
    Status with_context(std::string_view context) const;

    // Attaches typed detail (shared, immutable) and returns the status.
    Status with_detail(std::shared_ptr<const StatusDetail> detail) const {
        Status s = *this;
        s.detail_ = std::move(detail);
        return s;
    }
    // The detail if it is a D, else null. Valid while this Status (or a copy) lives.
    template <typename D>
    const D* detail() const {
        return dynamic_cast<const D*>(detail_.get());
    }

private:
    StatusCode code_ = StatusCode::kOk;
    std::string message_;
    std::shared_ptr<const StatusDetail> detail_;
};

inline Status aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status invalid_argument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status failed_precondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status already_exists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
inline Status data_loss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status permission_denied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status internal_error(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

std::ostream& operator<<(std::ostream& out, const Status& status);

}  // namespace auditorium

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define AUD_RETURN_IF_ERROR(expr)                                                                \
    do {                                                                                         \
        if (::auditorium::Status aud_status_ = (expr); !aud_status_.is_ok()) return aud_status_; \
    } while (0)
