// POSIX file primitives, in one place: an owned descriptor, full writes, fsync of files and
// directories, whole-file reads, durable writes and renames (the file and its directory fsynced),
// private (0700) directories and an exclusive lock file.
//
// Errors are values: Unavailable naming the path and errno's text ("disk full (...)" for ENOSPC
// and EDQUOT), except where a function says otherwise. Nothing here throws or logs.
// Thread safety: free functions are safe from any thread (two writers of one path race as they
// would with the system calls); UniqueFd, AtomicFile and FileLock are values owned by one thread.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace auditorium::file {

// strerror(error), with ENOSPC and EDQUOT spelled "disk full (...)" as RocksDB's NoSpace is
// (eventstore/internal/rocks_status.hpp): one phrase for operators and tests to look for.
std::string errno_text(int error);

// Unavailable "<what> <path>: <errno_text(errno)>", for the call that just failed and set errno:
// io_error("syncing", file).
Status io_error(std::string_view what, const std::filesystem::path& path);

// An open file descriptor, closed when destroyed. Move-only.
// The destructor ignores a failed close(2), which is harmless after reads; a writer that has not
// fsynced calls close() and checks it (NFS and some file systems report write errors there).
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}  // takes ownership; -1 holds nothing
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    explicit operator bool() const { return valid(); }

    // Gives up ownership: the caller closes the returned descriptor.
    int release() noexcept {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }
    // Closes now. Unavailable with close(2)'s error (callers add the path with with_context);
    // the descriptor is released either way, as close(2) releases it even when it fails.
    // OK when it holds nothing.
    Status close();

private:
    int fd_ = -1;
};

// Writes all of `bytes` to `fd`, retrying short writes and EINTR. `path` names the file in errors.
Status write_all(int fd, std::string_view bytes, const std::filesystem::path& path);

// fsync(2) of an open descriptor; `path` names it in errors.
Status sync_fd(int fd, const std::filesystem::path& path);
// Opens and fsyncs a file, or a directory (which makes the names created in it durable).
Status sync_file(const std::filesystem::path& file);
Status sync_dir(const std::filesystem::path& dir);

// The directory a file's name lives in: its parent, or "." for a bare name.
std::filesystem::path directory_of(const std::filesystem::path& file);

// The whole file. NotFound when it does not exist.
Result<std::string> read_file(const std::filesystem::path& file);

// Writes `contents` to `file` through the temporary "<file>.tmp" beside it (removed first if a
// crash left one, removed again on failure), fsyncs it, renames it into place and fsyncs the
// directory: readers, and a crash, see the old file or the whole new one. Mode 0600. Two writers
// of one file at once are not supported (they share the temporary).
Status write_file_atomic(const std::filesystem::path& file, std::string_view contents);

// Creates `file` exclusively (AlreadyExists when it exists, never following a symlink) with mode
// 0600, writes `contents`, fsyncs it and its directory. On failure the file is removed. A crash
// may leave a partial file: for keys, prefer write_new_file_atomic.
Status write_new_file(const std::filesystem::path& file, std::string_view contents);

// rename(2) of `from` to `to` (replacing `to`), then fsyncs the directory of `to` and, when it is
// another one, the directory of `from`: once OK, the move survives a crash.
Status rename_durable(const std::filesystem::path& from, const std::filesystem::path& to);

// Creates `dir` and its missing parents, each with mode 0700 (mkdir(2), so less if the umask
// takes owner bits away), and fsyncs the directory each was created in. OK when `dir` exists
// already (its mode is left as it is: see check_private_dir); Unavailable when it is not a
// directory.
Status make_private_dirs(const std::filesystem::path& dir);

// Whether `dir` is a directory (not a symlink) of the running user that nobody else may read,
// write or enter: PermissionDenied saying which and how to fix it (chmod 700), Unavailable when it
// cannot be examined. For directories that hold keys.
Status check_private_dir(const std::filesystem::path& dir);

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
    AtomicFile(UniqueFd fd, std::filesystem::path temporary, std::filesystem::path target);
    Status flush();
    Status publish(bool replace);

    UniqueFd fd_;
    std::filesystem::path temporary_;  // empty once committed or removed
    std::filesystem::path target_;
    std::string buffer_;
};

// Writes `contents` to a new `file` through an AtomicFile (0600) and publishes it with
// commit_new(): AlreadyExists when `file` exists (never overwritten, never followed if a symlink);
// a failure or a crash leaves no partial file. For keys and escrows.
Status write_new_file_atomic(const std::filesystem::path& file, std::string_view contents);

// An exclusive, non-blocking flock(2) on a file (created 0600 if missing), released when
// destroyed. Advisory: it excludes other FileLocks (in this or another process), nothing else.
class FileLock {
public:
    // Unavailable when another process (or handle) holds it, naming `what` and the file.
    static Result<FileLock> acquire(const std::filesystem::path& file, std::string_view what);

private:
    explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;  // closing it releases the lock
};

}  // namespace auditorium::file
