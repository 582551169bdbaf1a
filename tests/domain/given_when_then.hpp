// The check the domain's given/when/then tests share: a decision was refused with the expected
// code, naming the expected rule or field. The values they decide on:
// tests/support/domain_builders.hpp.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "base/id.hpp"
#include "base/result.hpp"
#include "domain/rejection.hpp"
#include "tests/support/domain_builders.hpp"

namespace auditorium::testing {

template <class V>
void then_rejected(const Result<V>& r, StatusCode code, const std::string& rule_or_field) {
    INFO(r.status().to_string());
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == code);
    const domain::Rejection* why = domain::rejection_of(r.status());
    REQUIRE(why != nullptr);
    const bool named =
        why->rule == rule_or_field ||
        std::find(why->fields.begin(), why->fields.end(), rule_or_field) != why->fields.end();
    CHECK(named);
}

}  // namespace auditorium::testing
