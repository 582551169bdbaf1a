#include "eventstore/internal/file_util.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdio.h>   // renameat2 (glibc 2.28)
#include <stdlib.h>  // mkostemp

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

namespace auditorium::eventstore::internal::file_util {
namespace fs = std::filesystem;
namespace {

// ENOSPC and EDQUOT say "disk full", as RocksDB's NoSpace does (rocks_status.hpp): one phrase
// for operators and tests to look for, whichever layer ran out.
std::string errno_text() {
    const int e = errno;
    if (e == ENOSPC || e == EDQUOT) return std::string("disk full (") + std::strerror(e) + ")";
    return std::strerror(e);
}

Status io_error(const std::string& what, const fs::path& path) {
    return unavailable(what + " " + path.string() + ": " + errno_text());
}

// Closes fd on scope exit.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

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

// SHA-256 and size of a file, read in 1 MiB steps.
Status hash_file(const fs::path& file, BackupFile& out) {
    Fd f{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) return io_error("reading", file);
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    std::string buf(1 << 20, '\0');
    out.size = 0;
    for (;;) {
        const ssize_t n = ::read(f.fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("reading", file);
        }
        if (n == 0) break;
        crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buf.data()),
                                  static_cast<unsigned long long>(n));
        out.size += static_cast<std::uint64_t>(n);
    }
    out.sha256.assign(crypto_hash_sha256_BYTES, '\0');
    crypto_hash_sha256_final(&state, reinterpret_cast<unsigned char*>(out.sha256.data()));
    return Status::ok();
}

