#include "eventstore/internal/sealer.hpp"

#include <sodium.h>

#include <cstring>

#include "base/big_endian.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/public_random.hpp"

namespace auditorium::eventstore::internal {
namespace {

void append_field(std::string& out, std::string_view field) {
    put_be32(out, static_cast<std::uint32_t>(field.size()));
    out.append(field);
}

std::array<std::uint8_t, kCommitmentSize> commit(const DataKey& key, const std::uint8_t* nonce) {
    std::array<std::uint8_t, kCommitmentSize> out{};
    crypto_generichash_state state;
    crypto_generichash_init(&state, key.data(), kDataKeySize, out.size());
    crypto_generichash_update(&state,
                              reinterpret_cast<const unsigned char*>(kCommitmentLabel.data()),
                              kCommitmentLabel.size());
    crypto_generichash_update(&state, nonce, kNonceSize);
    crypto_generichash_final(&state, out.data(), out.size());
    return out;
}

}  // namespace

DataKey::DataKey(const std::uint8_t* bytes) { std::memcpy(bytes_.data(), bytes, kDataKeySize); }
DataKey::~DataKey() { sodium_memzero(bytes_.data(), bytes_.size()); }
DataKey::DataKey(const DataKey& other) : bytes_(other.bytes_) {}
DataKey& DataKey::operator=(const DataKey& other) {
    bytes_ = other.bytes_;
    return *this;
}

DataKey DataKey::generate() {
    DataKey key;
    crypto_aead_xchacha20poly1305_ietf_keygen(key.bytes_.data());
    return key;
}

std::string associated_data(const SectionBinding& b) {
    std::string out;
    out.reserve(96 + b.stream.size() + b.type.size());
    out.append("auditorium/section/v1");
    put_be64(out, b.position);
    append_field(out, b.stream);
    put_be64(out, b.version);
    append_field(out, b.type);
    out.append(b.event_id.view());
    out.append(b.subject.view());
    out.push_back(static_cast<char>(b.key_class));
    put_be32(out, b.key_id);
    return out;
}

SealedSection seal(const DataKey& key, const SectionBinding& binding, std::string_view plaintext) {
    std::array<std::uint8_t, kNonceSize> nonce;
    public_random(nonce.data(), nonce.size());
    return seal(key, binding, plaintext, nonce.data());
}

SealedSection seal(const DataKey& key, const SectionBinding& binding, std::string_view plaintext,
                   const std::uint8_t* nonce) {
    SealedSection s;
    std::memcpy(s.nonce.data(), nonce, kNonceSize);
    s.commitment = commit(key, s.nonce.data());
    const std::string ad = associated_data(binding);
    s.ciphertext.resize(plaintext.size() + kTagSize);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char*>(s.ciphertext.data()), &written,
        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
        reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, s.nonce.data(),
        key.data());
    s.ciphertext.resize(written);
    return s;
}

Result<std::string> open(const DataKey& key, const SectionBinding& binding,
                         std::string_view commitment, std::string_view nonce,
                         std::string_view ciphertext) {
    if (nonce.size() != kNonceSize || commitment.size() != kCommitmentSize ||
        ciphertext.size() < kTagSize) {
        return corruption("malformed section (nonce, commitment or ciphertext length)");
    }
    const auto expected = commit(key, reinterpret_cast<const std::uint8_t*>(nonce.data()));
    if (sodium_memcmp(expected.data(), commitment.data(), kCommitmentSize) != 0) {
        return corruption("key commitment does not match the subject's key");
    }
    const std::string ad = associated_data(binding);
    std::string plain(ciphertext.size() - kTagSize, '\0');
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(plain.data()), &written, nullptr,
            reinterpret_cast<const unsigned char*>(ciphertext.data()), ciphertext.size(),
            reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
            reinterpret_cast<const unsigned char*>(nonce.data()), key.data()) != 0) {
        return corruption("authentication tag does not verify");
    }
    plain.resize(written);
    return plain;
}

}  // namespace auditorium::eventstore::internal
