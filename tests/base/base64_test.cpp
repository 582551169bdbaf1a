#include "base/base64.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>

using namespace auditorium;
using Catch::Matchers::Contains;

namespace {

// RFC 4648, section 10.
const std::pair<const char*, const char*> kRfc4648Vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

std::string all_bytes() {
    std::string out;
    for (int i = 0; i < 256; ++i) out.push_back(static_cast<char>(i));
    return out;
}

}  // namespace

TEST_CASE("base64 encodes the RFC 4648 test vectors") {
    for (const auto& [clear, encoded] : kRfc4648Vectors) {
        INFO(clear);
        CHECK(base64_encode(clear) == encoded);
    }
}

TEST_CASE("base64 decodes the RFC 4648 test vectors") {
    for (const auto& [clear, encoded] : kRfc4648Vectors) {
        INFO(encoded);
        auto decoded = base64_decode(encoded);
        REQUIRE(decoded.is_ok());
        CHECK(*decoded == clear);
    }
}

TEST_CASE("base64 uses the standard alphabet and round trips every byte value") {
    CHECK(base64_encode("\xFB\xFF\xBF") == "+/+/");
    const std::string bytes = all_bytes();
    auto decoded = base64_decode(base64_encode(bytes));
    REQUIRE(decoded.is_ok());
    CHECK(*decoded == bytes);
}

TEST_CASE("base64 refuses a character outside the alphabet, naming its offset") {
    for (const char* bad : {"Zm9v!mFy", "Zm9v YmFy", "Zm9vYmFy\n", "Zm9v-_Fy"}) {
        INFO(bad);
        auto decoded = base64_decode(bad);
        REQUIRE_FALSE(decoded.is_ok());
        CHECK(decoded.status().code() == StatusCode::kInvalidArgument);
        CHECK_THAT(decoded.status().message(), Contains("not valid base64"));
        CHECK_THAT(decoded.status().message(), Contains("is not a base64 character"));
    }
    CHECK_THAT(base64_decode("Zm9v!mFy").status().message(), Contains("byte 4"));
}

TEST_CASE("base64 refuses missing padding and a length that is not a multiple of 4") {
    for (const char* bad : {"Zg", "Zm8", "Zm9vY", "Zg="}) {
        INFO(bad);
        auto decoded = base64_decode(bad);
        REQUIRE_FALSE(decoded.is_ok());
        CHECK(decoded.status().code() == StatusCode::kInvalidArgument);
        CHECK_THAT(decoded.status().message(), Contains("is not a multiple of 4"));
    }
}

TEST_CASE("base64 refuses non-canonical text: nonzero pad bits and misplaced padding") {
    // "Zh==" and "Zm9=" decode to the same bytes as "Zg==" and "Zm8=" in a lax decoder.
    for (const char* bad : {"Zh==", "Zm9=", "Zg==Zg==", "=Zm9", "Zm=v"}) {
        INFO(bad);
        auto decoded = base64_decode(bad);
        REQUIRE_FALSE(decoded.is_ok());
        CHECK(decoded.status().code() == StatusCode::kInvalidArgument);
        CHECK_THAT(decoded.status().message(), Contains("padding"));
    }
}

TEST_CASE("base64 with an expected size refuses another size, naming both") {
    auto decoded = base64_decode("Zm9vYmFy", 5);
    REQUIRE_FALSE(decoded.is_ok());
    CHECK(decoded.status().code() == StatusCode::kInvalidArgument);
    CHECK(decoded.status().message() == "decodes to 6 bytes; expected 5");

    auto exact = base64_decode("Zm9vYmFy", 6);
    REQUIRE(exact.is_ok());
    CHECK(*exact == "foobar");
    auto empty = base64_decode("", 0);
    REQUIRE(empty.is_ok());
    CHECK(empty->empty());
}
