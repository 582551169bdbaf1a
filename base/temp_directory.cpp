#include "base/temp_directory.hpp"

#include <stdlib.h>

#include <string>
#include <system_error>

namespace auditorium {

Result<TempDirectory> TempDirectory::make(const std::filesystem::path& parent,
                                          std::string_view prefix) {
    std::string pattern = (parent / (std::string(prefix) + "XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        return unavailable("cannot make a scratch directory in " + parent.string());
    }
    return TempDirectory(pattern);
}

TempDirectory::~TempDirectory() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

}  // namespace auditorium
