// Backups: consistent online copies of the ledger, with the vault kept apart, signed manifests,
// verification by restore, and an erasure register that no restore can bypass.
// (Declarations; the implementation and the format page docs/backups.md come with it.)
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "eventstore/tree_head.hpp"

namespace auditorium::eventstore {

struct BackupOptions {
    std::filesystem::path target;
    std::size_t keep = 7;                          // ledger backups kept per target
    std::chrono::hours vault_keep{24 * 30};        // vault backups older than this are deleted
};

struct BackupManifest {
    std::string id;        // sortable, e.g. "20261128T021500Z-<8 hex>"
    SignedTreeHead head;   // the tree head the ledger backup contains
    std::int64_t created_at_us = 0;
};

}  // namespace auditorium::eventstore
