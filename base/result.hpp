// Result<T>: a T or the Status saying why there is none (C++20 has no std::expected).
//
// Shaped like absl::StatusOr: construct from a value or from a non-OK Status; read the value only
// after checking is_ok(). Thread safety: as for T.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "base/status.hpp"

namespace auditorium {

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
    Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
        // REQUIRES: a Result made from a Status carries an error.
        assert(!status_.is_ok());
        if (status_.is_ok()) status_ = internal_error("Result constructed from an OK status");
    }

    bool is_ok() const { return value_.has_value(); }
    explicit operator bool() const { return is_ok(); }
    const Status& status() const { return status_; }

    T& value() & {
        assert(is_ok());
        return *value_;
    }
    const T& value() const& {
        assert(is_ok());
        return *value_;
    }
    // By value, so `for (auto& x : f().value())` does not dangle.
    T value() && {
        assert(is_ok());
        return std::move(*value_);
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    Status status_;
    std::optional<T> value_;
};

}  // namespace auditorium

#define AUD_CONCAT_INNER(a, b) a##b
#define AUD_CONCAT(a, b) AUD_CONCAT_INNER(a, b)

// AUD_ASSIGN_OR_RETURN(auto x, expr): binds the value of a Result or returns its Status.
// `lhs` is a declaration (`auto x`), which cannot be bracketed.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define AUD_ASSIGN_OR_RETURN(lhs, expr)                    \
    auto AUD_CONCAT(aud_result_, __LINE__) = (expr);       \
    if (!AUD_CONCAT(aud_result_, __LINE__).is_ok())        \
        return AUD_CONCAT(aud_result_, __LINE__).status(); \
    lhs = std::move(AUD_CONCAT(aud_result_, __LINE__)).value()
// NOLINTEND(bugprone-macro-parentheses)
