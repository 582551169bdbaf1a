// For the other modules' RocksDB databases (the read models): the same checks of the files before
// RocksDB opens them as the ledger and the vault get (internal/log_scan.hpp: a missing CURRENT,
// a damaged log other than a crash's torn tail), and RocksDB's info log routed through spdlog.
// Free functions; thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace rocksdb {
class Logger;
}

namespace auditorium::eventstore {

struct DatabaseFiles {
    bool fresh = false;  // a missing or empty directory: the only kind a new database is made in
};

// Corruption naming the file (and byte offset) for damage; `what` names the database.
Result<DatabaseFiles> check_database_files(const std::filesystem::path& dir, std::string_view what);

// An info log for RocksDB's options: warnings and errors to spdlog, no LOG file.
std::shared_ptr<rocksdb::Logger> rocks_info_log(std::string name);

}  // namespace auditorium::eventstore
