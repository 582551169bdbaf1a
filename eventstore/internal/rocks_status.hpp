// The one place where rocksdb::Status becomes ours (docs/style.md: translate once per boundary).
#pragma once

#include <rocksdb/status.h>

#include <string_view>

#include "base/status.hpp"

namespace auditorium::eventstore::internal {

inline Status from_rocks(const rocksdb::Status& s, std::string_view context) {
    if (s.ok()) return Status::ok();
    std::string m(context);
    m += ": ";
    if (s.IsNoSpace()) {
        m += "disk full (" + s.ToString() + ")";
        return unavailable(std::move(m));
    }
    m += s.ToString();
    if (s.IsCorruption()) return corruption(std::move(m));
    if (s.IsNotFound()) return not_found(std::move(m));
    if (s.IsIOError() || s.IsBusy() || s.IsTimedOut() || s.IsTryAgain() || s.IsAborted())
        return unavailable(std::move(m));
    if (s.IsInvalidArgument()) return invalid_argument(std::move(m));
    return internal_error(std::move(m));
}

}  // namespace auditorium::eventstore::internal
