// The file work of backups, on base/file.hpp: listing, hashing and checking a backup's files
// against its manifest, copying them, and un-sharing a checkpoint's hard links. Errors are
// Unavailable naming the path and errno's text, except where a function says otherwise.
// Thread safety: free functions; safe from any thread.
#pragma once

#include <filesystem>
#include <vector>

#include "base/result.hpp"
#include "eventstore/backup.hpp"

namespace auditorium::eventstore::internal::backup_files {

// Every regular file of `dir` (not recursive), sorted by name, with its size and SHA-256.
// InvalidArgument when `dir` holds anything but regular files.
Result<std::vector<BackupFile>> hash_files(const std::filesystem::path& dir);

// Checks that `dir` holds exactly `files`, each with its size and SHA-256; Corruption naming the
// first file that is missing, extra, or changed.
Status check_files(const std::filesystem::path& dir, const std::vector<BackupFile>& files);

// Copies every regular file of `from` into `to` (which must exist), fsyncing each and then `to`.
Status copy_files(const std::filesystem::path& from, const std::filesystem::path& to);

// Replaces every file of `dir` that has other hard links by a copy of its own, so a checkpoint
// made with hard links shares no inode with the live database.
Status break_hard_links(const std::filesystem::path& dir);

}  // namespace auditorium::eventstore::internal::backup_files
