// verify_ledger: the auditor's full check of the ledger (contract in store.hpp).
#include <rocksdb/db.h>

#include <cstring>
#include <deque>
#include <map>
#include <thread>

#include "base/big_endian.hpp"
#include "base/mutex.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/rocks_status.hpp"
#include "eventstore/internal/tree_pieces.hpp"
#include "eventstore/internal/verify_rows.hpp"

namespace auditorium::eventstore::internal {

namespace {

// A full scan: our own hashes check every byte, so RocksDB's block checksums and cache add nothing.
// `snapshot`: every read of one verify sees the same state, appends going on or not.
rocksdb::ReadOptions scan_options(const rocksdb::Snapshot* snapshot = nullptr) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    ro.verify_checksums = false;
    ro.fill_cache = false;
    ro.readahead_size = 4 << 20;
    return ro;
}

}  // namespace

namespace {

using VerifyOptions = AuditLedger::VerifyOptions;
using VerifyReport = AuditLedger::VerifyReport;

// Walks the ledger and the tree column families side by side, rebuilding the tree.
class Verifier {
public:
    // `snapshot` (null: the latest state) must outlive the Verifier.
    // `last`: the head when the snapshot was taken (at most what it holds).
    Verifier(const VerifySource& src, const VerifyOptions& options,
             const rocksdb::Snapshot* snapshot, Position last)
        : src_(src), options_(options), snapshot_(snapshot), last_(last), records_(src, snapshot) {}

    Result<VerifyReport> run() {
        AUD_RETURN_IF_ERROR(load_keys());
        const Position last = last_;
        AUD_RETURN_IF_ERROR(records_.load(last));
        heads_.reset(src_.db.db().NewIterator(scan_options(snapshot_), src_.db.cf().tree_heads));
        heads_->SeekToFirst();
        AUD_RETURN_IF_ERROR(check_heads_at(0));
        TreePieces nodes(src_.db.db(), *src_.db.cf().tree, *src_.db.cf().tree_upper,
                         scan_options(snapshot_));
        // Two threads, as an auditor's machine has: this one checks, the reader reads and hashes.
        Reader reader(src_.db, snapshot_);
        Position expected = 1;
        for (;;) {
            auto chunk = reader.next();
            if (!chunk) return chunk.status();
            if (chunk->positions.empty()) break;
            if (chunk->leaves.empty()) {
                for (const auto& v : chunk->values) chunk->leaves.push_back(Reader::leaf_of(v));
            }
            for (std::size_t i = 0; i < chunk->positions.size(); ++i, ++expected) {
                AUD_RETURN_IF_ERROR(check_entry(expected, chunk->positions[i], chunk->values[i],
                                                chunk->leaves[i], nodes));
                AUD_RETURN_IF_ERROR(check_heads_at(expected));
                if (options_.progress && expected % 65536 == 0) options_.progress(expected, last);
            }
        }
        const Position end = expected - 1;
        if (end < last) return data_loss("position " + std::to_string(end + 1) + ": entry missing");
        AUD_RETURN_IF_ERROR(nodes.finish(end));
        AUD_RETURN_IF_ERROR(nodes.finish_upper(end));
        if (heads_->Valid()) {
            AUD_ASSIGN_OR_RETURN(auto h, decode_tree_head(heads_->value().ToStringView()));
            return data_loss("tree head of size " + std::to_string(h.size) +
                             " covers entries the ledger no longer holds (it ends at " +
                             std::to_string(end) + ")");
        }
        AUD_RETURN_IF_ERROR(from_rocks(heads_->status(), "reading tree heads"));
        if (options_.previous && options_.previous->size > end) {
            return data_loss("the previous tree head has size " +
                             std::to_string(options_.previous->size) + " but the ledger ends at " +
                             std::to_string(end));
        }
        AUD_RETURN_IF_ERROR(finish_rows(end));
        if (options_.progress) options_.progress(end, last);
        report_.entries = end;
        report_.root = merkle::to_string(frontier_.root());
        return report_;
    }

private:
    // Reads the ledger on a thread of its own and computes each entry's leaf hash, handing
    // chunks of entries to the checking thread through a short queue (bounded memory).
    class Reader {
    public:
        struct Chunk {
            std::vector<Position> positions;  // empty: the end
            std::vector<std::string> values;
            std::vector<merkle::Hash> leaves;  // empty: for the checking thread to compute
        };
        static merkle::Hash leaf_of(std::string_view value) {
            return layout::is_purged_value(value) ? merkle::Hash{} : merkle::leaf_hash(value);
        }
        Reader(const LedgerDb& db, const rocksdb::Snapshot* snapshot)
            : thread_([this, &db, snapshot] { run(db, snapshot); }) {}
        ~Reader() {
            {
                MutexLock lock(mu_);
                stop_ = true;
            }
            cv_.notify_all();
            thread_.join();
        }
        Result<Chunk> next() {
            MutexLock lock(mu_);
            while (queue_.empty() && !done_) cv_.wait(lock);
            if (queue_.empty()) {
                if (!status_.is_ok()) return status_;
                return Chunk{};
            }
            Chunk c = std::move(queue_.front());
            queue_.pop_front();
            cv_.notify_all();
            return c;
        }

