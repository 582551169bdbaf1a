#include "base/file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdio.h>   // renameat2 (glibc 2.28)
#include <stdlib.h>  // mkostemp

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

namespace auditorium::file {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kAtomicFileBuffer = 1 << 20;

std::string mode_digits(mode_t mode) {
    return std::to_string((mode >> 6) & 7) + std::to_string((mode >> 3) & 7) +
           std::to_string(mode & 7);
}

}  // namespace

std::string errno_text(int error) {
    // generic_category's message is strerror_r's: safe from any thread, unlike strerror.
    std::string text = std::generic_category().message(error);
    if (error == ENOSPC || error == EDQUOT) return "disk full (" + text + ")";
    return text;
}

Status io_error(std::string_view what, const fs::path& path) {
    const int e = errno;  // read first: building the message may call into libc
    return unavailable(std::string(what) + " " + path.string() + ": " + errno_text(e));
}

// ---- UniqueFd ----

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        // The descriptor given up here was only read or its owner chose not to check: see the
        // class comment.
        (void)close();
        fd_ = other.release();
    }
    return *this;
}

UniqueFd::~UniqueFd() {
    // A failed close is ignored on purpose (see the class comment); writers call close().
    (void)close();
}

Status UniqueFd::close() {
    if (fd_ < 0) return Status::ok();
    // Linux releases the descriptor even when close(2) fails (EINTR included), so never retried:
    // a retry could close a descriptor another thread has just been given.
    const int rc = ::close(release());
    if (rc != 0) {
        const int e = errno;
        return unavailable("closing a file: " + errno_text(e));
    }
    return Status::ok();
}

// ---- writes, syncs and reads ----

Status write_all(int fd, std::string_view bytes, const fs::path& path) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("writing", path);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return Status::ok();
}

Status sync_fd(int fd, const fs::path& path) {
    if (::fsync(fd) != 0) return io_error("syncing", path);
    return Status::ok();
}

Status sync_dir(const fs::path& dir) {
    UniqueFd f(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!f) return io_error("opening", dir);
    return sync_fd(f.get(), dir);
}

Status sync_file(const fs::path& file) {
    UniqueFd f(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!f) return io_error("opening", file);
    return sync_fd(f.get(), file);
}

fs::path directory_of(const fs::path& file) {
    return file.parent_path().empty() ? fs::path(".") : file.parent_path();
}

Result<std::string> read_file(const fs::path& file) {
    UniqueFd f(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!f) {
        if (errno == ENOENT) return not_found(file.string() + " does not exist");
        return io_error("reading", file);
    }
    std::string out;
    std::string buf(1 << 16, '\0');
    for (;;) {
        const ssize_t n = ::read(f.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("reading", file);
        }
        if (n == 0) break;
        out.append(buf.data(), static_cast<std::size_t>(n));
    }
    return out;
}

Status write_file_atomic(const fs::path& file, std::string_view contents) {
    const fs::path tmp = file.string() + ".tmp";
    // A temporary left by a crash; none is the usual case, and O_EXCL below names any other
    // reason it could not go.
    ::unlink(tmp.c_str());
    Status written = [&] {
        UniqueFd f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!f) return io_error("creating", tmp);
        AUD_RETURN_IF_ERROR(write_all(f.get(), contents, tmp));
        AUD_RETURN_IF_ERROR(sync_fd(f.get(), tmp));
        return f.close().with_context(tmp.string());
    }();
    if (written.is_ok() && ::rename(tmp.c_str(), file.c_str()) != 0)
        written = io_error("renaming into", file);
    if (!written.is_ok()) {
        // The error above is the one to report; a temporary that stays is removed by the next
        // write.
        ::unlink(tmp.c_str());
        return written;
    }
    return sync_dir(directory_of(file));
}

Status write_new_file(const fs::path& file, std::string_view contents) {
    UniqueFd f(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!f) {
        if (errno == EEXIST)
            return already_exists(file.string() + " exists; it is never overwritten");
        return io_error("creating", file);
    }
    Status s = write_all(f.get(), contents, file);
    if (s.is_ok() && ::fchmod(f.get(), 0600) != 0) s = io_error("setting mode 0600 on", file);
    if (s.is_ok()) s = sync_fd(f.get(), file);
    if (s.is_ok()) s = f.close().with_context(file.string());
    if (s.is_ok()) s = sync_dir(directory_of(file));
    // The file is this call's own (O_EXCL): a failure leaves none behind. The error returned is
    // the first; an unlink that fails too leaves a file the next attempt reports as existing.
    if (!s.is_ok()) ::unlink(file.c_str());
    return s;
}

Status rename_durable(const fs::path& from, const fs::path& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) {
        const int e = errno;
        return unavailable("renaming " + from.string() + " to " + to.string() + ": " +
                           errno_text(e));
    }
    const fs::path to_dir = directory_of(to);
    AUD_RETURN_IF_ERROR(sync_dir(to_dir));
    const fs::path from_dir = directory_of(from);
    std::error_code ec;
    if (fs::equivalent(from_dir, to_dir, ec) && !ec) return Status::ok();
    return sync_dir(from_dir);
}

// ---- directories ----

