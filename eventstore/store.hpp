// Store: the durable, encrypted event log. The public face of eventstore/ and the seam a
// replicated log implements later (append / read / subscribe / erase / tree head).
//
// Guarantees:
// - append() returns only after its entries are synced to disk, in one RocksDB write batch with
//   their stream and id indexes and Merkle nodes. Concurrent appends share one batch and one sync.
// - Positions are dense from 1, given in commit order; each stream's versions are dense from 1.
// - Every sealed section is encrypted under its subject's key, which lives in the key vault (a
//   RocksDB of its own in the keys directory, wrapped by the master key), never in the ledger.
// - After a failed write or sync the store refuses every later append until it is reopened.
//
// Thread safety: every method may be called from any thread concurrently. A Store must outlive
// every Subscription made from it.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "base/result.hpp"
#include "eventstore/backup.hpp"
#include "eventstore/export.hpp"
#include "eventstore/tree_head.hpp"
#include "eventstore/types.hpp"

namespace rocksdb {
class Env;
}

namespace auditorium::eventstore {

struct StoreOptions {
    std::filesystem::path data_dir;  // the ledger
    std::filesystem::path keys_dir;  // master key and vault; default: "keys" beside data_dir
    bool create_if_missing = false;  // create the ledger, and the keys if the keys dir is empty
    bool dev = false;                // recorded at creation; a dev store says so everywhere
    // How long entries stay whole: at least kMinimumRetention (two years) unless `dev`. Fixed at
    // creation and recorded in the ledger's metadata; later opens use the recorded value.
    std::chrono::microseconds retention = kMinimumRetention;
    // Snapshot functions by stream type, for purge(); the domain registers its own.
    SnapshotRegistry snapshots;

    // Read-only access beside a running server (auditors, exports, proofs): the ledger is opened
    // as a RocksDB secondary instance, and the vault too when `with_keys`; nothing is written.
    bool read_only = false;
    bool with_keys = true;  // false: sections read back as kSealed; no keys directory needed
    // Read-only: map the ledger's files instead of reading them, for whole scans (verify, export):
    // no copy of each block, but the mapped pages count in the process's resident size.
    bool map_files = false;

    // Restores only: the ledger is an older copy on purpose, so a missing head witness is not
    // reported and the restored ledger's own newest head becomes the witness at its first
    // read-write open. Every other open checks the witness (internal/head_witness.hpp).
    bool adopt_head_witness = false;

    // Backup targets (directories; mounted remote volumes in production). Every erasure is written
    // at once to the erasure register of each, not only at the next backup.
    std::vector<std::filesystem::path> backup_targets;

    // Tests only: the environment (file system) both RocksDB instances use. Not owned; must
    // outlive the Store. Null means the default.
    rocksdb::Env* env = nullptr;
    // Tests and benchmarks: a clock returning microseconds since the epoch. Null: system clock.
    std::function<std::int64_t()> clock;
};

// The default keys directory for a data directory: its sibling named "keys".
std::filesystem::path default_keys_dir(const std::filesystem::path& data_dir);

class Subscription;

class Store {
public:
    // Opens (or, with create_if_missing, creates) the ledger and its vault. Refuses, naming the file
    // and the problem: a master key file that is not 0600 or not owned by the running user; a
    // wrong master key; a ledger whose keys are missing; a vault made for another ledger.
    static Result<std::unique_ptr<Store>> open(const StoreOptions& options);

    virtual ~Store() = default;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Appends `events` (1..10,000) to `stream` atomically, if its version admits `expected`.
    // - Idempotent re-send: when every event id is already stored in this stream, consecutively and
    //   in this order, returns the original positions (idempotent_replay) and writes nothing, whatever
    //   `expected` says. When only some are, or they are stored in another stream: AlreadyExists.
    // - A version mismatch: Aborted, with the conflict available from conflict_of(status).
    // - Bad input (stream name, event type, empty id, duplicate ids): InvalidArgument.
    // - After a failed sync or a full disk: Unavailable, now and until reopened.
    virtual Result<AppendResult> append(std::string_view stream, ExpectedVersion expected,
                                        std::vector<NewEvent> events) = 0;

    // The same append without waiting for its sync, for servers that run many requests on few
    // threads (the call itself still reads RocksDB, and writes a new person's key to the vault).
    // `done` gets the outcome exactly once: on this thread before append_async returns when it is
    // decided at once (bad input, a conflict, a refusal, a re-send already durable), else on the
    // store's writer thread right after the batch holding the append is synced (reads then see
    // it). A re-send made while its original is in flight is answered in the same batch, possibly
    // before the original. `done` runs on the writer's critical path: it must be quick, must not
    // throw, and must not call append() or anything else that waits for the writer; post real work
    // to an executor. Appends still in flight when the store closes are committed and answered
    // before the destructor returns.
    using AppendDone = std::function<void(Result<AppendResult>)>;
    virtual void append_async(std::string_view stream, ExpectedVersion expected,
                              std::vector<NewEvent> events, AppendDone done) = 0;