    private:
        static constexpr std::size_t kChunk = 1024;
        static constexpr std::size_t kQueued = 8;

        void run(const LedgerDb& db, const rocksdb::Snapshot* snapshot) {
            std::unique_ptr<rocksdb::Iterator> it(
                db.db().NewIterator(scan_options(snapshot), db.cf().ledger));
            Chunk chunk;
            // Hashing is most of the work: this thread hashes every other chunk, the checking
            // thread the rest (Chunk::leaves left empty), so both cores hash.
            bool hash_here = true;
            for (it->SeekToFirst(); it->Valid(); it->Next()) {
                const std::string_view v = it->value().ToStringView();
                chunk.positions.push_back(get_be64(it->key().ToStringView()));
                chunk.values.emplace_back(v);
                if (hash_here) chunk.leaves.push_back(leaf_of(v));
                if (chunk.positions.size() == kChunk) {
                    hash_here = !hash_here;
                    if (!hand_over(std::move(chunk))) return;
                    chunk = Chunk{};
                }
            }
            if (!chunk.positions.empty() && !hand_over(std::move(chunk))) return;
            MutexLock lock(mu_);
            status_ = from_rocks(it->status(), "reading the ledger");
            done_ = true;
            cv_.notify_all();
        }
        bool hand_over(Chunk&& chunk) {
            MutexLock lock(mu_);
            while (queue_.size() >= kQueued && !stop_) cv_.wait(lock);
            if (stop_) return false;
            queue_.push_back(std::move(chunk));
            cv_.notify_all();
            return true;
        }

        Mutex mu_;
        CondVar cv_;
        std::deque<Chunk> queue_ AUD_GUARDED_BY(mu_);
        bool done_ AUD_GUARDED_BY(mu_) = false;
        bool stop_ AUD_GUARDED_BY(mu_) = false;
        Status status_ AUD_GUARDED_BY(mu_);
        std::thread thread_;
    };

    Status load_keys() {
        AUD_ASSIGN_OR_RETURN(auto keys, src_.reader.signing_keys());
        for (const auto& k : keys) {
            if (!options_.trusted_public_key.empty() && k.key != options_.trusted_public_key)
                continue;
            keys_[k.id] = k.key;
        }
        if (!options_.trusted_public_key.empty() && keys_.empty()) {
            return corruption("the trusted public key is not among the ledger's signing keys");
        }
        if (options_.previous)
            AUD_RETURN_IF_ERROR(check_signature(*options_.previous, "the previous tree head"));
        return Status::ok();
    }

    Status check_signature(const SignedTreeHead& h, const std::string& what) {
        if (h.store_id != src_.config.store_id) {
            return corruption(what + " belongs to another ledger (store " + h.store_id.hex() + ")");
        }
        auto key = keys_.find(h.key_id);
        if (key == keys_.end()) {
            return corruption(what + " is signed by key " + signing_key_id_hex(h.key_id) +
                              ", which is not a trusted signing key of this ledger");
        }
        if (Status s = verify_tree_head(h, key->second); !s.is_ok()) {
            return s.code() == StatusCode::kCorruption
                       ? corruption(what + ": signature does not verify")
                       : s;
        }
        return Status::ok();
    }

    // Checks every head (and the previous head) whose size is `size`, against the rebuilt tree.
    Status check_heads_at(std::uint64_t size) {
        if (heads_->Valid() && get_be64(heads_->key().ToStringView()) == size) {
            const std::string root = merkle::to_string(frontier_.root());
            for (; heads_->Valid() && get_be64(heads_->key().ToStringView()) == size;
                 heads_->Next()) {
                AUD_ASSIGN_OR_RETURN(SignedTreeHead h,
                                     decode_tree_head(heads_->value().ToStringView()));
                const std::string what = "tree head of size " + std::to_string(size);
                AUD_RETURN_IF_ERROR(check_signature(h, what));
                if (h.size != size) return corruption(what + ": stored under another size");
                if (h.root != root)
                    return corruption(what + ": its root does not match the ledger's");
                if (h.dev != records_.dev())
                    return corruption(
                        what +
                        ": its dev flag contradicts the store's (meta row dev, store.settings)");
                ++report_.tree_heads;
                newest_head_ = size;
            }
        }
        if (options_.previous && options_.previous->size == size &&
            options_.previous->root != merkle::to_string(frontier_.root())) {
            return corruption(
                "the ledger is not a consistent extension of the previous tree head of size " +
                std::to_string(size) + ": the history up to it was rewritten");
        }
        return Status::ok();
    }

