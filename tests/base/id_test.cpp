#include "base/id.hpp"

#include <catch2/catch.hpp>

using namespace auditorium;

TEST_CASE("hex is lowercase by default, uppercase on request, and reads either case back") {
    const std::string bytes("\x00\x9A\xFF\x10", 4);
    CHECK(to_hex(bytes) == "009aff10");
    CHECK(to_hex_upper(bytes) == "009AFF10");
    CHECK(from_hex("009aff10") == bytes);
    CHECK(from_hex("009AFF10") == bytes);
    CHECK(to_hex("").empty());
}

TEST_CASE("hex refuses an odd length or a non-hex digit") {
    CHECK_FALSE(from_hex("abc").has_value());
    CHECK_FALSE(from_hex("0g").has_value());
}
