// The head witness: the ledger's newest signed tree head, kept in a small file of the keys
// directory (apart from the data), written and synced at each signing and at close.
//
// Every open, read-write or read-only, checks that the ledger it recovered extends the witness:
// at least as many entries, and the same root at the witness's size. A ledger that lost entries
// (a damaged log or MANIFEST, a deleted SST, an edit by someone holding only the data directory)
// is refused naming both sizes, before anything is written. Against someone who holds the
// signing key and both directories the witness proves nothing: auditors keep tree heads of their
// own (`ledger verify --previous-tree-head`, docs/ledger-format.md).
//
// File: the stored form of the head (tree_head.hpp's encode_tree_head), mode 0600, replaced
// atomically. Thread safety: free functions; callers serialize writes (the store's signing lock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "eventstore/tree_head.hpp"

namespace auditorium::eventstore::internal::head_witness {

std::filesystem::path file_in(const std::filesystem::path& keys_dir);

// nullopt when there is no witness file; Corruption naming the file when it is malformed.
Result<std::optional<SignedTreeHead>> read(const std::filesystem::path& keys_dir);

// Replaces the witness with `head` (temporary file, fsync, rename, directory fsync).
Status write(const std::filesystem::path& keys_dir, const SignedTreeHead& head);

// Checks that a ledger of `size` entries, whose root at a smaller size `root_at` gives, extends
// `head`. DataLoss naming both sizes when it is shorter; Corruption when the roots differ.
// `what` names the head in the message ("the head witness <file>", "the newest signed tree head").
// An empty `root_at` checks the size only (a head whose signature nobody checked yet).
using RootAt = std::function<Result<std::string>(std::uint64_t size)>;
Status check_extends(const SignedTreeHead& head, std::uint64_t size, const RootAt& root_at,
                     std::string_view what);

}  // namespace auditorium::eventstore::internal::head_witness
