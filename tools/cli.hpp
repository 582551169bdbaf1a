// The `auditorium` command line: one function per subcommand, chosen by a table in main.cpp.
// Each returns the process exit code; errors go to stderr as one line naming the problem:
// 0 success, 1 failure, 2 bad usage or input, 3 permission, 4 the ledger failed a check.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eventstore/store.hpp"

namespace auditorium::tools {

namespace po = boost::program_options;
using Args = std::vector<std::string>;

int serve_command(const Args& args);
int ledger_command(const Args& args);
int keys_command(const Args& args);
int privacy_command(const Args& args);
int backup_command(const Args& args);
int keys_escrow_command(const Args& args);
int keys_unescrow_command(const Args& args);
int projections_command(const Args& args);
int ledger_replay(const Args& args);  // `ledger replay`

// Microseconds since the epoch, from the system clock.
std::int64_t wall_clock_us();

// Prints "auditorium: <context>: <status>" on stderr and returns the exit code for it.
int report(const std::string& context, const Status& status);

// Parses `args` for `command` (adding --help); returns an exit code to stop with (help shown: 0,
// bad usage: 2, message on stderr), or nullopt to go on.
std::optional<int> parse_options(const std::string& command, po::options_description& desc,
                                 const Args& args, po::variables_map& vm,
                                 const po::positional_options_description* positional = nullptr);

// The values a whole-number option accepts, both ends included.
struct NumberRange {
    std::uint64_t min;
    std::uint64_t max;
};

// Every numeric option of the command line is declared with number(range) and its range is one of
// these. Positions and tree sizes stop at 2^63 - 1: no ledger comes near it, and a larger number
// is a negative one wrapped, or a typo.
inline constexpr std::uint64_t kMaxPosition = 0x7fff'ffff'ffff'ffff;
inline constexpr NumberRange kPositionRange{1, kMaxPosition};       // positions start at 1
inline constexpr NumberRange kProofTreeSizeRange{1, kMaxPosition};  // a proof needs an entry
inline constexpr NumberRange kTreeSizeRange{0, kMaxPosition};       // 0: the empty tree
inline constexpr NumberRange kMaintenanceIntervalRange{
    1, std::uint64_t{30} * 86400};  // seconds; 0 would spin
inline constexpr NumberRange kMaintenanceDelayRange{
    0, std::uint64_t{30} * 86400};  // seconds; 0: at once
inline constexpr NumberRange kBackupsKeptRange{1, 1000};
inline constexpr NumberRange kVaultKeepDaysRange{1, 3650};

// The value semantic of a whole-number option, read back with vm[name].as<std::uint64_t>(). Its
// text must be decimal digits only, within `range`; parse_options refuses anything else while it
// parses, so before the command opens a store, a socket or a file, naming the option (exit 2).
// "-5", which boost::program_options would wrap to 2^64 - 5, is refused like "+5", "0x10" or "1e3".
// Ownership passes to the options_description it is added to, as with po::value.
po::typed_value<std::uint64_t>* number(NumberRange range);

// Adds --data DIR and --keys DIR, shared by every command that touches a store.
void add_store_options(po::options_description& desc);

// Opens the store named by --data/--keys read-write, for commands that change it when no server
// answers on the admin socket, with the server's recorded backup targets (backup_targets.hpp). A
// store locked by another process is refused with a message saying so.
Result<std::unique_ptr<eventstore::Store>> open_for_writing(const po::variables_map& vm);

// Opens the store named by --data/--keys beside a running server (RocksDB secondary instance);
// with the keys only when --keys was given or `need_keys`; `whole_scan`: StoreOptions::map_files.
Result<std::unique_ptr<eventstore::Store>> open_for_reading(const po::variables_map& vm,
                                                            bool need_keys,
                                                            bool whole_scan = false);

// The key given with --public-key (minisign base64 "RW...", a .pub file, or 64 hex digits) as 32
// raw bytes; empty when the option is absent.
Result<std::string> trusted_key_option(const po::variables_map& vm);

}  // namespace auditorium::tools
