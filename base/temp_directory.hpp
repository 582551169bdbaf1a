// A fresh directory `<parent>/<prefix>XXXXXX` (mkdtemp, mode 0700), removed with everything in it
// when destroyed: scratch space for restores, verifications, rebuilds and read-only opens.
// Move-only; one owner.
#pragma once

#include <filesystem>
#include <string_view>

#include "base/result.hpp"

namespace auditorium {

class TempDirectory {
public:
    static Result<TempDirectory> make(const std::filesystem::path& parent, std::string_view prefix);
    TempDirectory(TempDirectory&& other) noexcept : path_(std::move(other.path_)) {
        other.path_.clear();
    }
    TempDirectory& operator=(TempDirectory&&) = delete;
    ~TempDirectory();
    const std::filesystem::path& path() const { return path_; }

private:
    explicit TempDirectory(std::filesystem::path p) : path_(std::move(p)) {}
    std::filesystem::path path_;
};

}  // namespace auditorium
