// One digest per read model over its canonical plaintext content, never over ciphertext (whose
// nonces differ from one fold to the next): SHA-256 over every row in key order, each as
// BE32 length || key, BE32 length || clear part, then 0x00 when it holds no readable personal
// data, or 0x01 || BE32 length || the personal part opened. A sealed field whose key is gone (an
// erasure not yet folded) counts as none, as a rebuild would have it. Two folds of the same
// ledger up to the same position give the same digests; `auditorium ledger replay` and
// `auditorium projections digest` print them.
//
// Thread safety: reads only; as ModelStore's reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "eventstore/privacy_keys.hpp"
#include "projections/model_store.hpp"

namespace auditorium::projections {

struct ModelDigest {
    std::string model;
    eventstore::Position position = 0;  // the model's checkpoint
    std::uint64_t rows = 0;
    std::string sha256_hex;
};

Result<std::vector<ModelDigest>> digest_models(const ModelStore& models,
                                               eventstore::PrivacyKeys& keys);

}  // namespace auditorium::projections
