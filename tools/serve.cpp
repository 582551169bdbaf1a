// `auditorium serve`: the composition root. Opens the store, then runs the read models, the admin
// socket, the command handler, the scheduler and maintenance beside it until SIGINT or SIGTERM.
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

namespace {

void add_serve_options(po::options_description& desc) {
    add_store_options(desc);
    desc.add_options()("dev",
                       "create a dev store (recorded in its metadata; shorter retention allowed)")(
        "backup-target", po::value<std::vector<std::string>>(),
        "a backup target directory (repeatable): every erasure is written to its erasure register "
        "at once; "
        "recorded beside the ledger for later runs and for commands run while no server runs")(
        "no-backup-targets", "forget the recorded backup targets")(
        "maintenance-interval", number(kMaintenanceIntervalRange)->default_value(86400),
        "seconds between maintenance runs: purge, then a backup into each target, restored and "
        "verified")("maintenance-first-delay", number(kMaintenanceDelayRange)->default_value(60),
                    "seconds from start to the first maintenance run");
}

// Blocks the stop signals before any thread starts, so only wait_for_stop sees them.
sigset_t block_stop_signals() {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    return stop;
}

// Whether this run sets the backup targets (given, or forgotten) rather than using the recorded
// ones.
bool configures_targets(const po::variables_map& vm) {
    return vm.count("backup-target") || vm.count("no-backup-targets");
}

// Fills `options.backup_targets`: those given, or the recorded ones. Returns the exit code to stop
// with, or nullopt to go on.
std::optional<int> resolve_backup_targets(const po::variables_map& vm,
                                          eventstore::StoreOptions& options) {
    if (vm.count("backup-target") && vm.count("no-backup-targets")) {
        return report("serve",
                      invalid_argument("backup-target: cannot be given with --no-backup-targets"));
    }
    // The targets are known before the store opens: opening finishes any erasure a crash
    // interrupted, and that writes to the registers.
    if (configures_targets(vm)) {
        if (vm.count("backup-target")) {
            for (const auto& t : vm["backup-target"].as<std::vector<std::string>>()) {
                std::error_code ec;
                const auto target = std::filesystem::absolute(t, ec);
                if (ec)
                    return report("serve", unavailable("backup-target " + t + ": " + ec.message()));
                options.backup_targets.push_back(target.lexically_normal());
            }
        }
    } else {
        auto recorded = recorded_backup_targets(options.data_dir);
        if (!recorded) return report("serve: backup targets", recorded.status());
        options.backup_targets = std::move(recorded).value();
    }
    return std::nullopt;
}

void log_opened(eventstore::Store& store, const eventstore::StoreOptions& options) {
    const std::string data = options.data_dir.string();
    std::string listed;
    for (const auto& t : options.backup_targets)
        listed += (listed.empty() ? "" : ", ") + t.string();
    spdlog::info("serve: backup targets: {}", listed.empty() ? "none" : listed);
    if (listed.empty()) {
        spdlog::warn(
            "serve: no backup target, so no backups are taken: give --backup-target DIR (recorded "
            "for "
            "later runs)");
    }
    const auto tree = store.tree_head();
    spdlog::info("serve: ledger {} open (store {}{}), head position {}, tree size {}, root {}",
                 data, store.store_id().hex(), store.is_dev() ? ", dev" : "", store.head(),
                 tree.size, to_hex(tree.root));
    spdlog::info("serve: keys in {}; stop with Ctrl-C",
                 options.keys_dir.empty() ? eventstore::default_keys_dir(data).string()
                                          : options.keys_dir.string());
}

// Each minute: the time-driven session commands, with what they did logged.
void scheduler_tick(commands::DueSessions& due_sessions) {
    auto issued = due_sessions.issue_due(wall_clock_us());
    if (!issued) {
        spdlog::error("scheduler: time-driven session commands FAILED: {}",
                      issued.status().to_string());
        return;
    }
    if (issued->moved > 0)
        spdlog::info("scheduler: {} sessions marked past_not_started", issued->moved);
    if (issued->failed > 0) {
        spdlog::error(
            "scheduler: {} sessions listed as due could not be marked past_not_started; the first: "
            "{}",
            issued->failed, issued->first_failure.to_string());
    }
    if (issued->refused > 0) {
        spdlog::warn(
            "scheduler: {} sessions listed as due were refused (started meanwhile, or the read "
            "models lag)",
            issued->refused);
    }
}

Maintenance::Options make_maintenance_options(const po::variables_map& vm,
                                              const eventstore::StoreOptions& options) {
    Maintenance::Options o;
    o.interval = std::chrono::seconds(vm["maintenance-interval"].as<std::uint64_t>());
    o.first_delay = std::chrono::seconds(vm["maintenance-first-delay"].as<std::uint64_t>());
    o.targets = options.backup_targets;
    return o;
}

// Waits for SIGINT or SIGTERM (blocked by block_stop_signals) and returns its number.
int wait_for_stop(const sigset_t& stop) {
    int signal_number = 0;
    sigwait(&stop, &signal_number);
    return signal_number;
}

// Runs everything beside the opened store until a stop signal, then stops it all again, in the
// reverse order of starting. Returns the exit code.
int run_services(eventstore::Store& opened, const po::variables_map& vm,
                 const eventstore::StoreOptions& options, const sigset_t& stop) {
    const std::string data = options.data_dir.string();
    const auto models_dir = projections::default_models_dir(data);
    auto models =
        projections::ModelStore::open(models_dir, projections::ModelStore::Mode::kReadWrite);
    if (!models)
        return report("opening the read models at " + models_dir.string(), models.status());
    projections::ProjectionRunner projection_runner(opened, opened, **models);
    projection_runner.start();
    spdlog::info("serve: read models in {}, following the log", models_dir.string());
    auto admin =
        AdminServer::start(admin_socket_path(data), [&opened](const boost::json::object& request) {
            // Logged as sent; run_store_command refuses a request without a command string.
            const auto* command = request.if_contains("command");
            spdlog::info("serve: admin command {}",
                         command != nullptr ? boost::json::serialize(*command) : "(none)");
            return run_store_command({opened, opened}, request);
        });
    if (!admin) return report("starting the admin socket", admin.status());
    spdlog::info("serve: admin socket {} (0600)", admin_socket_path(data).string());
    Maintenance::Options maintenance_options = make_maintenance_options(vm, options);
    commands::CommandHandler handler(opened, opened, commands::system_has_time_zone, wall_clock_us);
    projections::ReadModels read_models(**models, opened, opened);
    handler.use_read_models(&read_models);
    commands::DueSessions due_sessions(read_models, handler);
    maintenance_options.each_minute = [&due_sessions] { scheduler_tick(due_sessions); };
    auto maintenance = Maintenance::start({opened, opened}, maintenance_options);
    spdlog::info("serve: maintenance every {} s, first in {} s",
                 maintenance_options.interval.count(), maintenance_options.first_delay.count());
    const int signal_number = wait_for_stop(stop);
    spdlog::info("serve: signal {} received, closing the store", signal_number);
    maintenance.reset();
    admin->reset();
    projection_runner.stop();
    spdlog::info("serve: read models at position {}", projection_runner.position());
    models->reset();
    return 0;
}

}  // namespace

int serve_command(const Args& args) {
    po::options_description desc("options");
    add_serve_options(desc);
    po::variables_map vm;
    if (auto stop = parse_options("serve", desc, args, vm)) return *stop;
    const std::string data = vm["data"].as<std::string>();
    const sigset_t stop = block_stop_signals();

    eventstore::StoreOptions options;
    options.data_dir = data;
    options.keys_dir = vm.count("keys") ? vm["keys"].as<std::string>() : std::string();
    options.create_if_missing = true;
    options.dev = vm.count("dev") > 0;
    options.snapshots = commands::domain_snapshots(wall_clock_us);
    if (auto failed = resolve_backup_targets(vm, options)) return *failed;
    auto store = eventstore::Store::open(options);
    if (!store) return report("opening the store at " + data, store.status());
    if (configures_targets(vm)) {
        // Recorded once the store opened, so the data directory exists and is the store's.
        auto recorded = record_backup_targets(data, options.backup_targets);
        if (!recorded) return report("serve: recording the backup targets", recorded.status());
    }
    log_opened(**store, options);
    const int code = run_services(**store, vm, options, stop);
    if (code != 0) return code;
    store->reset();
    spdlog::info("serve: stopped");
    return 0;
}

}  // namespace auditorium::tools
