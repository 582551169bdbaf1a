#include "eventstore/tree_head.hpp"

#include <sodium.h>

#include <cstring>

#include "base/big_endian.hpp"
#include "eventstore/internal/layout.hpp"

namespace auditorium::eventstore {
namespace {

constexpr std::string_view kLabel{"auditorium/tree-head/v1\0", 24};
constexpr std::size_t kMessageSize = 24 + 16 + 8 + 32 + 8 + 8 + 1;
constexpr std::size_t kSignatureSize = 64;

}  // namespace

std::string SignedTreeHead::message() const {
    std::string m;
    m.reserve(kMessageSize);
    m.append(kLabel);
    m.append(store_id.view());
    put_be64(m, size);
    m.append(root);
    put_be64(m, static_cast<std::uint64_t>(time_us));
    m.append(reinterpret_cast<const char*>(key_id.data()), key_id.size());
    m.push_back(dev ? '\x01' : '\x00');
    return m;
}

Status verify_tree_head(const SignedTreeHead& head, std::string_view public_key) {
    if (public_key.size() != crypto_sign_PUBLICKEYBYTES) {
        return invalid_argument("a signing public key has 32 bytes");
    }
    if (head.signature.size() != kSignatureSize || head.root.size() != 32) {
        return corruption("tree head of size " + std::to_string(head.size) + " is malformed");
    }
    const std::string m = head.message();
    if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(head.signature.data()),
                                    reinterpret_cast<const unsigned char*>(m.data()), m.size(),
                                    reinterpret_cast<const unsigned char*>(public_key.data())) !=
        0) {
        return corruption("tree head of size " + std::to_string(head.size) +
                          " has a signature that does not verify under key " +
                          signing_key_id_hex(head.key_id));
    }
    return Status::ok();
}

std::string encode_tree_head(const SignedTreeHead& head) { return head.message() + head.signature; }

Result<SignedTreeHead> decode_tree_head(std::string_view bytes) {
    if (bytes.size() != kMessageSize + kSignatureSize || bytes.substr(0, kLabel.size()) != kLabel) {
        return corruption("malformed tree head");
    }
    SignedTreeHead h;
    std::size_t at = kLabel.size();
    h.store_id = *Id::from_bytes(bytes.substr(at, 16));
    at += 16;
    h.size = get_be64(bytes.substr(at));
    at += 8;
    h.root = std::string(bytes.substr(at, 32));
    at += 32;
    h.time_us = static_cast<std::int64_t>(get_be64(bytes.substr(at)));
    at += 8;
    std::memcpy(h.key_id.data(), bytes.data() + at, 8);
    at += 8;
    if (bytes[at] != 0 && bytes[at] != 1) return corruption("malformed tree head (dev flag)");
    h.dev = bytes[at] == 1;
    ++at;
    h.signature = std::string(bytes.substr(at));
    return h;
}

std::string signing_key_id_hex(const SigningKeyId& id) {
    return to_hex(std::string_view(reinterpret_cast<const char*>(id.data()), id.size()));
}

}  // namespace auditorium::eventstore
