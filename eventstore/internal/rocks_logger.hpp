// RocksDB's info log routed through spdlog, so no RocksDB instance of ours writes a LOG file.
//
// Why: a full disk made Debian's assertion-enabled RocksDB abort in DB::Close while it wrote the
// vault's LOG, and a read-only open must not create files in the directory it checks. Warnings
// and errors go to spdlog under the database's name; RocksDB's chatty INFO lines are dropped.
//
// Thread safety: the logger may be called from any of RocksDB's threads.
#pragma once

#include <memory>
#include <string>

namespace rocksdb {
class Logger;
}

namespace auditorium::eventstore::internal {

// A logger for the database named `name` ("ledger", "key vault", "read models").
std::shared_ptr<rocksdb::Logger> make_rocks_logger(std::string name);

}  // namespace auditorium::eventstore::internal
