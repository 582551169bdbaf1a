// SealProbe: the per-event CPU work of an append, outside a store, for `auditorium-bench seal`.
// seal_and_hash runs exactly what RocksStore::prepare runs for each event (entry_codec's
// seal_and_encode: bind each section to its entry, XChaCha20-Poly1305, the key commitment, the
// flatbuffers entry; then the entry's Merkle leaf hash), so the benchmark measures the store's
// own code without reaching into eventstore/internal/.
//
// The probe holds one event shape: one personal section of a fixed payload, sealed under a key
// drawn when the probe is made. Not thread-safe (it reuses scratch space): one probe per thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/id.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore {

class SealProbe {
public:
    static constexpr std::size_t kNonceSize = 24;       // bytes of one section's nonce
    static constexpr std::size_t kCommitmentSize = 32;  // bytes of a section's key commitment

    // Events of `stream` and `type` whose subject and actor are `subject`, each with one personal
    // section of `payload` under a fresh data key. REQUIRES: sodium_init() has succeeded.
    SealProbe(std::string stream, std::string type, const Id& subject, std::string payload);
    ~SealProbe();
    SealProbe(const SealProbe&) = delete;
    SealProbe& operator=(const SealProbe&) = delete;

    // What varies from event to event.
    struct Event {
        Position position = 0;
        StreamVersion version = 0;
        Id event_id;
        std::int64_t recorded_at_us = 0;
        std::string_view clear;
    };
    struct Sealed {
        std::size_t entry_bytes = 0;
        std::array<std::uint8_t, 32> leaf_hash{};
    };
    // `nonce`: kNonceSize bytes, never used twice with this probe (its key is fixed).
    Sealed seal_and_hash(const Event& event, const std::uint8_t* nonce);

    // For a baseline doing the same cryptography by hand: the size of a section's associated
    // data and the label its key commitment hashes (BLAKE2b keyed by the data key over
    // label || nonce).
    std::size_t associated_data_size() const;
    static std::string_view commitment_label();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace auditorium::eventstore