Status copy_one(const fs::path& from, const fs::path& to) {
    Fd in{::open(from.c_str(), O_RDONLY | O_CLOEXEC)};
    if (in.fd < 0) return io_error("reading", from);
    Fd out{::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
    if (out.fd < 0) return io_error("creating", to);
    std::string buf(1 << 20, '\0');
    for (;;) {
        const ssize_t n = ::read(in.fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("reading", from);
        }
        if (n == 0) break;
        AUD_RETURN_IF_ERROR(write_all(out.fd, std::string_view(buf.data(), static_cast<std::size_t>(n)), to));
    }
    if (::fsync(out.fd) != 0) return io_error("syncing", to);
    return Status::ok();
}

Result<std::vector<fs::path>> regular_files(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec) || it->is_symlink(ec)) {
            return invalid_argument(it->path().string() + " is not a regular file");
        }
        out.push_back(it->path());
    }
    if (ec) return unavailable("listing " + dir.string() + ": " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

Status sync_dir(const fs::path& dir) {
    Fd f{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (f.fd < 0) return io_error("opening", dir);
    if (::fsync(f.fd) != 0) return io_error("syncing", dir);
    return Status::ok();
}

Status sync_file(const fs::path& file) {
    Fd f{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) return io_error("opening", file);
    if (::fsync(f.fd) != 0) return io_error("syncing", file);
    return Status::ok();
}

Status make_private_dirs(const fs::path& dir) {
    std::vector<fs::path> missing;
    std::error_code ec;
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

Result<std::string> read_file(const fs::path& file) {
    Fd f{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) {
        if (errno == ENOENT) return not_found(file.string() + " does not exist");
        return io_error("reading", file);
    }
    std::string out;
    std::string buf(1 << 16, '\0');
    for (;;) {
        const ssize_t n = ::read(f.fd, buf.data(), buf.size());
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
    ::unlink(tmp.c_str());
    {
        Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
        if (f.fd < 0) return io_error("creating", tmp);
        AUD_RETURN_IF_ERROR(write_all(f.fd, contents, tmp));
        if (::fsync(f.fd) != 0) return io_error("syncing", tmp);
    }
    if (::rename(tmp.c_str(), file.c_str()) != 0) return io_error("renaming into", file);
    return sync_dir(file.parent_path());
}

Status write_new_file(const fs::path& file, std::string_view contents) {
    Fd f{::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)};
    if (f.fd < 0) {
        if (errno == EEXIST) return already_exists(file.string() + " exists; it is never overwritten");
        return io_error("creating", file);
    }
    Status s = write_all(f.fd, contents, file);
    if (s.is_ok() && ::fchmod(f.fd, 0600) != 0) s = io_error("setting mode 0600 on", file);
    if (s.is_ok() && ::fsync(f.fd) != 0) s = io_error("syncing", file);
    if (s.is_ok()) s = sync_dir(file.parent_path().empty() ? fs::path(".") : file.parent_path());
    if (!s.is_ok()) ::unlink(file.c_str());
    return s;
}

namespace {

constexpr std::size_t kAtomicFileBuffer = 1 << 20;

fs::path directory_of(const fs::path& file) {
    return file.parent_path().empty() ? fs::path(".") : file.parent_path();
}

}  // namespace

Result<AtomicFile> AtomicFile::create(const fs::path& target) {
    std::string pattern = target.string() + ".tmp-XXXXXX";
    const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) return io_error("creating a temporary file for", target);
    AtomicFile file(fd, pattern, target);
    // mkostemp asks for 0600 but the umask may take more away; the owner must read it back.
    if (::fchmod(fd, 0600) != 0) return io_error("setting mode 0600 on", file.temporary_);
    return file;
}

AtomicFile::AtomicFile(int fd, fs::path temporary, fs::path target)
    : fd_(fd), temporary_(std::move(temporary)), target_(std::move(target)) {
    buffer_.reserve(kAtomicFileBuffer);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : fd_(other.fd_),
      temporary_(std::move(other.temporary_)),
      target_(std::move(other.target_)),
      buffer_(std::move(other.buffer_)) {
    other.fd_ = -1;
    other.temporary_.clear();
}

AtomicFile::~AtomicFile() {
    sodium_memzero(buffer_.data(), buffer_.size());
    if (fd_ >= 0) ::close(fd_);
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

Status AtomicFile::append(std::string_view bytes) {
    if (fd_ < 0) return failed_precondition(target_.string() + ": already committed");
    if (buffer_.size() + bytes.size() > kAtomicFileBuffer) AUD_RETURN_IF_ERROR(flush());
    if (bytes.size() >= kAtomicFileBuffer) return write_all(fd_, bytes, temporary_);
    buffer_.append(bytes);
    return Status::ok();
}

Status AtomicFile::flush() {
    Status s = write_all(fd_, buffer_, temporary_);
    // The buffer held personal data or a key: wiped, not only emptied.
    sodium_memzero(buffer_.data(), buffer_.size());
    buffer_.clear();
    return s;
}

Status AtomicFile::sync() {
    if (fd_ < 0) return failed_precondition(target_.string() + ": already committed");
    AUD_RETURN_IF_ERROR(flush());
    if (::fsync(fd_) != 0) return io_error("syncing", temporary_);
    return Status::ok();
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
    ::close(fd_);
    fd_ = -1;
    AUD_RETURN_IF_ERROR(renamed);
    return sync_dir(directory_of(target_));
}

Status AtomicFile::commit() {
    return publish(true);
}

Status AtomicFile::commit_new() {
    return publish(false);
}

Status write_new_file_atomic(const fs::path& file, std::string_view contents) {
    AUD_ASSIGN_OR_RETURN(AtomicFile out, AtomicFile::create(file));
    AUD_RETURN_IF_ERROR(out.append(contents));
    return out.commit_new();
}

Result<std::vector<BackupFile>> hash_files(const fs::path& dir) {
    AUD_ASSIGN_OR_RETURN(auto files, regular_files(dir));
    std::vector<BackupFile> out;
    for (const fs::path& p : files) {
        BackupFile f;
        f.name = p.filename().string();
        AUD_RETURN_IF_ERROR(hash_file(p, f));
        out.push_back(std::move(f));
    }
    return out;
}

Status check_files(const fs::path& dir, const std::vector<BackupFile>& files) {
    auto present = regular_files(dir);
    if (!present) {
        if (present.status().code() == StatusCode::kInvalidArgument) {
            return corruption(present.status().message() + " (not in the manifest)");
        }
        return present.status();
    }
    std::map<std::string, const BackupFile*> listed;
    for (const BackupFile& f : files) listed[f.name] = &f;
    for (const fs::path& p : *present) {
        const std::string name = p.filename().string();
        if (!listed.count(name)) {
            return corruption("file " + (dir / name).string() + " is not in the manifest");
        }
    }
    for (const BackupFile& f : files) {
        const fs::path p = dir / f.name;
        std::error_code ec;
        if (!fs::exists(p, ec)) return corruption("file " + p.string() + " of the manifest is missing");
        BackupFile actual;
        AUD_RETURN_IF_ERROR(hash_file(p, actual));
        if (actual.size != f.size) {
            return corruption("file " + p.string() + " has " + std::to_string(actual.size) +
                              " bytes; the manifest says " + std::to_string(f.size));
        }
        if (actual.sha256 != f.sha256) {
            return corruption("file " + p.string() + " does not match its SHA-256 in the manifest (it was changed)");
        }
    }
    return Status::ok();
}

Status copy_files(const fs::path& from, const fs::path& to) {
    AUD_ASSIGN_OR_RETURN(auto files, regular_files(from));
    for (const fs::path& p : files) AUD_RETURN_IF_ERROR(copy_one(p, to / p.filename()));
    return sync_dir(to);
}

Status break_hard_links(const fs::path& dir) {
    AUD_ASSIGN_OR_RETURN(auto files, regular_files(dir));
    for (const fs::path& p : files) {
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) return io_error("reading", p);
        if (st.st_nlink <= 1) continue;
        const fs::path tmp = p.string() + ".copy";
        AUD_RETURN_IF_ERROR(copy_one(p, tmp));
        if (::rename(tmp.c_str(), p.c_str()) != 0) return io_error("renaming into", p);
    }
    return sync_dir(dir);
}

Result<FileLock> FileLock::acquire(const fs::path& file, std::string_view what) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return io_error("opening", file);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const std::string err = errno_text();
        ::close(fd);
        return unavailable(std::string(what) + " (" + file.string() + " is locked: " + err + ")");
    }
    return FileLock(fd);
}

FileLock::~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace auditorium::eventstore::internal::file_util
