#include "eventstore/internal/entry_codec.hpp"

#include <catch2/catch.hpp>
#include <cstring>
#include <random>

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::eventstore::internal;

namespace {

EntryHeader header() {
    EntryHeader h;
    h.position = 42;
    h.stream = "event-abc";
    h.version = 3;
    h.event_id = *Id::from_hex("0102030405060708090a0b0c0d0e0f10");
    h.type = "event.created";
    h.schema_version = 2;
    h.recorded_at_us = 1'700'000'000'000'000;
    h.actor = *Id::from_hex("11111111111111111111111111111111");
    h.subject = *Id::from_hex("22222222222222222222222222222222");
    return h;
}

}  // namespace

TEST_CASE("an entry round-trips through its bytes") {
    StoredSection s{header().subject,     KeyClass::kPersonal,  1,
                    std::string(32, 'c'), std::string(24, 'n'), "ciphertext-bytes"};
    const std::string bytes = encode_entry(header(), "clear part", {s});
    auto d = decode_entry(bytes);
    REQUIRE(d.is_ok());
    CHECK(d->header.position == 42);
    CHECK(d->header.stream == "event-abc");
    CHECK(d->header.version == 3);
    CHECK(d->header.event_id == header().event_id);
    CHECK(d->header.type == "event.created");
    CHECK(d->header.schema_version == 2);
    CHECK(d->header.recorded_at_us == 1'700'000'000'000'000);
    CHECK(d->header.actor == header().actor);
    CHECK(d->header.subject == header().subject);
    CHECK(d->header.correlation.is_none());
    CHECK(d->clear == "clear part");
    REQUIRE(d->sections.size() == 1);
    CHECK(d->sections[0].ciphertext == "ciphertext-bytes");
    CHECK(d->sections[0].nonce == std::string(24, 'n'));
    CHECK(d->sections[0].key_id == 1);
}

TEST_CASE("truncated or random bytes decode to corruption, never a crash") {
    const std::string bytes = encode_entry(header(), "clear", {});
    for (std::size_t n = 0; n < bytes.size(); n += 3) {
        CHECK(decode_entry(bytes.substr(0, n)).status().code() == StatusCode::kCorruption);
    }
    std::mt19937 rng(7);
    for (int i = 0; i < 2000; ++i) {
        std::string junk = bytes;
        junk[rng() % junk.size()] = static_cast<char>(rng());
        (void)decode_entry(junk);  // must not crash; may or may not decode
        std::string noise(rng() % 200, '\0');
        for (auto& c : noise) c = static_cast<char>(rng());
        CHECK_FALSE(decode_entry(noise).is_ok());
    }
}

TEST_CASE("an entry decodes from a misaligned buffer, as RocksDB may hand it out") {
    const std::string bytes = encode_entry(header(), "clear", {});
    std::string shifted(bytes.size() + 1, '\0');
    std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
    auto d = decode_entry(std::string_view(shifted).substr(1));
    REQUIRE(d.is_ok());
    CHECK(d->header.position == 42);
    CHECK(d->clear == "clear");
}
