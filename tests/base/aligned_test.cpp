// aligned_8: an aligned view is returned as it is; a misaligned one is copied, byte for byte.
#include "base/aligned.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

using namespace auditorium;

TEST_CASE("aligned_8 copies only what is misaligned, and keeps every byte") {
    std::vector<std::uint64_t> backing(4, 0x0102030405060708ull);
    const std::string_view whole(reinterpret_cast<const char*>(backing.data()), 32);
    std::vector<std::uint64_t> storage;
    const auto same = aligned_8(whole, storage);
    CHECK(same.data() == whole.data());
    CHECK(storage.empty());

    const std::string_view shifted = whole.substr(1, 13);
    const auto copy = aligned_8(shifted, storage);
    CHECK(reinterpret_cast<std::uintptr_t>(copy.data()) % alignof(std::uint64_t) == 0);
    CHECK(copy.data() != shifted.data());
    CHECK(copy == shifted);
    CHECK(aligned_8(std::string_view(), storage).empty());
}
