// Signed tree heads: a statement, signed with the ledger's Ed25519 key, that the ledger of store
// `store_id` had `size` entries with Merkle root `root` at `time_us`. Auditors keep them and check
// later ledgers against them (consistency), without any decryption key.
//
// The signed bytes (docs/ledger-format.md, "Signed tree heads"):
//   "auditorium/tree-head/v1" 0x00 || store id (16) || BE64(size) || root (32) || BE64(time_us)
//   || key id (8) || dev (1: 0x00 or 0x01)
// Pure values and functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/id.hpp"
#include "base/result.hpp"

namespace auditorium::eventstore {

using SigningKeyId = std::array<std::uint8_t, 8>;

struct SignedTreeHead {
    Id store_id;
    std::uint64_t size = 0;
    std::string root;  // 32 bytes
    std::int64_t time_us = 0;
    SigningKeyId key_id{};
    bool dev = false;
    std::string signature;  // 64 bytes, Ed25519 over message()

    std::string message() const;
};

// Ed25519 verification of the head under `public_key` (32 bytes). Corruption when it fails.
Status verify_tree_head(const SignedTreeHead& head, std::string_view public_key);

// The stored form: message() || signature. decode checks lengths and the label only.
std::string encode_tree_head(const SignedTreeHead& head);
Result<SignedTreeHead> decode_tree_head(std::string_view bytes);

std::string signing_key_id_hex(const SigningKeyId& id);  // 16 hex digits, as stored

}  // namespace auditorium::eventstore
