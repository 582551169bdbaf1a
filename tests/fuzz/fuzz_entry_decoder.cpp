// Fuzz target: arbitrary bytes into decode_entry, which must answer Corruption or an entry, never
// crash (the flatbuffers verifier runs first). Whatever decodes must survive a round trip:
// encode_entry(decoded) decodes again to the same fields, and encoding is deterministic, so
// encoding the second decode gives the same bytes as the first encode.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "eventstore/internal/entry_codec.hpp"

namespace {

using auditorium::eventstore::internal::decode_entry;
using auditorium::eventstore::internal::DecodedEntry;
using auditorium::eventstore::internal::encode_entry;
using auditorium::eventstore::internal::EntryHeader;
using auditorium::eventstore::internal::StoredSection;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz_entry_decoder: %s\n", what);
    std::abort();
}

bool same_header(const EntryHeader& a, const EntryHeader& b) {
    return a.position == b.position && a.stream == b.stream && a.version == b.version &&
           a.event_id == b.event_id && a.type == b.type && a.schema_version == b.schema_version &&
           a.recorded_at_us == b.recorded_at_us && a.actor == b.actor && a.subject == b.subject &&
           a.correlation == b.correlation && a.causation == b.causation;
}

bool same_section(const StoredSection& a, const StoredSection& b) {
    return a.subject == b.subject && a.key_class == b.key_class && a.key_id == b.key_id &&
           a.commitment == b.commitment && a.nonce == b.nonce && a.ciphertext == b.ciphertext;
}

bool same_entry(const DecodedEntry& a, const DecodedEntry& b) {
    if (!same_header(a.header, b.header) || a.clear != b.clear) return false;
    if (a.sections.size() != b.sections.size()) return false;
    for (std::size_t i = 0; i < a.sections.size(); ++i) {
        if (!same_section(a.sections[i], b.sections[i])) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto first = decode_entry(input);
    if (!first.is_ok()) return 0;

    const std::string encoded = encode_entry(first->header, first->clear, first->sections);
    auto second = decode_entry(encoded);
    if (!second.is_ok()) fail("a re-encoded entry does not decode");
    if (!same_entry(*first, *second)) fail("an entry's fields change across encode and decode");

    const std::string reencoded = encode_entry(second->header, second->clear, second->sections);
    if (reencoded != encoded) fail("encoding the same fields twice gives different bytes");
    return 0;
}
