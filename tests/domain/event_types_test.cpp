// The one table of event type names: no name twice, and every name is what the codec writes.
#include "domain/event_types.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string_view>

using namespace auditorium::domain;

TEST_CASE("no event type name is in the table twice") {
    std::set<std::string_view> names;
    for (const auto& type : event_types::kAll) {
        INFO(type.name);
        CHECK(names.insert(type.name).second);
        CHECK(type.version == 1);
    }
    CHECK(names.size() == 29);
}
