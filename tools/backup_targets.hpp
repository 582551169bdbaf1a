// The backup targets configured for a ledger, kept beside it in `<data>/backup-targets`, so every
// process that changes the store, the server or a command run while no server runs, writes each
// erasure to the erasure register of every target (docs/backups.md).
//
// `serve --backup-target DIR ...` records its list (replacing the previous one), `serve
// --no-backup-targets` records an empty one, and a plain `serve` and every command that opens the
// store itself use the recorded list. The file holds one absolute path per line after a comment
// line; it is replaced atomically (written beside it, synced, renamed) with mode 0600.
//
// Thread safety: free functions over the file system; callers do not run them concurrently on
// one data directory.
#pragma once

#include <filesystem>
#include <vector>

#include "base/result.hpp"
#include "base/status.hpp"

namespace auditorium::tools {

inline constexpr const char* kBackupTargetsFile = "backup-targets";

// The recorded targets; empty when none were ever recorded. Unavailable when the file exists but
// cannot be read, InvalidArgument naming the line when it holds something other than absolute
// paths.
Result<std::vector<std::filesystem::path>> recorded_backup_targets(
    const std::filesystem::path& data_dir);

// Records `targets` (made absolute, duplicates dropped) as the ledger's backup targets and returns
// them as recorded.
Result<std::vector<std::filesystem::path>> record_backup_targets(
    const std::filesystem::path& data_dir, const std::vector<std::filesystem::path>& targets);

}  // namespace auditorium::tools
