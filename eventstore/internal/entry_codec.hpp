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

// The key a section is sealed under, and its id in the vault.
struct SectionKey {
    DataKey key;
    std::uint32_t key_id = 0;
};

// An event as the ledger stores it: each of `inputs` sealed under the key at the same index of
// `keys` with the nonce at the same index of `nonces` (kNonceSize bytes each, never reused with
// that key), then the entry encoded. `scratch` is reused from call to call to spare allocations.
std::string seal_and_encode(const EntryHeader& header, std::string_view clear,
                            const std::vector<SectionInput>& inputs, const SectionKey* keys,
                            const std::uint8_t* nonces, std::vector<StoredSection>& scratch);

Result<DecodedEntry> decode_entry(std::string_view bytes);
// The header alone, with the same checks: for verify's point checks of the indexes.
Result<EntryHeader> decode_entry_header(std::string_view bytes);

// The same checks as decode_entry, copying nothing out: for readers that need only these fields
// (the verifier reads every entry of the ledger).
struct EntrySummary {
    Position position = 0;
    std::size_t sections = 0;
    bool store_record = false;  // its type is "store.*": verify checks it against the store's rows
};
Result<EntrySummary> summarize_entry(std::string_view bytes);

}  // namespace auditorium::eventstore::internal
