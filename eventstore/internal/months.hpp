// Calendar months (UTC) as retention keys count them: a retention key's id is yyyymm of the time it
// was first asked for, and it may go once the month's end has passed retention.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <ctime>

namespace auditorium::eventstore::internal {

// yyyymm (UTC) of `now_us`.
inline std::uint32_t month_key_id(std::int64_t now_us) {
    const std::time_t t = static_cast<std::time_t>(now_us / 1'000'000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return static_cast<std::uint32_t>((tm.tm_year + 1900) * 100 + tm.tm_mon + 1);
}

// The first microsecond after month `yyyymm` (UTC).
inline std::int64_t month_end_us(std::uint32_t yyyymm) {
    std::tm tm{};
    tm.tm_year = static_cast<int>(yyyymm / 100) - 1900;
    tm.tm_mon = static_cast<int>(yyyymm % 100);  // the next month (0-based), normalized by timegm
    tm.tm_mday = 1;
    return static_cast<std::int64_t>(timegm(&tm)) * 1'000'000;
}

}  // namespace auditorium::eventstore::internal
