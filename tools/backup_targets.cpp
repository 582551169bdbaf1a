#include "tools/backup_targets.hpp"

#include <algorithm>
#include <sstream>
#include <string>

#include "base/file.hpp"

namespace auditorium::tools {

namespace fs = std::filesystem;

namespace {

constexpr const char* kHeader =
    "# backup targets of this ledger, one absolute path per line (set by auditorium serve "
    "--backup-target)";

}  // namespace

Result<std::vector<fs::path>> recorded_backup_targets(const fs::path& data_dir) {
    const fs::path file = data_dir / kBackupTargetsFile;
    auto text = file::read_file(file);
    if (!text && text.status().code() == StatusCode::kNotFound) return std::vector<fs::path>();
    if (!text) return text.status();
    std::istringstream in(*text);
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
    return out;
}

Result<std::vector<fs::path>> record_backup_targets(const fs::path& data_dir,
                                                    const std::vector<fs::path>& targets) {
    std::vector<fs::path> normal;
    for (const fs::path& t : targets) {
        if (t.empty()) return invalid_argument("backup-target: an empty path");
        std::error_code ec;
        fs::path absolute = fs::absolute(t, ec).lexically_normal();
        if (ec) return invalid_argument("backup-target: " + t.string() + ": " + ec.message());
        if (!absolute.has_filename() && absolute != absolute.root_path())
            absolute = absolute.parent_path();
        const std::string text = absolute.string();
        if (text.find('\n') != std::string::npos)
            return invalid_argument("backup-target: a path with a line break");
        if (std::find(normal.begin(), normal.end(), absolute) == normal.end())
            normal.push_back(absolute);
    }
    std::string text = std::string(kHeader) + "\n";
    for (const fs::path& t : normal) text += t.string() + "\n";

    // A crash leaves the old list or the new one; once this returns, the new one survives a crash
    // too, so a failure (the directory's fsync included) is the caller's to report.
    AUD_RETURN_IF_ERROR(file::write_file_atomic(data_dir / kBackupTargetsFile, text));
    return normal;
}

}  // namespace auditorium::tools
