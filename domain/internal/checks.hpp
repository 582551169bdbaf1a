// Field checks shared by the aggregates. Pure; thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include "base/overloaded.hpp"
#include "domain/rejection.hpp"

namespace auditorium::domain::internal {

using auditorium::Overloaded;

// `min`..`max` bytes of text.
inline Status check_length(const std::string& field, const std::string& value, std::size_t min,
                           std::size_t max) {
    if (value.size() < min || value.size() > max) {
        return invalid_field(field,
                             std::to_string(min) + " to " + std::to_string(max) + " characters");
    }
    return Status::ok();
}

// A URL slug: 1..`max` of [a-z0-9-], not starting or ending with '-'.
inline Status check_slug(const std::string& field, const std::string& slug, std::size_t max) {
    const bool chars = std::all_of(slug.begin(), slug.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (slug.empty() || slug.size() > max || !chars || slug.front() == '-' || slug.back() == '-') {
        return invalid_field(field, "1 to " + std::to_string(max) +
                                        " of a-z, 0-9 and '-', not starting or ending with '-'");
    }
    return Status::ok();
}

}  // namespace auditorium::domain::internal
