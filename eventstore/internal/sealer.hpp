// Sealing of one section: XChaCha20-Poly1305 under the subject's data key, with associated data
// binding the section to its entry (position, stream, version, type, event id) and to its key
// (subject, key class, key id), and a key commitment, because the cipher alone does not commit to
// its key: BLAKE2b-256 keyed by the data key over kCommitmentLabel || nonce.
//
// Pure functions over libsodium; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/id.hpp"
#include "base/result.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore::internal {

inline constexpr std::size_t kDataKeySize = 32;
inline constexpr std::size_t kNonceSize = 24;
inline constexpr std::size_t kCommitmentSize = 32;
inline constexpr std::size_t kTagSize = 16;
inline constexpr std::string_view kCommitmentLabel = "auditorium/section-key-commitment/v1";

// A data key. Zeroed when destroyed.
class DataKey {
public:
    DataKey() = default;
    explicit DataKey(const std::uint8_t* bytes);
    ~DataKey();
    DataKey(const DataKey&);
    DataKey& operator=(const DataKey&);
    static DataKey generate();
    const std::uint8_t* data() const { return bytes_.data(); }

private:
    std::array<std::uint8_t, kDataKeySize> bytes_{};
};

// What a section's associated data binds.
struct SectionBinding {
    Position position = 0;
    std::string_view stream;
    StreamVersion version = 0;
    std::string_view type;
    Id event_id;
    Id subject;
    KeyClass key_class = KeyClass::kPersonal;
    std::uint32_t key_id = 0;
};

struct SealedSection {
    std::array<std::uint8_t, kCommitmentSize> commitment{};
    std::array<std::uint8_t, kNonceSize> nonce{};
    std::string ciphertext;  // plaintext size + kTagSize
};

// The canonical associated-data bytes (length-prefixed fields; see docs/ledger-format.md).
std::string associated_data(const SectionBinding& binding);

// `nonce`: kNonceSize random bytes, never used twice with the same key (the caller draws them,
// many at once, from libsodium's randombytes).
SealedSection seal(const DataKey& key, const SectionBinding& binding, std::string_view plaintext,
                   const std::uint8_t* nonce);
SealedSection seal(const DataKey& key, const SectionBinding& binding, std::string_view plaintext);

// Corruption when the commitment does not match the key or the tag does not verify.
Result<std::string> open(const DataKey& key, const SectionBinding& binding,
                         std::string_view commitment, std::string_view nonce,
                         std::string_view ciphertext);

}  // namespace auditorium::eventstore::internal
