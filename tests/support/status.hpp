// REQUIRE_OK / CHECK_OK: a Status or Result is OK, and when it is not the failure message says why
// (its code and message), not only that is_ok() was false.
#pragma once

#include <catch2/catch.hpp>

#include "base/result.hpp"
#include "base/status.hpp"

namespace auditorium::testing {
inline const Status& status_of(const Status& s) { return s; }
template <class T>
const Status& status_of(const Result<T>& r) {
    return r.status();
}
}  // namespace auditorium::testing

#define REQUIRE_OK(expr)                                                  \
    do {                                                                  \
        const auto& aud_checked_ = (expr);                                \
        INFO(::auditorium::testing::status_of(aud_checked_).to_string()); \
        REQUIRE(aud_checked_.is_ok());                                    \
    } while (false)

#define CHECK_OK(expr)                                                    \
    do {                                                                  \
        const auto& aud_checked_ = (expr);                                \
        INFO(::auditorium::testing::status_of(aud_checked_).to_string()); \
        CHECK(aud_checked_.is_ok());                                      \
    } while (false)
