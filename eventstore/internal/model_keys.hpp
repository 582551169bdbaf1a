// ModelKeys: what the read models seal and index with, keyed by the store: blind indexes (a keyed
// hash, so that an e-mail address can be looked up without being stored) under one key made at
// first use and kept in the vault, and model fields sealed under their subject's personal key,
// so that erasing the subject (crypto-shredding) makes them unreadable as it does the ledger's.
//
// Thread safety: any thread; the blind index key is loaded once under mu_.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/id.hpp"
#include "base/mutex.hpp"
#include "base/result.hpp"
#include "eventstore/internal/sealer.hpp"

namespace auditorium::eventstore::internal {

class Vault;

class ModelKeys {
public:
    // `vault` (null: no keys, every call fails) must outlive this object. A `read_only` store
    // never makes the blind index key.
    ModelKeys(Vault* vault, bool read_only) : vault_(vault), read_only_(read_only) {}

    // PrivacyKeys's contract (privacy_keys.hpp).
    Result<std::string> blind_index(std::string_view purpose, std::string_view value)
        AUD_EXCLUDES(mu_);
    Result<std::optional<std::string>> seal_for_model(const Id& subject, std::string_view context,
                                                      std::string_view plaintext);
    Result<std::optional<std::string>> open_for_model(const Id& subject, std::string_view context,
                                                      std::string_view sealed);

private:
    Vault* const vault_;
    const bool read_only_;
    Mutex mu_;
    std::optional<DataKey> blind_key_ AUD_GUARDED_BY(mu_);  // loaded or made at first use
};

}  // namespace auditorium::eventstore::internal
