// RocksStore::active_signing_key: the ledger's active Ed25519 key as a minisign key, for the
// signatures made beside tree heads (export files, backup manifests, erasure register lines).
#include <sodium.h>

#include "eventstore/internal/rocks_store.hpp"
#include "eventstore/minisign.hpp"

namespace auditorium::eventstore::internal {

Result<minisign::SigningKey> RocksStore::active_signing_key() {
    if (!vault_) {
        return failed_precondition("signing needs the ledger's signing key: open the store with its keys (--keys)");
    }
    AUD_ASSIGN_OR_RETURN(auto keys, signing_keys());
    for (const auto& k : keys) {
        if (!k.active) continue;
        AUD_ASSIGN_OR_RETURN(auto seed, vault_->load_secret("signing:" + signing_key_id_hex(k.id)));
        if (!seed) return data_loss("the vault lacks the active signing key's secret");
        std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
        std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
        crypto_sign_seed_keypair(pk.data(), sk.data(), seed->data());
        auto key = minisign::SigningKey::from_bytes(
            std::string_view(reinterpret_cast<const char*>(sk.data()), sk.size()), k.id);
        sodium_memzero(sk.data(), sk.size());
        return key;
    }
    return failed_precondition("the ledger has no active signing key");
}

}  // namespace auditorium::eventstore::internal
