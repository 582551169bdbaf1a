// PrivacyKeys: erasure by crypto-shredding, legal holds, blind indexes and the sealing of read
// models' personal fields under each subject's key: what privacy requests and projections need.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/id.hpp"
#include "base/result.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore {

class PrivacyKeys {
public:
    virtual ~PrivacyKeys() = default;
    PrivacyKeys(const PrivacyKeys&) = delete;
    PrivacyKeys& operator=(const PrivacyKeys&) = delete;

    // Crypto-shredding: appends an erasure record for `subject` (durable), then destroys the
    // subject's personal key and forces it off the disk (the vault is flushed and compacted so no
    // file holds the wrapped key). Afterwards the subject's personal sections read as kErased.
    // Erasing an already erased subject returns the original record's position.
    // REQUIRES: subject is not none.
    virtual Result<Position> erase(const Id& subject, const Id& actor) = 0;

    // Whether the ledger holds an erasure record for `subject`.
    virtual Result<bool> is_erased(const Id& subject) = 0;

    // A blind index: a keyed hash of `value`, to find things (a registration by its e-mail address)
    // without keeping them in clear anywhere. BLAKE2b-128 keyed by a secret of the vault (made at
    // first use, wrapped by the master key like every key) over `purpose`, 0x00 and `value`; 32
    // lowercase hex digits. The same purpose and value give the same digest for the life of the
    // store. FailedPrecondition when the store was opened without its keys.
    virtual Result<std::string> blind_index(std::string_view purpose, std::string_view value) = 0;

    // ---- personal fields of read models (projections) ----

    // Seals `plaintext` for a read model kept outside the ledger, under `subject`'s personal key,
    // so that the subject's erasure makes it unreadable too. XChaCha20-Poly1305 with a random
    // nonce; the associated data binds the subject and `context` (the model and row it belongs to),
    // so a sealed field cannot be moved to another row or person. Never creates a key: nullopt when
    // the subject has none (erased, or never sealed anything), and the model then keeps nothing of
    // it. Works on a read-only store too. FailedPrecondition when opened without keys.
    virtual Result<std::optional<std::string>> seal_for_model(const Id& subject,
                                                              std::string_view context,
                                                              std::string_view plaintext) = 0;
    // Opens what seal_for_model made: nullopt when the subject's key is gone (erased); Corruption
    // when the bytes were changed or belong to another subject or context.
    virtual Result<std::optional<std::string>> open_for_model(const Id& subject,
                                                              std::string_view context,
                                                              std::string_view sealed) = 0;

    // Sets or releases a legal hold on `subject` (ledgered). While held, the subject's entries
    // are not purged and an erase() is deferred: recorded, and carried out at the release.
    virtual Result<Position> set_legal_hold(const Id& subject, const Id& actor, bool held) = 0;
    virtual Result<bool> is_held(const Id& subject) = 0;
    virtual Result<bool> is_erasure_deferred(const Id& subject) = 0;

protected:
    PrivacyKeys() = default;
};

}  // namespace auditorium::eventstore
