#include "eventstore/internal/model_keys.hpp"

#include <sodium.h>

#include "eventstore/internal/public_random.hpp"
#include "eventstore/internal/vault.hpp"

namespace auditorium::eventstore::internal {
namespace {

constexpr std::uint32_t kSingleKeyId = 1;  // personal keys: one per subject

}  // namespace

Result<std::string> ModelKeys::blind_index(std::string_view purpose, std::string_view value) {
    if (!vault_) return failed_precondition("a blind index needs the keys");
    MutexLock lock(mu_);
    if (!blind_key_) {
        constexpr std::string_view kName = "blind-index";
        AUD_ASSIGN_OR_RETURN(auto stored, vault_->load_secret(kName));
        if (!stored) {
            if (read_only_) return failed_precondition("no blind index has been made yet");
            DataKey made = DataKey::generate();
            AUD_RETURN_IF_ERROR(vault_->store_secret(kName, made));
            stored = made;
        }
        blind_key_ = *stored;
    }
    crypto_generichash_state state;
    crypto_generichash_init(&state, blind_key_->data(), kDataKeySize, 16);
    lock.unlock();
    const unsigned char zero = 0;
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(purpose.data()),
                              purpose.size());
    crypto_generichash_update(&state, &zero, 1);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(value.data()),
                              value.size());
    std::array<unsigned char, 16> digest{};
    crypto_generichash_final(&state, digest.data(), digest.size());
    return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

namespace {

// "auditorium/model-field/v1" 0x00 subject (16 bytes) context: what a model field's tag binds.
std::string model_field_binding(const Id& subject, std::string_view context) {
    constexpr std::string_view kLabel = "auditorium/model-field/v1";
    std::string ad;
    ad.reserve(kLabel.size() + 1 + 16 + context.size());
    ad.append(kLabel);
    ad.push_back('\0');
    ad.append(subject.view());
    ad.append(context);
    return ad;
}

}  // namespace

Result<std::optional<std::string>> ModelKeys::seal_for_model(const Id& subject,
                                                             std::string_view context,
                                                             std::string_view plaintext) {
    if (!vault_) return failed_precondition("sealing a read model's field needs the keys");
    AUD_ASSIGN_OR_RETURN(auto key,
                         vault_->key_for_opening(subject, KeyClass::kPersonal, kSingleKeyId));
    if (!key) return std::optional<std::string>();
    const std::string ad = model_field_binding(subject, context);
    std::string out(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plaintext.size() +
                        crypto_aead_xchacha20poly1305_ietf_ABYTES,
                    '\0');
    auto* nonce = reinterpret_cast<unsigned char*>(out.data());
    public_random(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &written,
        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
        reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce, key->data());
    return std::optional<std::string>(std::move(out));
}

Result<std::optional<std::string>> ModelKeys::open_for_model(const Id& subject,
                                                             std::string_view context,
                                                             std::string_view sealed) {
    if (!vault_) return failed_precondition("opening a read model's field needs the keys");
    constexpr std::size_t kOverhead =
        crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (sealed.size() < kOverhead) return corruption("a sealed model field is too short");
    AUD_ASSIGN_OR_RETURN(auto key,
                         vault_->key_for_opening(subject, KeyClass::kPersonal, kSingleKeyId));
    if (!key) return std::optional<std::string>();
    const std::string ad = model_field_binding(subject, context);
    const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
    const std::string_view body = sealed.substr(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    std::string plain(body.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(plain.data()), &written, nullptr,
            reinterpret_cast<const unsigned char*>(body.data()), body.size(),
            reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce,
            key->data()) != 0) {
        return corruption("a sealed model field does not open under its subject's key and context");
    }
    return std::optional<std::string>(std::move(plain));
}

}  // namespace auditorium::eventstore::internal
