#include "eventstore/internal/backup_files.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "base/file.hpp"

namespace auditorium::eventstore::internal::backup_files {
namespace fs = std::filesystem;
namespace {

// SHA-256 and size of a file, read in 1 MiB steps.
Status hash_file(const fs::path& file, BackupFile& out) {
    file::UniqueFd f(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!f) return file::io_error("reading", file);
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    std::string buf(1 << 20, '\0');
    out.size = 0;
    for (;;) {
        const ssize_t n = ::read(f.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return file::io_error("reading", file);
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
    file::UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) return file::io_error("reading", from);
    file::UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out) return file::io_error("creating", to);
    std::string buf(1 << 20, '\0');
    for (;;) {
        const ssize_t n = ::read(in.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return file::io_error("reading", from);
        }
        if (n == 0) break;
        AUD_RETURN_IF_ERROR(file::write_all(
            out.get(), std::string_view(buf.data(), static_cast<std::size_t>(n)), to));
    }
    AUD_RETURN_IF_ERROR(file::sync_fd(out.get(), to));
    return out.close().with_context(to.string());
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
        if (!fs::exists(p, ec))
            return corruption("file " + p.string() + " of the manifest is missing");
        BackupFile actual;
        AUD_RETURN_IF_ERROR(hash_file(p, actual));
        if (actual.size != f.size) {
            return corruption("file " + p.string() + " has " + std::to_string(actual.size) +
                              " bytes; the manifest says " + std::to_string(f.size));
        }
        if (actual.sha256 != f.sha256) {
            return corruption("file " + p.string() +
                              " does not match its SHA-256 in the manifest (it was changed)");
        }
    }
    return Status::ok();
}

Status copy_files(const fs::path& from, const fs::path& to) {
    AUD_ASSIGN_OR_RETURN(auto files, regular_files(from));
    for (const fs::path& p : files) AUD_RETURN_IF_ERROR(copy_one(p, to / p.filename()));
    return file::sync_dir(to);
}

Status break_hard_links(const fs::path& dir) {
    AUD_ASSIGN_OR_RETURN(auto files, regular_files(dir));
    for (const fs::path& p : files) {
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) return file::io_error("reading", p);
        if (st.st_nlink <= 1) continue;
        const fs::path tmp = p.string() + ".copy";
        AUD_RETURN_IF_ERROR(copy_one(p, tmp));
        if (::rename(tmp.c_str(), p.c_str()) != 0) return file::io_error("renaming into", p);
    }
    return file::sync_dir(dir);
}

}  // namespace auditorium::eventstore::internal::backup_files
