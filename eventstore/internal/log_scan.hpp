// Our own check of a RocksDB directory's files before RocksDB opens it.
//
// RocksDB 7.8's point-in-time recovery stops replaying a write-ahead log at its first bad record
// and silently drops the rest, and a missing CURRENT with create_if_missing makes a new, empty
// database that deletes the old one's SSTs as obsolete. Neither may happen to a ledger: a crash or
// a power cut leaves at most a short or zero-filled tail of the newest log, and anything else is
// damage an operator must hear about, with the file and the byte offset.
//
// The log format (RocksDB's db/log_format.h, as leveldb's doc/log_format.md describes it):
// 32 KiB blocks of records, each a 7-byte header (masked CRC-32C of type and payload, LE32;
// length, LE16; type, 1 byte) and its payload; a block's last 1..6 bytes are zero padding.
//
// Pure functions over files; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "base/result.hpp"

namespace auditorium::eventstore::internal::log_scan {

inline constexpr std::size_t kBlockSize = 32768;
inline constexpr std::size_t kHeaderSize = 7;

// What a scan of one log file found.
struct LogReport {
    std::uint64_t records = 0;      // good records
    std::uint64_t valid_bytes = 0;  // the offset just past the last good record
    // Set when the file ends in something that is not a whole good record.
    std::optional<std::uint64_t> bad_offset;
    std::string what;  // why the record at bad_offset is bad
    // True when everything from bad_offset to the end is what an interrupted write leaves: a
    // record cut short by the end of the file, or zero bytes to the end.
    bool torn_tail = false;
};

// Scans a log-format file (a WAL `NNNNNN.log` or a `MANIFEST-NNNNNN`). Unavailable when it cannot
// be read; NotFound when it is gone (a server removed it while we looked).
Result<LogReport> scan_log(const std::filesystem::path& file);

// The masked CRC-32C RocksDB stores in a record header, over `type` and `payload`.
std::uint32_t masked_crc(std::uint8_t type, std::string_view payload);

// Checks a RocksDB directory before it is opened. Returns:
// - OK for a directory that does not exist or holds no database file (`fresh` is set then);
// - Corruption naming the file for a missing CURRENT beside database files, or a CURRENT naming
//   a MANIFEST that is missing;
// - Corruption naming the file and byte offset for a bad record anywhere in a log but the tail
//   of the newest one, and for a damaged MANIFEST other than its torn tail.
// `what` names the database in messages ("ledger", "key vault", "read models"). The message says
// what to do: keep a copy and restore from a backup (docs/backups.md).
struct DirCheck {
    bool fresh = false;            // no database here yet
    std::uint64_t logs = 0;        // logs scanned
    std::uint64_t torn_bytes = 0;  // bytes of torn tail found (RocksDB drops them at open)
};
Result<DirCheck> check_database_dir(const std::filesystem::path& dir, std::string_view what);

// After RocksDB refused to open `dir`: " (<file> is damaged: <why>)" for the first SST whose
// blocks fail their checksums, since RocksDB's own message may blame the MANIFEST; else "".
std::string name_damaged_sst(const std::filesystem::path& dir);

}  // namespace auditorium::eventstore::internal::log_scan
