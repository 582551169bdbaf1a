// RocksStore::verify: the auditor's full check of the ledger (contract in store.hpp).
#include <rocksdb/db.h>

#include <cstring>
#include <map>

#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/rocks_status.hpp"
#include "eventstore/internal/rocks_store.hpp"

namespace auditorium::eventstore::internal {

// Walks the ledger and the tree column families side by side, rebuilding the tree.
class RocksStore::Verifier {
public:
    Verifier(RocksStore& store, const VerifyOptions& options) : store_(store), options_(options) {}

    Result<VerifyReport> run() {
        AUD_RETURN_IF_ERROR(load_keys());
        AUD_ASSIGN_OR_RETURN(heads_, store_.tree_heads(0, SIZE_MAX));
        const Position last = store_.head();
        AUD_RETURN_IF_ERROR(check_heads_at(0));
        std::unique_ptr<rocksdb::Iterator> entries(
            store_.db_->NewIterator(rocksdb::ReadOptions(), store_.cf_->ledger));
        std::unique_ptr<rocksdb::Iterator> nodes(
            store_.db_->NewIterator(rocksdb::ReadOptions(), store_.cf_->tree));
        entries->SeekToFirst();
        nodes->SeekToFirst();
        Position expected = 1;
        for (; entries->Valid(); entries->Next(), nodes->Next(), ++expected) {
            AUD_RETURN_IF_ERROR(check_entry(expected, *entries, *nodes));
            AUD_RETURN_IF_ERROR(check_heads_at(expected));
            if (options_.progress && expected % 65536 == 0) options_.progress(expected, last);
        }
        AUD_RETURN_IF_ERROR(from_rocks(entries->status(), "reading the ledger"));
        const Position end = expected - 1;
        if (end < last) return data_loss("position " + std::to_string(end + 1) + ": entry missing");
        if (nodes->Valid()) {
            return corruption("position " + std::to_string(end + 1) +
                              ": Merkle nodes stored past the last entry (entries missing at the end)");
        }
        for (const auto& h : heads_) {
            if (h.size > end) {
                return data_loss("tree head of size " + std::to_string(h.size) +
                                 " covers entries the ledger no longer holds (it ends at " +
                                 std::to_string(end) + ")");
            }
        }
        if (options_.previous && options_.previous->size > end) {
            return data_loss("the previous tree head has size " +
                             std::to_string(options_.previous->size) + " but the ledger ends at " +
                             std::to_string(end));
        }
        if (options_.progress) options_.progress(end, last);
        report_.entries = end;
        report_.root = merkle::to_string(frontier_.root());
        return report_;
    }

private:
    Status load_keys() {
        AUD_ASSIGN_OR_RETURN(auto keys, store_.signing_keys());
        for (const auto& k : keys) {
            if (!options_.trusted_public_key.empty() && k.key != options_.trusted_public_key) continue;
            keys_[k.id] = k.key;
        }
        if (!options_.trusted_public_key.empty() && keys_.empty()) {
            return corruption("the trusted public key is not among the ledger's signing keys");
        }
        if (options_.previous) AUD_RETURN_IF_ERROR(check_signature(*options_.previous, "the previous tree head"));
        return Status::ok();
    }

    Status check_signature(const SignedTreeHead& h, const std::string& what) {
        if (h.store_id != store_.store_id_) {
            return corruption(what + " belongs to another ledger (store " + h.store_id.hex() + ")");
        }
        auto key = keys_.find(h.key_id);
        if (key == keys_.end()) {
            return corruption(what + " is signed by key " + signing_key_id_hex(h.key_id) +
                              ", which is not a trusted signing key of this ledger");
        }
        if (Status s = verify_tree_head(h, key->second); !s.is_ok()) {
            return s.code() == StatusCode::kCorruption ? corruption(what + ": signature does not verify")
                                                         : s;
        }
        return Status::ok();
    }

    // Checks every head (and the previous head) whose size is `size`, against the rebuilt tree.
    Status check_heads_at(std::uint64_t size) {
        const std::string root = merkle::to_string(frontier_.root());
        while (next_head_ < heads_.size() && heads_[next_head_].size == size) {
            const SignedTreeHead& h = heads_[next_head_++];
            const std::string what = "tree head of size " + std::to_string(size);
            AUD_RETURN_IF_ERROR(check_signature(h, what));
            if (h.root != root) return corruption(what + ": its root does not match the ledger's");
            ++report_.tree_heads;
        }
        if (options_.previous && options_.previous->size == size && options_.previous->root != root) {
            return corruption("the ledger is not a consistent extension of the previous tree head of size " +
                              std::to_string(size) + ": the history up to it was rewritten");
        }
        return Status::ok();
    }

    Status check_entry(Position p, rocksdb::Iterator& entry, rocksdb::Iterator& nodes) {
        const std::string at = "position " + std::to_string(p);
        const Position key = layout::get_be64(entry.key().ToStringView());
        if (key != p) return data_loss(at + ": entry missing (next stored is " + std::to_string(key) + ")");
        const std::string_view bytes = entry.value().ToStringView();
        auto decoded = decode_entry(bytes);
        if (!decoded) return decoded.status().with_context(at);
        if (decoded->header.position != p) {
            return corruption(at + ": entry claims position " + std::to_string(decoded->header.position) +
                              " (entries swapped or moved)");
        }
        const merkle::Hash leaf = merkle::leaf_hash(bytes);
        if (!nodes.Valid() || layout::get_be64(nodes.key().ToStringView()) != p) {
            return corruption(at + ": its Merkle nodes are missing");
        }
        frontier_.push(leaf, completed_);
        const std::string_view stored = nodes.value().ToStringView();
        if (stored.size() < 32 || std::memcmp(stored.data(), leaf.data(), 32) != 0) {
            return corruption(at + ": the entry's bytes do not match its leaf hash (the entry was changed)");
        }
        if (stored.size() != completed_.size() * 32) {
            return corruption(at + ": the stored Merkle nodes do not match the rebuilt tree");
        }
        for (std::size_t i = 1; i < completed_.size(); ++i) {
            if (std::memcmp(stored.data() + 32 * i, completed_[i].data(), 32) != 0) {
                return corruption(at + ": the stored Merkle nodes do not match the rebuilt tree");
            }
        }
        if (store_.vault_ && !decoded->sections.empty()) {
            AUD_ASSIGN_OR_RETURN(Entry e, store_.materialize(bytes, p));
            for (const auto& s : e.sections) {
                ++(s.state == Section::State::kErased ? report_.sections_erased : report_.sections_opened);
            }
        }
        return Status::ok();
    }

    RocksStore& store_;
    const VerifyOptions& options_;
    std::map<SigningKeyId, std::string> keys_;
    std::vector<SignedTreeHead> heads_;
    std::size_t next_head_ = 0;
    merkle::Frontier frontier_;
    std::vector<merkle::Hash> completed_;
    VerifyReport report_;
};

Result<Store::VerifyReport> RocksStore::verify(const VerifyOptions& options) {
    if (!read_only_) {
        // A read-write store sees its own head; nothing else to prepare.
    } else {
        AUD_RETURN_IF_ERROR(from_rocks(db_->TryCatchUpWithPrimary(), "catching up with the ledger"));
    }
    return Verifier(*this, options).run();
}

}  // namespace auditorium::eventstore::internal
