#include "base/status.hpp"

#include <catch2/catch.hpp>

#include "base/id.hpp"
#include "base/result.hpp"

using namespace auditorium;

TEST_CASE("a status names its code and message, and context keeps the code") {
    const Status s = corruption("bad tag").with_context("entry at position 7");
    CHECK_FALSE(s.is_ok());
    CHECK(s.code() == StatusCode::kCorruption);
    CHECK(s.to_string() == "Corruption: entry at position 7: bad tag");
    CHECK(Status::ok().to_string() == "OK");
}

struct Detail : StatusDetail {
    int value = 0;
};

TEST_CASE("typed detail survives copies and context") {
    auto d = std::make_shared<Detail>();
    d->value = 42;
    const Status s = aborted("conflict").with_detail(d).with_context("append");
    REQUIRE(s.detail<Detail>() != nullptr);
    CHECK(s.detail<Detail>()->value == 42);
    CHECK(aborted("x").detail<Detail>() == nullptr);
}

Result<int> parse_positive(int v) {
    if (v <= 0) return invalid_argument("not positive");
    return v;
}

Result<int> doubled(int v) {
    AUD_ASSIGN_OR_RETURN(int x, parse_positive(v));
    return 2 * x;
}

TEST_CASE("a result carries a value or the status that stopped it") {
    CHECK(doubled(4).value() == 8);
    CHECK(doubled(-1).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("ids round-trip through hex and reject malformed text") {
    const auto id = Id::from_hex("00112233445566778899aabbccddeeff");
    REQUIRE(id);
    CHECK(id->hex() == "00112233445566778899aabbccddeeff");
    CHECK_FALSE(Id::from_hex("0011"));
    CHECK_FALSE(Id::from_hex("zz112233445566778899aabbccddeeff"));
    CHECK(Id().is_none());
    CHECK_FALSE(id->is_none());
    CHECK(to_hex("\x01\xff") == "01ff");
    CHECK(from_hex("01ff") == std::string("\x01\xff"));
    CHECK_FALSE(from_hex("0"));
}
