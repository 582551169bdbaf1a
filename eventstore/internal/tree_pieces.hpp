// Reads the Merkle hashes stored in the `tree` column family, where one key (a piece) holds the
// hashes of up to 256 consecutive leaves, and in `tree_upper`, which repeats the nodes of levels
// 8 and up under keys computed from the node (layout.hpp). Serves both access patterns: leaf after
// leaf (the verifier walks the pieces with Next) and scattered (a proof reads its nodes of level
// 8 and up by point lookups, the few below from the pieces of one 256-leaf block).
//
// Thread safety: none; one thread uses a TreePieces, over an iterator it owns.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/status.hpp"
#include "eventstore/internal/merkle.hpp"

namespace auditorium::eventstore::internal {

class TreePieces {
public:
    // `db` and the column families must outlive this object.
    TreePieces(rocksdb::DB& db, rocksdb::ColumnFamilyHandle& tree,
               rocksdb::ColumnFamilyHandle& upper, const rocksdb::ReadOptions& options);

    // The hashes leaf `position` (1-based) completes: completed_levels(position - 1) hashes of 32
    // bytes, level 0 (its leaf hash) first. The view lasts until the next call. Corruption naming
    // the position when no stored piece holds them.
    Result<std::string_view> leaf_nodes(std::uint64_t position);

    // Perfect-subtree node (level, index), found where merkle::locate says it is stored.
    Result<merkle::Hash> node(unsigned level, std::uint64_t index);

    // The hashes of levels 8 and up that leaf `position` completes, from `tree_upper`; REQUIRES:
    // position is a multiple of 256. Corruption naming the position when they are missing.
    Result<std::string> upper_nodes(std::uint64_t position);

    // For the verifier, after the last position: Corruption if `tree_upper` holds nodes of a
    // leaf past `last`.
    Status finish_upper(std::uint64_t last);

    // For the verifier, after leaf_nodes was called for every position 1..last in order: Corruption
    // unless every piece was exactly used up and nothing is stored past `last`.
    Status finish(std::uint64_t last);

private:
    bool holds(std::uint64_t position) const;
    Status load_current();

    rocksdb::DB& db_;
    rocksdb::ColumnFamilyHandle& upper_;
    rocksdb::ReadOptions options_;
    std::unique_ptr<rocksdb::Iterator> it_;
    bool loaded_ = false;
    std::uint64_t first_ = 0;      // first position of the loaded piece
    std::string_view hashes_;      // the loaded piece's value
    std::uint64_t used_upto_ = 0;  // bytes of the piece taken by leaves read in order, for finish
};

}  // namespace auditorium::eventstore::internal