    Status check_entry(Position p, Position key, std::string_view bytes, const merkle::Hash& leaf,
                       TreePieces& nodes) {
        const std::string at = "position " + std::to_string(p);
        if (key != p)
            return data_loss(at + ": entry missing (next stored is " + std::to_string(key) + ")");
        AUD_ASSIGN_OR_RETURN(const std::string_view stored, nodes.leaf_nodes(p));
        if (layout::is_purged_value(bytes)) {
            // Past retention: the payload is gone; the stored leaf hash stands for it.
            if (get_be64(bytes.substr(layout::kPurgedMarker.size())) != p) {
                return corruption(at + ": a purge marker for another position");
            }
            ++report_.entries_purged;
            AUD_RETURN_IF_ERROR(records_.check_purged(p));
            return check_nodes(at, p, *merkle::from_string(stored.substr(0, 32)), stored, nodes);
        }
        auto decoded = summarize_entry(bytes);
        if (!decoded) return decoded.status().with_context(at);
        if (decoded->position != p) {
            return corruption(at + ": entry claims position " + std::to_string(decoded->position) +
                              " (entries swapped or moved)");
        }
        if (std::memcmp(stored.data(), leaf.data(), 32) != 0) {
            return corruption(
                at + ": the entry's bytes do not match its leaf hash (the entry was changed)");
        }
        AUD_RETURN_IF_ERROR(check_nodes(at, p, leaf, stored, nodes));
        AUD_RETURN_IF_ERROR(records_.check_live(p, decoded->store_record, bytes));
        if (src_.reader.has_keys() && decoded->sections != 0) {
            AUD_ASSIGN_OR_RETURN(Entry e, src_.reader.materialize(bytes, p));
            for (const auto& s : e.sections) {
                switch (s.state) {
                    case Section::State::kErased: ++report_.sections_erased; break;
                    case Section::State::kExpired: ++report_.sections_expired; break;
                    default: ++report_.sections_opened; break;
                }
            }
        }
        return Status::ok();
    }

    // Adds the leaf to the rebuilt tree; the nodes stored for it must be the ones it completes.
    // The nodes of levels 8 and up are stored twice (piece and `tree_upper`); both must match.
    Status check_nodes(const std::string& at, Position p, const merkle::Hash& leaf,
                       std::string_view stored, TreePieces& nodes) {
        frontier_.push(leaf, completed_);
        if (stored.size() != completed_.size() * 32) {
            return corruption(at + ": the stored Merkle nodes do not match the rebuilt tree");
        }
        for (std::size_t i = 1; i < completed_.size(); ++i) {
            if (std::memcmp(stored.data() + 32 * i, completed_[i].data(), 32) != 0) {
                return corruption(at + ": the stored Merkle nodes do not match the rebuilt tree");
            }
        }
        if (completed_.size() > layout::kTreeUpperLevel) {
            AUD_ASSIGN_OR_RETURN(const std::string upper, nodes.upper_nodes(p));
            if (std::memcmp(upper.data(), stored.data() + std::size_t{32} * layout::kTreeUpperLevel,
                            upper.size()) != 0) {
                return corruption(at +
                                  ": the stored upper Merkle nodes do not match the rebuilt tree");
            }
        }
        return Status::ok();
    }

    // After the walk: the rows against the records, the indexes against the entries, and the
    // tree heads: a non-empty ledger with none has nothing signed that vouches for it.
    Status finish_rows(Position end) {
        AUD_RETURN_IF_ERROR(records_.finish(end));
        AUD_RETURN_IF_ERROR(IndexVerifier(src_.db, snapshot_).run(end));
        if (end > 0 && report_.tree_heads == 0) {
            return corruption("the ledger holds " + std::to_string(end) +
                              " entries but no signed tree head");
        }
        report_.entries_unsigned = end - newest_head_;
        return Status::ok();
    }

    const VerifySource& src_;
    const VerifyOptions& options_;
    const rocksdb::Snapshot* snapshot_;
    const Position last_;
    RecordVerifier records_;
    std::uint64_t newest_head_ = 0;
    std::map<SigningKeyId, std::string> keys_;
    std::unique_ptr<rocksdb::Iterator> heads_;
    merkle::Frontier frontier_;
    std::vector<merkle::Hash> completed_;
    VerifyReport report_;
};

}  // namespace

Result<AuditLedger::VerifyReport> verify_ledger(const VerifySource& src,
                                                const AuditLedger::VerifyOptions& options,
                                                const rocksdb::Snapshot* snapshot, Position last) {
    return Verifier(src, options, snapshot, last).run();
}

}  // namespace auditorium::eventstore::internal
