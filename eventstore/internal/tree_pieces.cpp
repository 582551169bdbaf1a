#include "eventstore/internal/tree_pieces.hpp"

#include <cstring>
#include <string>

#include "base/big_endian.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/rocks_status.hpp"

namespace auditorium::eventstore::internal {

namespace {

constexpr std::uint64_t kHashSize = 32;

std::uint64_t offset_in_piece(std::uint64_t first, std::uint64_t position) {
    return (layout::tree_slots_before(position) - layout::tree_slots_before(first)) * kHashSize;
}

std::uint64_t nodes_size(std::uint64_t position) {
    return merkle::completed_levels(position - 1) * kHashSize;
}

Status missing(std::uint64_t position) {
    return corruption("position " + std::to_string(position) + ": its Merkle nodes are missing");
}

}  // namespace

TreePieces::TreePieces(rocksdb::DB& db, rocksdb::ColumnFamilyHandle& tree,
                       rocksdb::ColumnFamilyHandle& upper, const rocksdb::ReadOptions& options)
    : db_(db), upper_(upper), options_(options), it_(db.NewIterator(options, &tree)) {}

bool TreePieces::holds(std::uint64_t position) const {
    return loaded_ && position >= first_ &&
           offset_in_piece(first_, position) + nodes_size(position) <= hashes_.size();
}

Status TreePieces::load_current() {
    loaded_ = false;
    if (!it_->Valid()) return from_rocks(it_->status(), "reading the Merkle tree");
    if (it_->key().size() != 8) return corruption("a malformed key in the Merkle tree");
    first_ = get_be64(it_->key().ToStringView());
    hashes_ = it_->value().ToStringView();
    used_upto_ = 0;
    loaded_ = true;
    return Status::ok();
}

Result<std::string_view> TreePieces::leaf_nodes(std::uint64_t position) {
    if (position == 0) return invalid_argument("position 0 is not in the ledger");
    if (!holds(position)) {
        // Reading in order, the next piece starts right here: one step instead of a seek.
        if (loaded_ && position > first_) {
            if (offset_in_piece(first_, position) == used_upto_ && used_upto_ != hashes_.size()) {
                return corruption("position " + std::to_string(position - 1) +
                                  ": its Merkle piece holds more hashes than its leaves complete");
            }
            it_->Next();
            AUD_RETURN_IF_ERROR(load_current());
        }
        if (!loaded_ || first_ != position) {
            it_->SeekForPrev(layout::position_key(position));
            AUD_RETURN_IF_ERROR(load_current());
        }
        if (!loaded_ || !holds(position)) return missing(position);
    }
    const std::uint64_t offset = offset_in_piece(first_, position);
    const std::uint64_t size = nodes_size(position);
    used_upto_ = offset + size;
    return hashes_.substr(offset, size);
}

Result<std::string> TreePieces::upper_nodes(std::uint64_t position) {
    std::string value;
    const rocksdb::Status s = db_.Get(options_, &upper_, layout::position_key(position), &value);
    if (s.IsNotFound()) {
        return corruption("position " + std::to_string(position) +
                          ": its upper Merkle nodes are missing");
    }
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading the Merkle tree"));
    const std::uint64_t expected =
        (merkle::completed_levels(position - 1) - layout::kTreeUpperLevel) * kHashSize;
    if (value.size() != expected) {
        return corruption("position " + std::to_string(position) +
                          ": its upper Merkle nodes are malformed");
    }
    return value;
}

Status TreePieces::finish_upper(std::uint64_t last) {
    std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(options_, &upper_));
    it->SeekToLast();
    if (it->Valid() && (it->key().size() != 8 || get_be64(it->key().ToStringView()) > last)) {
        return corruption(
            "position " + std::to_string(last + 1) +
            ": upper Merkle nodes stored past the last entry (entries missing at the end)");
    }
    return from_rocks(it->status(), "reading the Merkle tree");
}

Result<merkle::Hash> TreePieces::node(unsigned level, std::uint64_t index) {
    const merkle::NodeLocation loc = merkle::locate(level, index);
    merkle::Hash h;
    if (level >= layout::kTreeUpperLevel) {
        AUD_ASSIGN_OR_RETURN(const std::string upper, upper_nodes(loc.leaf_index + 1));
        std::memcpy(h.data(), upper.data() + (loc.slot - layout::kTreeUpperLevel) * kHashSize,
                    kHashSize);
        return h;
    }
    AUD_ASSIGN_OR_RETURN(std::string_view nodes, leaf_nodes(loc.leaf_index + 1));
    std::memcpy(h.data(), nodes.data() + loc.slot * kHashSize, kHashSize);
    return h;
}

Status TreePieces::finish(std::uint64_t last) {
    const std::string after = "position " + std::to_string(last + 1);
    if (loaded_ && used_upto_ != hashes_.size()) {
        return corruption(after +
                          ": Merkle nodes stored past the last entry (entries missing at the end)");
    }
    if (loaded_) {
        it_->Next();
    } else {
        it_->SeekToFirst();
    }
    if (it_->Valid()) {
        return corruption(after +
                          ": Merkle nodes stored past the last entry (entries missing at the end)");
    }
    return from_rocks(it_->status(), "reading the Merkle tree");
}

}  // namespace auditorium::eventstore::internal
