// Secret: a passphrase or key in a fixed buffer, wiped when its holder goes away.
#include "eventstore/secret.hpp"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>

using auditorium::eventstore::Secret;

namespace {

// Storage that outlives the holder, so the test can look at the bytes after the holder is gone.
using Storage = std::array<char, 64>;

bool all_zero(const Storage& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

}  // namespace

TEST_CASE("a secret's bytes are wiped when its holder is destroyed") {
    Storage storage{};
    {
        Secret s{std::span<char>(storage)};
        REQUIRE(s.append("a long and secret passphrase").is_ok());
        CHECK(s.view() == "a long and secret passphrase");
        // The holder writes into the caller's storage, not into a copy of its own.
        CHECK(std::string_view(storage.data(), s.size()) == "a long and secret passphrase");
    }
    CHECK(all_zero(storage));
}

TEST_CASE("a moved secret is wiped once, by its last holder") {
    Storage storage{};
    {
        Secret first{std::span<char>(storage)};
        REQUIRE(first.append("correct horse battery").is_ok());
        {
            Secret second(std::move(first));
            CHECK(first.empty());
            CHECK(second.view() == "correct horse battery");
        }
        CHECK(all_zero(storage));
    }
    CHECK(all_zero(storage));
}

TEST_CASE("clearing a secret wipes every byte of its buffer, and popping wipes the byte removed") {
    Storage storage{};
    Secret s{std::span<char>(storage)};
    REQUIRE(s.append("passphrase\r").is_ok());
    s.pop_back();
    CHECK(s.view() == "passphrase");
    CHECK(storage[10] == 0);
    s.clear();
    CHECK(s.empty());
    CHECK(all_zero(storage));
}

TEST_CASE("a secret never grows past its capacity, so no copy is left behind by a reallocation") {
    Storage storage{};
    Secret s{std::span<char>(storage)};
    REQUIRE(s.append(std::string(60, 'x')).is_ok());
    const auto refused = s.append("more than fits");
    CHECK(refused.code() == auditorium::StatusCode::kInvalidArgument);
    CHECK(s.size() == 60);
    CHECK(s.capacity() == storage.size());
}

TEST_CASE("an owned secret holds its bytes until destroyed, and a sized one starts as zeros") {
    Secret owned(32);
    REQUIRE(owned.append("abc").is_ok());
    CHECK(owned.view() == "abc");
    Secret key = Secret::zeros(32);
    CHECK(key.size() == 32);
    CHECK(key.view() == std::string(32, '\0'));
    key.data()[0] = 'k';
    CHECK(key.view()[0] == 'k');
}
