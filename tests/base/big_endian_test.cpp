#include "base/big_endian.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

using namespace auditorium;

TEST_CASE("big-endian puts write the most significant byte first") {
    std::string out;
    put_be64(out, 0x0102030405060708ull);
    CHECK(out == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));

    out.clear();
    put_be32(out, 0xA1B2C3D4u);
    CHECK(out == "\xA1\xB2\xC3\xD4");

    out.clear();
    put_be16(out, 0x0F10);
    CHECK(out == "\x0F\x10");

    CHECK(be64(1) == std::string("\0\0\0\0\0\0\0\x01", 8));
    CHECK(be64(0).size() == 8);
}

TEST_CASE("big-endian puts append to what the string holds") {
    std::string out = "k";
    put_be16(out, 0x0102);
    put_be32(out, 0x03040506);
    put_be64(out, 0x0708090A0B0C0D0Eull);
    CHECK(out == std::string("k\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B\x0C\x0D\x0E", 15));
}

TEST_CASE("big-endian gets read known bytes, including bytes with the high bit set") {
    CHECK(get_be64(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8)) == 0x0102030405060708ull);
    CHECK(get_be64(std::string(8, '\xFF')) == std::numeric_limits<std::uint64_t>::max());
    CHECK(get_be32(std::string_view("\xFF\x00\x80\x01", 4)) == 0xFF008001u);  // holds a NUL: sized
    CHECK(get_be16("\x80\x7F") == 0x807F);
}

TEST_CASE("big-endian gets read only the first N bytes of a longer view") {
    const std::string bytes = be64(42) + "trailing";
    CHECK(get_be64(bytes) == 42);
    CHECK(get_be32(std::string_view(bytes).substr(4)) == 42);
    CHECK(get_be16(std::string_view(bytes).substr(6)) == 42);
}

TEST_CASE("big-endian values round trip at the edges of their ranges") {
    for (std::uint64_t v :
         {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{0xFF}, std::uint64_t{0x100},
          std::uint64_t{1} << 63, std::numeric_limits<std::uint64_t>::max()}) {
        CHECK(get_be64(be64(v)) == v);
    }
    for (std::uint32_t v : {0u, 1u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu}) {
        std::string out;
        put_be32(out, v);
        CHECK(get_be32(out) == v);
    }
    for (std::uint16_t v :
         {std::uint16_t{0}, std::uint16_t{0x00FF}, std::uint16_t{0xFF00}, std::uint16_t{0xFFFF}}) {
        std::string out;
        put_be16(out, v);
        CHECK(get_be16(out) == v);
    }
}

TEST_CASE("big-endian keys sort as their numbers do") {
    const std::uint64_t values[] = {
        0, 1, 255, 256, 65535, 65536, std::uint64_t{1} << 40, ~std::uint64_t{0}};
    for (std::size_t i = 0; i + 1 < std::size(values); ++i) {
        CHECK(be64(values[i]) < be64(values[i + 1]));
    }
}
