#include <signal.h>
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "base/id.hpp"
#include "commands/command_handler.hpp"
#include "commands/due_sessions.hpp"
#include "projections/model_store.hpp"
#include "projections/read_models.hpp"
#include "projections/runner.hpp"
#include "tools/admin_socket.hpp"
#include "tools/backup_targets.hpp"
#include "tools/cli.hpp"
#include "tools/maintenance.hpp"
#include "tools/store_commands.hpp"

namespace auditorium::tools {

std::int64_t wall_clock_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
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
    o.snapshots = commands::domain_snapshots(wall_clock_us);  // a purge run here snapshots like the server's
    // The server's targets, so an erasure made here reaches every register too.
    AUD_ASSIGN_OR_RETURN(o.backup_targets, recorded_backup_targets(o.data_dir));
    auto store = eventstore::Store::open(o);
    if (!store && store.status().message().find("lock") != std::string::npos) {
        return unavailable("the store at " + o.data_dir.string() +
                           " is locked by another process, and no server answered on its admin socket; "
                           "stop that process or run the command through the server that holds it: " +
                           store.status().message());
    }
    return store;
}

int serve_command(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    desc.add_options()("dev", "create a dev store (recorded in its metadata; shorter retention allowed)")(
        "backup-target", po::value<std::vector<std::string>>(),
        "a backup target directory (repeatable): every erasure is written to its erasure register at once; "
        "recorded beside the ledger for later runs and for commands run while no server runs")(
        "no-backup-targets", "forget the recorded backup targets")(
        "maintenance-interval", number(kMaintenanceIntervalRange)->default_value(86400),
        "seconds between maintenance runs: purge, then a backup into each target, restored and verified")(
        "maintenance-first-delay", number(kMaintenanceDelayRange)->default_value(60),
        "seconds from start to the first maintenance run");
    po::variables_map vm;
    if (auto stop = parse_options("serve", desc, args, vm)) return *stop;
    const std::string data = vm["data"].as<std::string>();
    const std::string keys = vm.count("keys") ? vm["keys"].as<std::string>() : std::string();

    // Block the stop signals before any thread starts, so only sigwait below sees them.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);

    eventstore::StoreOptions options;
    options.data_dir = data;
    options.keys_dir = keys;
    options.create_if_missing = true;
    options.dev = vm.count("dev") > 0;
    options.snapshots = commands::domain_snapshots(wall_clock_us);
    if (vm.count("backup-target") && vm.count("no-backup-targets")) {
        return report("serve", invalid_argument("backup-target: cannot be given with --no-backup-targets"));
    }
    // The targets are known before the store opens: opening finishes any erasure a crash
    // interrupted, and that writes to the registers.
    const bool configure = vm.count("backup-target") || vm.count("no-backup-targets");
    if (configure) {
        if (vm.count("backup-target")) {
            for (const auto& t : vm["backup-target"].as<std::vector<std::string>>()) {
                std::error_code ec;
                const auto target = std::filesystem::absolute(t, ec);
                if (ec) return report("serve", unavailable("backup-target " + t + ": " + ec.message()));
                options.backup_targets.push_back(target.lexically_normal());
            }
        }
    } else {
        auto recorded = recorded_backup_targets(data);
        if (!recorded) return report("serve: backup targets", recorded.status());
        options.backup_targets = std::move(recorded).value();
    }
    auto store = eventstore::Store::open(options);
    if (!store) return report("opening the store at " + data, store.status());
    if (configure) {
        // Recorded once the store opened, so the data directory exists and is the store's.
        auto recorded = record_backup_targets(data, options.backup_targets);
        if (!recorded) return report("serve: recording the backup targets", recorded.status());
    }
    std::string listed;
    for (const auto& t : options.backup_targets) listed += (listed.empty() ? "" : ", ") + t.string();
    spdlog::info("serve: backup targets: {}", listed.empty() ? "none" : listed);
    if (listed.empty()) {
        spdlog::warn("serve: no backup target, so no backups are taken: give --backup-target DIR (recorded for "
                     "later runs)");
    }

    const auto tree = (*store)->tree_head();
    spdlog::info("serve: ledger {} open (store {}{}), head position {}, tree size {}, root {}", data,
                 (*store)->store_id().hex(), (*store)->is_dev() ? ", dev" : "", (*store)->head(),
                 tree.size, to_hex(tree.root));
    spdlog::info("serve: keys in {}; stop with Ctrl-C",
                 keys.empty() ? eventstore::default_keys_dir(data).string() : keys);
    eventstore::Store& opened = **store;
    const auto models_dir = projections::default_models_dir(data);
    auto models = projections::ModelStore::open(models_dir, projections::ModelStore::Mode::kReadWrite);
    if (!models) return report("opening the read models at " + models_dir.string(), models.status());
    projections::ProjectionRunner projection_runner(opened, opened, **models);
    projection_runner.start();
    spdlog::info("serve: read models in {}, following the log", models_dir.string());
    auto admin = AdminServer::start(admin_socket_path(data), [&opened](const boost::json::object& request) {
        // Logged as sent; run_store_command refuses a request without a command string.
        const auto* command = request.if_contains("command");
        spdlog::info("serve: admin command {}", command != nullptr ? boost::json::serialize(*command) : "(none)");
        return run_store_command(opened, request);
    });
    if (!admin) return report("starting the admin socket", admin.status());
    spdlog::info("serve: admin socket {} (0600)", admin_socket_path(data).string());
    const auto interval = vm["maintenance-interval"].as<std::uint64_t>();
    Maintenance::Options maintenance_options;
    maintenance_options.interval = std::chrono::seconds(interval);
    maintenance_options.first_delay = std::chrono::seconds(vm["maintenance-first-delay"].as<std::uint64_t>());
    maintenance_options.targets = options.backup_targets;
    commands::CommandHandler handler(opened, opened, commands::system_has_time_zone, wall_clock_us);
    projections::ReadModels read_models(**models, opened, opened);
    handler.use_read_models(&read_models);
    commands::DueSessions due_sessions(read_models, handler);
    maintenance_options.each_minute = [&due_sessions] {
        auto issued = due_sessions.issue_due(wall_clock_us());
        if (!issued) {
            spdlog::error("scheduler: time-driven session commands FAILED: {}", issued.status().to_string());
            return;
        }
        if (issued->moved > 0) spdlog::info("scheduler: {} sessions marked past_not_started", issued->moved);
        if (issued->failed > 0) {
            spdlog::error("scheduler: {} sessions listed as due could not be marked past_not_started; the first: {}",
                          issued->failed, issued->first_failure.to_string());
        }
        if (issued->refused > 0) {
            spdlog::warn("scheduler: {} sessions listed as due were refused (started meanwhile, or the read models lag)",
                         issued->refused);
        }
    };
    auto maintenance = Maintenance::start(opened, maintenance_options);
    spdlog::info("serve: maintenance every {} s, first in {} s", interval,
                 maintenance_options.first_delay.count());
    int signal_number = 0;
    sigwait(&stop, &signal_number);
    spdlog::info("serve: signal {} received, closing the store", signal_number);
    maintenance.reset();
    admin->reset();
    projection_runner.stop();
    spdlog::info("serve: read models at position {}", projection_runner.position());
    models->reset();
    store->reset();
    spdlog::info("serve: stopped");
    return 0;
}

}  // namespace auditorium::tools
