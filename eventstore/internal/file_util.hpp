// Small POSIX file helpers for backups: durable writes (fsync of the file and its directory),
// copies, hashing and the target lock. Errors are Unavailable naming the path and errno's text,
// except where a function says otherwise. Thread safety: free functions; safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/temp_directory.hpp"
#include "eventstore/backup.hpp"

namespace auditorium::eventstore::internal::file_util {

Status sync_dir(const std::filesystem::path& dir);
Status sync_file(const std::filesystem::path& file);

// Creates `dir` (and missing parents) with mode 0700 for what it creates.
Status make_private_dirs(const std::filesystem::path& dir);

using auditorium::TempDirectory;  // base/temp_directory.hpp

// NotFound when the file does not exist.
Result<std::string> read_file(const std::filesystem::path& file);

// Writes `contents` to `file` through a temporary beside it, fsyncs it, renames it into place and
// fsyncs the directory: readers see the old file or the whole new one. Mode 0600.
Status write_file_atomic(const std::filesystem::path& file, std::string_view contents);

// Creates `file` exclusively (AlreadyExists when it exists) with mode 0600, writes `contents`,
// fsyncs it and its directory. On failure the file is removed.
Status write_new_file(const std::filesystem::path& file, std::string_view contents);

// A file written under a temporary name beside its target and published whole by commit(), for
// files that hold personal data or keys (exports, escrows, key files). Readers, and a crash, see
// the old target (or none) or the complete new file, never a part of it. The temporary
// ("<target>.tmp-XXXXXX") is created 0600 whatever the umask, so the bytes are never readable by
// others, not even while they are written. Destroyed without a successful commit, the temporary
// is removed and the target is left as it was. Writes are buffered; a write error surfaces from
// append(), sync() or the commit. The buffer is wiped (sodium_memzero) each time it is written out
// and when the file is destroyed, so no copy of a key is left in freed memory.
// Thread safety: a value owned by one thread.
class AtomicFile {
public:
    // Unavailable naming the path when the temporary cannot be created (a missing directory, no
    // permission, a full disk).
    static Result<AtomicFile> create(const std::filesystem::path& target);
    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();  // removes the temporary unless committed

    Status append(std::string_view bytes);
    // Writes out the buffer and fsyncs the temporary: after it, only the rename is left, so a
    // caller publishing several files syncs them all before committing any.
    Status sync();
    // sync(), then renames the temporary over the target (replacing it) and fsyncs the directory.
    Status commit();
    // As commit(), but never replaces: AlreadyExists (the temporary removed, the target untouched)
    // when the target exists.
    Status commit_new();

    const std::filesystem::path& target() const { return target_; }

private:
    AtomicFile(int fd, std::filesystem::path temporary, std::filesystem::path target);
    Status flush();
    Status publish(bool replace);

    int fd_ = -1;
    std::filesystem::path temporary_;  // empty once committed or removed
    std::filesystem::path target_;
    std::string buffer_;
};

// Writes `contents` to a new `file` through an AtomicFile (0600) and publishes it with
// commit_new(): AlreadyExists when `file` exists (never overwritten, never followed if a symlink);
// a failure or a crash leaves no partial file. For keys and escrows.
Status write_new_file_atomic(const std::filesystem::path& file, std::string_view contents);

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

// An exclusive, non-blocking flock() on a file, released when destroyed.
class FileLock {
public:
    // Unavailable when another process (or handle) holds it, naming `what`.
    static Result<FileLock> acquire(const std::filesystem::path& file, std::string_view what);
    FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    FileLock& operator=(FileLock&&) = delete;
    FileLock(const FileLock&) = delete;
    ~FileLock();

private:
    explicit FileLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace auditorium::eventstore::internal::file_util
