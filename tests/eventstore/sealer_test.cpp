#include "eventstore/internal/sealer.hpp"

#include <sodium.h>
#include <catch2/catch.hpp>

#include "eventstore/sodium_init.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::eventstore::internal;

namespace {

SectionBinding binding(Position position = 7) {
    static const Id event_id = *Id::from_hex("0102030405060708090a0b0c0d0e0f10");
    static const Id subject = *Id::from_hex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
    return SectionBinding{position, "registration-x",    3, "person.registered", event_id,
                          subject,  KeyClass::kPersonal, 1};
}

std::string as_string(const auto& bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

TEST_CASE("a sealed section opens with its key and binding") {
    REQUIRE(eventstore::init_sodium().is_ok());
    const DataKey key = DataKey::generate();
    const SealedSection s = seal(key, binding(), "hello");
    CHECK(s.ciphertext.size() == 5 + kTagSize);
    CHECK(s.ciphertext.find("hello") == std::string::npos);
    auto plain = open(key, binding(), as_string(s.commitment), as_string(s.nonce), s.ciphertext);
    REQUIRE(plain.is_ok());
    CHECK(*plain == "hello");
}

TEST_CASE("another key is refused by the key commitment before decryption") {
    const DataKey key = DataKey::generate();
    const DataKey other = DataKey::generate();
    const SealedSection s = seal(key, binding(), "hello");
    auto r = open(other, binding(), as_string(s.commitment), as_string(s.nonce), s.ciphertext);
    CHECK(r.status().code() == StatusCode::kCorruption);
    CHECK(r.status().message().find("commitment") != std::string::npos);
}

TEST_CASE("a section moved to another position or with a changed byte fails its tag") {
    const DataKey key = DataKey::generate();
    const SealedSection s = seal(key, binding(7), "hello");
    auto moved = open(key, binding(8), as_string(s.commitment), as_string(s.nonce), s.ciphertext);
    CHECK(moved.status().code() == StatusCode::kCorruption);
    CHECK(moved.status().message().find("tag") != std::string::npos);
    std::string flipped = s.ciphertext;
    flipped[0] ^= 1;
    CHECK_FALSE(open(key, binding(), as_string(s.commitment), as_string(s.nonce), flipped).is_ok());
    auto other_class = binding();
    other_class.key_class = KeyClass::kRetained;
    CHECK_FALSE(
        open(key, other_class, as_string(s.commitment), as_string(s.nonce), s.ciphertext).is_ok());
    CHECK_FALSE(open(key, binding(), as_string(s.commitment), "short", s.ciphertext).is_ok());
}

TEST_CASE("associated data differs for every bound field") {
    const std::string base = associated_data(binding());
    auto b = binding();
    b.version = 4;
    CHECK(associated_data(b) != base);
    b = binding();
    b.type = "person.updated";
    CHECK(associated_data(b) != base);
    b = binding();
    b.stream = "registration-y";
    CHECK(associated_data(b) != base);
    b = binding();
    b.key_id = 2;
    CHECK(associated_data(b) != base);
}
