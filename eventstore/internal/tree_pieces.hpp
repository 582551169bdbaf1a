// Reads the Merkle hashes stored in the `tree` column family, where one key (a piece) holds the
// hashes of up to 256 consecutive leaves (layout.hpp). Serves both access patterns: leaf after
// leaf (the verifier walks the pieces with Next) and scattered (proofs seek to the piece that
// holds a leaf, reusing the piece already loaded when the next node lies in it).
//
// Thread safety: none; one thread uses a TreePieces, over an iterator it owns.
#pragma once

#include <rocksdb/iterator.h>

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/result.hpp"
#include "base/status.hpp"
#include "eventstore/internal/merkle.hpp"

namespace auditorium::eventstore::internal {

class TreePieces {
public:
    explicit TreePieces(std::unique_ptr<rocksdb::Iterator> it) : it_(std::move(it)) {}

    // The hashes leaf `position` (1-based) completes: completed_levels(position - 1) hashes of 32
    // bytes, level 0 (its leaf hash) first. The view lasts until the next call. Corruption naming
    // the position when no stored piece holds them.
    Result<std::string_view> leaf_nodes(std::uint64_t position);

    // Perfect-subtree node (level, index), found where merkle::locate says it is stored.
    Result<merkle::Hash> node(unsigned level, std::uint64_t index);

    // For the verifier, after leaf_nodes was called for every position 1..last in order: Corruption
    // unless every piece was exactly used up and nothing is stored past `last`.
    Status finish(std::uint64_t last);

private:
    bool holds(std::uint64_t position) const;
    Status load_current();

    std::unique_ptr<rocksdb::Iterator> it_;
    bool loaded_ = false;
    std::uint64_t first_ = 0;      // first position of the loaded piece
    std::string_view hashes_;      // the loaded piece's value
    std::uint64_t used_upto_ = 0;  // bytes of the piece taken by leaves read in order, for finish
};

}  // namespace auditorium::eventstore::internal
