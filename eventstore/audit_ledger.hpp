// AuditLedger: what auditors and compliance officers rely on: signed tree heads, RFC 9162
// proofs, the whole-ledger verify and signed exports. The seam an auditor-facing route takes.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "eventstore/export.hpp"
#include "eventstore/tree_head.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore {

class AuditLedger {
public:
    virtual ~AuditLedger() = default;
    AuditLedger(const AuditLedger&) = delete;
    AuditLedger& operator=(const AuditLedger&) = delete;

    // The current Merkle tree head: size and RFC 9162 root hash (32 bytes).
    struct TreeHead {
        std::uint64_t size = 0;
        std::string root;
    };
    virtual TreeHead tree_head() const = 0;

    // Signs the current tree head now and keeps it beside the ledger (a read-write store also
    // does so at least once a second while appends happen). Returns the newest head when the tree
    // has not grown since it.
    virtual Result<SignedTreeHead> sign_tree_head() = 0;
    // Stored tree heads whose size is >= from_size, smallest first, up to max.
    virtual Result<std::vector<SignedTreeHead>> tree_heads(std::uint64_t from_size,
                                                           std::size_t max) = 0;
    // The ledger's signing public keys, active and retired (public keys live in the ledger's
    // metadata so an auditor needs no keys directory; the secret halves live in the vault).
    struct SigningPublicKey {
        SigningKeyId id{};
        std::string key;  // 32 bytes, Ed25519
        bool active = false;
        std::int64_t created_at_us = 0;
    };
    virtual Result<std::vector<SigningPublicKey>> signing_keys() = 0;

    // RFC 9162 proofs over the stored tree; positions are 1-based (leaf index = position - 1).
    // Each hash is 32 raw bytes. InvalidArgument for positions or sizes outside the tree.
    virtual Result<std::vector<std::string>> inclusion_proof(Position position,
                                                             std::uint64_t tree_size) = 0;
    virtual Result<std::vector<std::string>> consistency_proof(std::uint64_t from_size,
                                                               std::uint64_t to_size) = 0;
    virtual Result<std::string> root_at(std::uint64_t tree_size) = 0;
    virtual Result<std::string> leaf_hash(Position position) = 0;

    // The auditor's check of the whole ledger, in constant memory: every entry decodes, sits at
    // its own position with no gap, hashes to its stored leaf; the recomputed tree matches every
    // stored node; every stored tree head has a valid signature and the recomputed root; with
    // `previous`, the ledger extends that head (its root is the recomputed root at its size).
    // With a store opened with keys, every section's key commitment and tag are checked too.
    // The first failure is returned as Corruption (or DataLoss) naming the position or head.
    struct VerifyOptions {
        std::optional<SignedTreeHead> previous;
        // Only heads signed by this key (32 bytes) are trusted; empty: the ledger's own keys.
        std::string trusted_public_key;
        // Called now and then with (entries checked, entries in all).
        std::function<void(std::uint64_t, std::uint64_t)> progress;
    };
    struct VerifyReport {
        std::uint64_t entries = 0;
        std::string root;  // 32 bytes
        std::uint64_t tree_heads = 0;
        std::uint64_t sections_opened = 0;
        std::uint64_t sections_erased = 0;
        std::uint64_t sections_expired = 0;  // retention keys gone with their month; purge is due
        std::uint64_t entries_purged = 0;    // past retention: checked by their stored leaf hash
        // Entries after the newest signed tree head: nothing signed vouches for them yet.
        std::uint64_t entries_unsigned = 0;
    };
    virtual Result<VerifyReport> verify(const VerifyOptions& options) = 0;

    // Writes a signed export (export.hpp) covered by the newest signed tree head. Needs the keys
    // (the signature is made with the ledger's signing key). Streams: constant memory.
    virtual Result<ExportSummary> export_ledger(const ExportOptions& options) = 0;

    // True when the store was created with --dev.
    virtual bool is_dev() const = 0;
    // The store's random id, fixed at creation and shared with its vault.
    virtual Id store_id() const = 0;

protected:
    AuditLedger() = default;
};

}  // namespace auditorium::eventstore