    // The stream's current version (0 when it does not exist), as of the last acknowledged append.
    virtual Result<StreamVersion> stream_version(std::string_view stream) = 0;

    // Reads a stream from `from` (inclusive), up to `max` entries; backward reads go down from
    // `from` (use UINT64_MAX for "from the end").
    enum class Direction { kForward, kBackward };
    virtual Result<std::vector<Entry>> read_stream(std::string_view stream, StreamVersion from,
                                                   Direction direction, std::size_t max) = 0;

    // Reads the whole log from position `from` (inclusive), up to `max` entries.
    virtual Result<std::vector<Entry>> read_all(Position from, std::size_t max) = 0;

    // The last acknowledged position (0 for an empty ledger).
    virtual Position head() const = 0;

    // Waits until head() >= position or the deadline passes; returns head().
    virtual Position wait_for(Position position, std::chrono::steady_clock::time_point deadline) = 0;

    // A subscription that catches up from `from` and then follows live appends, with no gap and no
    // duplicate (positions are dense and delivered in order).
    virtual std::unique_ptr<Subscription> subscribe(Position from) = 0;

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
    virtual Result<std::optional<std::string>> seal_for_model(const Id& subject, std::string_view context,
                                                              std::string_view plaintext) = 0;
    // Opens what seal_for_model made: nullopt when the subject's key is gone (erased); Corruption
    // when the bytes were changed or belong to another subject or context.
    virtual Result<std::optional<std::string>> open_for_model(const Id& subject, std::string_view context,
                                                              std::string_view sealed) = 0;

    // ---- retention and legal holds ----

    // Drops the payload bytes of entries past retention, keeping their leaf hashes, so verify
    // and every proof still hold. Before purging a stream it appends the snapshot made by the
    // function registered for its stream type; a type without one is not purged and is reported.
    // Entries holding data of a subject under legal hold are kept. Retention keys (one per subject
    // per month) are destroyed once every record they seal is purged. The purge is ledgered.
    virtual Result<PurgeReport> purge() = 0;
    // Sets or releases a legal hold on `subject` (ledgered). While held, the subject's entries
    // are not purged and an erase() is deferred: recorded, and carried out at the release.
    virtual Result<Position> set_legal_hold(const Id& subject, const Id& actor, bool held) = 0;
    virtual Result<bool> is_held(const Id& subject) = 0;
    virtual Result<bool> is_erasure_deferred(const Id& subject) = 0;
    // ---- key rotation (each ledgered) ----

    // A new ledger signing key becomes active; the old one is retired, its public key kept, so
    // every tree head it signed still verifies.
    virtual Result<Position> rotate_signing_key(const Id& actor) = 0;
    // A new master key: every subject key and secret in the vault is re-wrapped under it in one
    // batch, and the key file replaced (a crash in between is finished at the next open).
    virtual Result<Position> rotate_master_key(const Id& actor) = 0;

    // The retention period recorded at creation.
    virtual std::chrono::microseconds retention() const = 0;

    // The current Merkle tree head: size and RFC 9162 root hash (32 bytes).
    struct TreeHead {
        std::uint64_t size = 0;
        std::string root;
    };
    virtual TreeHead tree_head() const = 0;

    // ---- the audit ledger ----

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
        std::uint64_t entries_purged = 0;  // past retention: checked by their stored leaf hash
        // Entries after the newest signed tree head: nothing signed vouches for them yet.
        std::uint64_t entries_unsigned = 0;
    };
    virtual Result<VerifyReport> verify(const VerifyOptions& options) = 0;

    // Writes a signed export (export.hpp) covered by the newest signed tree head. Needs the keys
    // (the signature is made with the ledger's signing key). Streams: constant memory.
    virtual Result<ExportSummary> export_ledger(const ExportOptions& options) = 0;

    // Takes a consistent online backup into `options.target` while appends go on (backup.hpp).
    virtual Result<BackupManifest> create_backup(const BackupOptions& options) = 0;

    // True when the store was created with --dev.
    virtual bool is_dev() const = 0;
    // The store's random id, fixed at creation and shared with its vault.
    virtual Id store_id() const = 0;

protected:
    Store() = default;
};

// Pull-based follower of the log. Thread safety: one thread at a time per Subscription.
class Subscription {
public:
    virtual ~Subscription() = default;
    // Up to `max` entries after the last one returned, waiting until `deadline` for at least one.
    // Returns an empty vector when the deadline passes with nothing new.
    virtual Result<std::vector<Entry>> next(std::size_t max,
                                            std::chrono::steady_clock::time_point deadline) = 0;
    // The position of the last entry returned (the starting point minus one at first).
    virtual Position last_position() const = 0;
};

// The version conflict carried by an append's Aborted status, if it is one.
std::optional<VersionConflict> conflict_of(const Status& status);

// A fresh 128-bit random id (libsodium's randombytes).
Id random_id();

}  // namespace auditorium::eventstore
