// Helpers shared by the domain's given/when/then tests: readable fixed ids and the check that a
// decision was refused with the expected code, naming the expected rule or field.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

#include "base/id.hpp"
#include "base/result.hpp"
#include "domain/rejection.hpp"

namespace auditorium::testing {

// A fixed pseudonym: n in the last byte, so a failing check prints ids one can tell apart.
inline Id test_id(std::uint8_t n) {
    Id::Bytes b{};
    b[0] = 0xA0;
    b[15] = n;
    return Id(b);
}

template <class V>
void then_rejected(const Result<V>& r, StatusCode code, const std::string& rule_or_field) {
    INFO(r.status().to_string());
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == code);
    const domain::Rejection* why = domain::rejection_of(r.status());
    REQUIRE(why != nullptr);
    const bool named = why->rule == rule_or_field ||
                       std::find(why->fields.begin(), why->fields.end(), rule_or_field) != why->fields.end();
    CHECK(named);
}

}  // namespace auditorium::testing
