// A fresh directory under the system temp dir, removed with everything in it when destroyed.
// Thread safety: a value owned by one test.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace auditorium::testing {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// Every regular file under `dir` (recursively) whose bytes contain `needle`.
std::vector<std::filesystem::path> files_containing(const std::filesystem::path& dir,
                                                    std::string_view needle);

}  // namespace auditorium::testing
