// Entry bytes <-> entry fields. The bytes are a flatbuffers "AUDE" envelope (schema/entry.fbs);
// they are what is stored, hashed into the Merkle tree and exported. decode() runs the
// flatbuffers verifier first, so arbitrary (tampered, truncated) bytes give Corruption, never a
// crash. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "eventstore/internal/sealer.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore::internal {

// An entry's header: everything but the payload.
struct EntryHeader {
    Position position = 0;
    std::string stream;
    StreamVersion version = 0;
    Id event_id;
    std::string type;
    std::uint16_t schema_version = 1;
    std::int64_t recorded_at_us = 0;
    Id actor;
    Id subject;
    Id correlation;
    Id causation;
};

// A section as stored: still sealed.
struct StoredSection {
    Id subject;
    KeyClass key_class = KeyClass::kPersonal;
    std::uint32_t key_id = 0;
    std::string commitment;
    std::string nonce;
    std::string ciphertext;
};

struct DecodedEntry {
    EntryHeader header;
    std::string clear;
    std::vector<StoredSection> sections;
};

inline constexpr std::uint16_t kEntryFormat = 1;

// The binding of section `s` of an entry with `header`.
SectionBinding binding_of(const EntryHeader& header, const Id& subject, KeyClass key_class,
                          std::uint32_t key_id);

std::string encode_entry(const EntryHeader& header, std::string_view clear,
                         const std::vector<StoredSection>& sections);

Result<DecodedEntry> decode_entry(std::string_view bytes);

// The same checks as decode_entry, copying nothing out: for readers that need only these fields
// (the verifier reads every entry of the ledger).
struct EntrySummary {
    Position position = 0;
    std::size_t sections = 0;
};
Result<EntrySummary> summarize_entry(std::string_view bytes);

}  // namespace auditorium::eventstore::internal
