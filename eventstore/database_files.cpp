#include "eventstore/database_files.hpp"

#include "eventstore/internal/log_scan.hpp"
#include "eventstore/internal/rocks_logger.hpp"

namespace auditorium::eventstore {

Result<DatabaseFiles> check_database_files(const std::filesystem::path& dir,
                                           std::string_view what) {
    AUD_ASSIGN_OR_RETURN(auto check, internal::log_scan::check_database_dir(dir, what));
    return DatabaseFiles{check.fresh};
}

std::shared_ptr<rocksdb::Logger> rocks_info_log(std::string name) {
    return internal::make_rocks_logger(std::move(name));
}

}  // namespace auditorium::eventstore