Status make_private_dirs(const fs::path& dir) {
    std::vector<fs::path> missing;
    std::error_code ec;
    // ec ignored on purpose: a path that cannot be examined is tried by mkdir below, which names
    // it.
    for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
        missing.push_back(p);
        if (p == p.parent_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) return io_error("creating", *it);
        if (it->has_parent_path()) AUD_RETURN_IF_ERROR(sync_dir(it->parent_path()));
    }
    if (!fs::is_directory(dir, ec)) return unavailable(dir.string() + " is not a directory");
    return Status::ok();
}

Status check_private_dir(const fs::path& dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) return io_error("reading", dir);
    if (!S_ISDIR(st.st_mode)) return permission_denied(dir.string() + " is not a directory");
    if (st.st_uid != ::geteuid()) {
        return permission_denied(
            dir.string() + " belongs to another user (uid " + std::to_string(st.st_uid) +
            "); it must be the running user's own (uid " + std::to_string(::geteuid()) + ")");
    }
    if ((st.st_mode & 077) != 0) {
        return permission_denied(dir.string() + " may be read or written by others (mode " +
                                 mode_digits(st.st_mode) + "); chmod 700 it");
    }
    return Status::ok();
}

// ---- AtomicFile ----

Result<AtomicFile> AtomicFile::create(const fs::path& target) {
    std::string pattern = target.string() + ".tmp-XXXXXX";
    UniqueFd fd(::mkostemp(pattern.data(), O_CLOEXEC));
    if (!fd) return io_error("creating a temporary file for", target);
    const int raw = fd.get();
    AtomicFile file(std::move(fd), pattern, target);
    // mkostemp asks for 0600 but the umask may take more away; the owner must read it back.
    if (::fchmod(raw, 0600) != 0) return io_error("setting mode 0600 on", file.temporary_);
    return file;
}

AtomicFile::AtomicFile(UniqueFd fd, fs::path temporary, fs::path target)
    : fd_(std::move(fd)), temporary_(std::move(temporary)), target_(std::move(target)) {
    buffer_.reserve(kAtomicFileBuffer);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : fd_(std::move(other.fd_)),
      temporary_(std::move(other.temporary_)),
      target_(std::move(other.target_)),
      buffer_(std::move(other.buffer_)) {
    other.temporary_.clear();
}

AtomicFile::~AtomicFile() {
    sodium_memzero(buffer_.data(), buffer_.size());
    // Not committed: the temporary is abandoned, so neither its close nor its unlink can lose
    // anything (a temporary that stays is named .tmp-XXXXXX beside the target).
    (void)fd_.close();
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

Status AtomicFile::append(std::string_view bytes) {
    if (!fd_) return failed_precondition(target_.string() + ": already committed");
    if (buffer_.size() + bytes.size() > kAtomicFileBuffer) AUD_RETURN_IF_ERROR(flush());
    if (bytes.size() >= kAtomicFileBuffer) return write_all(fd_.get(), bytes, temporary_);
    buffer_.append(bytes);
    return Status::ok();
}

Status AtomicFile::flush() {
    Status s = write_all(fd_.get(), buffer_, temporary_);
    // The buffer held personal data or a key: wiped, not only emptied.
    sodium_memzero(buffer_.data(), buffer_.size());
    buffer_.clear();
    return s;
}

Status AtomicFile::sync() {
    if (!fd_) return failed_precondition(target_.string() + ": already committed");
    AUD_RETURN_IF_ERROR(flush());
    return sync_fd(fd_.get(), temporary_);
}

Status AtomicFile::publish(bool replace) {
    AUD_RETURN_IF_ERROR(sync());
    const int rc = replace ? ::rename(temporary_.c_str(), target_.c_str())
                           : ::renameat2(AT_FDCWD, temporary_.c_str(), AT_FDCWD, target_.c_str(),
                                         RENAME_NOREPLACE);
    const Status renamed =
        rc == 0 ? Status::ok()
        : !replace && errno == EEXIST
            ? already_exists(target_.string() + " exists; it is never overwritten")
            : io_error("renaming into", target_);
    // Published or not, this file is done: a failed one leaves no temporary behind.
    if (!renamed.is_ok()) ::unlink(temporary_.c_str());
    temporary_.clear();
    // The bytes were fsynced above, so a failed close loses nothing the rename published.
    (void)fd_.close();
    AUD_RETURN_IF_ERROR(renamed);
    return sync_dir(directory_of(target_));
}

Status AtomicFile::commit() { return publish(true); }

Status AtomicFile::commit_new() { return publish(false); }

Status write_new_file_atomic(const fs::path& file, std::string_view contents) {
    AUD_ASSIGN_OR_RETURN(AtomicFile out, AtomicFile::create(file));
    AUD_RETURN_IF_ERROR(out.append(contents));
    return out.commit_new();
}

// ---- FileLock ----

Result<FileLock> FileLock::acquire(const fs::path& file, std::string_view what) {
    UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd) return io_error("opening", file);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        const int e = errno;
        return unavailable(std::string(what) + " (" + file.string() +
                           " is locked: " + errno_text(e) + ")");
    }
    return FileLock(std::move(fd));
}

}  // namespace auditorium::file
