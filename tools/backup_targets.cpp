#include "tools/backup_targets.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace auditorium::tools {

namespace fs = std::filesystem;

namespace {

constexpr const char* kHeader = "# backup targets of this ledger, one absolute path per line (set by auditorium serve --backup-target)";

Status write_all(int fd, const std::string& text, const fs::path& file) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return unavailable("writing " + file.string() + ": " + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) return unavailable("syncing " + file.string() + ": " + std::strerror(errno));
    return Status::ok();
}

}  // namespace

Result<std::vector<fs::path>> recorded_backup_targets(const fs::path& data_dir) {
    const fs::path file = data_dir / kBackupTargetsFile;
    std::error_code ec;
    if (!fs::exists(file, ec)) {
        if (ec) return unavailable("checking " + file.string() + ": " + ec.message());
        return std::vector<fs::path>();
    }
    std::ifstream in(file);
    if (!in) return unavailable("reading " + file.string());
    std::vector<fs::path> out;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.empty() || line.front() == '#') continue;
        const fs::path target(line);
        if (!target.is_absolute()) {
            return invalid_argument(file.string() + " line " + std::to_string(number) +
                                    ": not an absolute path: '" + line + "'");
        }
        out.push_back(target);
    }
    if (in.bad()) return unavailable("reading " + file.string());
    return out;
}

Result<std::vector<fs::path>> record_backup_targets(const fs::path& data_dir, const std::vector<fs::path>& targets) {
    std::vector<fs::path> normal;
    for (const fs::path& t : targets) {
        if (t.empty()) return invalid_argument("backup-target: an empty path");
        std::error_code ec;
        fs::path absolute = fs::absolute(t, ec).lexically_normal();
        if (ec) return invalid_argument("backup-target: " + t.string() + ": " + ec.message());
        if (!absolute.has_filename() && absolute != absolute.root_path()) absolute = absolute.parent_path();
        const std::string text = absolute.string();
        if (text.find('\n') != std::string::npos) return invalid_argument("backup-target: a path with a line break");
        if (std::find(normal.begin(), normal.end(), absolute) == normal.end()) normal.push_back(absolute);
    }
    std::string text = std::string(kHeader) + "\n";
    for (const fs::path& t : normal) text += t.string() + "\n";

    const fs::path file = data_dir / kBackupTargetsFile;
    const fs::path next = data_dir / (std::string(kBackupTargetsFile) + ".next");
    const int fd = ::open(next.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return unavailable("creating " + next.string() + ": " + std::strerror(errno));
    Status written = write_all(fd, text, next);
    ::close(fd);
    if (!written.is_ok()) {
        ::unlink(next.c_str());
        return written;
    }
    if (::rename(next.c_str(), file.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(next.c_str());
        return unavailable("replacing " + file.string() + ": " + why);
    }
    // The rename is durable once the directory is synced; until then a crash may bring back the
    // old list, so a failure is the caller's to report.
    const int dir = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return unavailable("syncing " + data_dir.string() + ": " + std::strerror(errno));
    const bool synced = ::fsync(dir) == 0;
    const std::string why = std::strerror(errno);
    ::close(dir);
    if (!synced) return unavailable("syncing " + data_dir.string() + ": " + why);
    return normal;
}

}  // namespace auditorium::tools
