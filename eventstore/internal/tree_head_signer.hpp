// TreeHeadSigner: the read-write store's active Ed25519 signing key and the thread that signs a
// tree head for the ledger's size about once a second while it grows. Every head it signs is
// stored in `tree_heads` and written to the head witness (head_witness.hpp).
//
// Thread safety: any thread. mu_ guards the key and serializes signing with the witness write
// and the key's rotation: the one place a mutex is held across I/O (docs/style.md, "Locks"),
// because two heads written out of order would move the witness back. mu_ is never held while
// the durable head is waited on; it is taken before DurableHead's own lock, never after.
#pragma once

#include <array>
#include <string>
#include <thread>

#include <sodium.h>

#include "base/mutex.hpp"
#include "base/result.hpp"
#include "eventstore/internal/durable_head.hpp"
#include "eventstore/internal/ledger_db.hpp"
#include "eventstore/internal/reader.hpp"
#include "eventstore/internal/store_config.hpp"

namespace auditorium::eventstore::minisign {
class SigningKey;
}  // namespace auditorium::eventstore::minisign

namespace auditorium::eventstore::internal {

class Vault;

class TreeHeadSigner {
public:
    // Everything borrowed must outlive the signer.
    TreeHeadSigner(LedgerDb& db, Vault& vault, const DurableHead& durable, LedgerReader& reader,
                   const StoreConfig& config)
        : db_(db), vault_(vault), durable_(durable), reader_(reader), config_(config) {}
    ~TreeHeadSigner();  // stops the thread
    TreeHeadSigner(const TreeHeadSigner&) = delete;
    TreeHeadSigner& operator=(const TreeHeadSigner&) = delete;

    // At open: loads the active key from the vault (checked against the public key the ledger
    // publishes in meta), or makes the store's first one: its secret goes to the vault before the
    // public half is published, so a published key always has its secret.
    Status load_or_make_key() AUD_EXCLUDES(mu_);
    // Starts the signing thread; stop() (or the destructor) ends it.
    void start();
    void stop() AUD_EXCLUDES(stop_mu_);

    // A signed head for the durable head's size: the stored one, or one signed now.
    Result<SignedTreeHead> sign() AUD_EXCLUDES(mu_);
    // A signed head of exactly `size` entries (at most the durable head), signed with `key` (the
    // active key, as backups hold it) when none is stored.
    Result<SignedTreeHead> head_at(Position size, const minisign::SigningKey& key)
        AUD_EXCLUDES(mu_);

    struct Rotation {
        SigningKeyId old_id{};
        SigningKeyId new_id{};
        std::string public_key;
    };
    // A new active key, its secret in the vault and, in one synced batch, the old key retired and
    // the new one published; the old public key stays, so every head it signed still verifies.
    Result<Rotation> rotate() AUD_EXCLUDES(mu_);

private:
    void run() AUD_EXCLUDES(stop_mu_);
    Status store_head(const SignedTreeHead& h, bool witness);

    LedgerDb& db_;
    Vault& vault_;
    const DurableHead& durable_;
    LedgerReader& reader_;
    const StoreConfig& config_;

    Mutex mu_;
    SigningKeyId id_ AUD_GUARDED_BY(mu_){};
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_ AUD_GUARDED_BY(mu_){};
    std::string public_key_ AUD_GUARDED_BY(mu_);

    Mutex stop_mu_;
    CondVar stop_cv_;
    bool stop_ AUD_GUARDED_BY(stop_mu_) = false;
    std::thread thread_;
};

}  // namespace auditorium::eventstore::internal
