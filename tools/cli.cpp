// The helpers every subcommand shares (cli.hpp): the clock, error reports, option parsing and
// opening the store.
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "commands/command_handler.hpp"
#include "tools/backup_targets.hpp"
#include "tools/cli.hpp"

namespace auditorium::tools {

std::int64_t wall_clock_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int report(const std::string& context, const Status& status) {
    std::fprintf(stderr, "auditorium: %s: %s\n", context.c_str(), status.to_string().c_str());
    switch (status.code()) {
        case StatusCode::kInvalidArgument: return 2;
        case StatusCode::kPermissionDenied: return 3;
        case StatusCode::kCorruption:
        case StatusCode::kDataLoss: return 4;
        default: return 1;
    }
}

std::optional<int> parse_options(const std::string& command, po::options_description& desc,
                                 const Args& args, po::variables_map& vm,
                                 const po::positional_options_description* positional) {
    desc.add_options()("help,h", "this help");
    try {
        po::command_line_parser parser(args);
        parser.options(desc);
        if (positional != nullptr) parser.positional(*positional);
        po::store(parser.run(), vm);
        if (vm.count("help")) {
            std::cout << "usage: auditorium " << command << " [options]\n" << desc << "\n";
            return 0;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        std::fprintf(stderr, "auditorium %s: %s\n", command.c_str(), e.what());
        return 2;
    }
    return std::nullopt;
}

void add_store_options(po::options_description& desc) {
    desc.add_options()("data", po::value<std::string>()->default_value("var/data"),
                       "ledger directory")(
        "keys", po::value<std::string>(),
        "keys directory (default: 'keys' beside the data directory)");
}

Result<std::unique_ptr<eventstore::Store>> open_for_reading(const po::variables_map& vm,
                                                            bool need_keys, bool whole_scan) {
    eventstore::StoreOptions o;
    o.data_dir = vm["data"].as<std::string>();
    if (vm.count("keys")) o.keys_dir = vm["keys"].as<std::string>();
    o.read_only = true;
    o.with_keys = need_keys || vm.count("keys") > 0;
    o.map_files = whole_scan;
    return eventstore::Store::open(o);
}

Result<std::unique_ptr<eventstore::Store>> open_for_writing(const po::variables_map& vm) {
    eventstore::StoreOptions o;
    o.data_dir = vm["data"].as<std::string>();
    if (vm.count("keys")) o.keys_dir = vm["keys"].as<std::string>();
    o.snapshots =
        commands::domain_snapshots(wall_clock_us);  // a purge run here snapshots like the server's
    // The server's targets, so an erasure made here reaches every register too.
    AUD_ASSIGN_OR_RETURN(o.backup_targets, recorded_backup_targets(o.data_dir));
    auto store = eventstore::Store::open(o);
    if (!store && store.status().message().find("lock") != std::string::npos) {
        return unavailable(
            "the store at " + o.data_dir.string() +
            " is locked by another process, and no server answered on its admin socket; "
            "stop that process or run the command through the server that holds it: " +
            store.status().message());
    }
    return store;
}

}  // namespace auditorium::tools
