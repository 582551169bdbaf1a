// LedgerReader: everything read from the ledger: entries (opened with the vault's keys when the
// store has them), streams, the Merkle tree's nodes and proofs, signed tree heads and signing
// keys. Only what the durable head covers is visible; rows written past it (a batch committed
// but not yet announced) are not.
//
// Reads take rocksdb::ReadOptions where a caller needs one consistent state (verify's snapshot).
// Thread safety: no state of its own beyond what it borrows; any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eventstore/audit_ledger.hpp"
#include "eventstore/internal/durable_head.hpp"
#include "eventstore/internal/ledger_db.hpp"
#include "eventstore/internal/merkle.hpp"
#include "eventstore/internal/store_config.hpp"
#include "eventstore/internal/subject_index.hpp"
#include "eventstore/internal/tree_pieces.hpp"
#include "eventstore/log.hpp"

namespace rocksdb {
struct ReadOptions;
}  // namespace rocksdb

namespace auditorium::eventstore::minisign {
class SigningKey;
}  // namespace auditorium::eventstore::minisign

namespace auditorium::eventstore::internal {

class Vault;

class LedgerReader {
public:
    // Everything borrowed must outlive the reader; `vault` is null for an auditor without keys
    // (sections stay sealed).
    LedgerReader(const LedgerDb& db, Vault* vault, DurableHead& durable, const StoreConfig& config,
                 const SubjectIndex& subjects)
        : db_(db), vault_(vault), durable_(durable), config_(config), subjects_(subjects) {}

    Result<StreamVersion> stream_version(std::string_view stream,
                                         const rocksdb::ReadOptions& ro) const;
    Result<std::vector<Entry>> read_all(Position from, std::size_t max);
    Result<std::vector<Entry>> read_stream(std::string_view stream, StreamVersion from,
                                           Log::Direction direction, std::size_t max,
                                           const rocksdb::ReadOptions& ro);
    // The entry stored as `bytes` at `expected_position`, its sections opened where the keys are.
    Result<Entry> materialize(std::string_view bytes, Position expected_position);
    std::unique_ptr<Subscription> subscribe(Position from);

    std::unique_ptr<TreePieces> tree_pieces(const rocksdb::ReadOptions& ro) const;
    merkle::NodeLookup lookup(std::uint64_t tree_size);
    Result<std::vector<std::string>> inclusion_proof(Position position, std::uint64_t tree_size);
    Result<std::vector<std::string>> consistency_proof(std::uint64_t from_size,
                                                       std::uint64_t to_size);
    Result<std::string> root_at(std::uint64_t tree_size);
    Result<std::string> leaf_hash(Position position);

    Result<std::vector<SignedTreeHead>> tree_heads(std::uint64_t from_size, std::size_t max);
    // NotFound when no head has been signed yet.
    Result<SignedTreeHead> newest_tree_head();
    Result<std::vector<AuditLedger::SigningPublicKey>> signing_keys();
    // The active signing key as a minisign key, from its seed in the vault (exports, backups and
    // erasure registers sign with it); FailedPrecondition without the keys.
    Result<minisign::SigningKey> active_signing_key();
    // The public key of signing key `id` from its seed in the vault; nullopt when it has none.
    Result<std::optional<std::string>> signing_key_from_vault(const SigningKeyId& id);

    // The durable head: how far reads see.
    Position head() const { return durable_.head(); }
    const LedgerDb& db() const { return db_; }
    bool has_keys() const { return vault_ != nullptr; }

private:
    const LedgerDb& db_;
    Vault* vault_;
    DurableHead& durable_;
    const StoreConfig& config_;
    const SubjectIndex& subjects_;
};

}  // namespace auditorium::eventstore::internal
