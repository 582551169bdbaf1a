#include "tools/maintenance.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "eventstore/backup.hpp"
#include "tools/admin_socket.hpp"
#include "tools/store_commands.hpp"

namespace auditorium::tools {

std::unique_ptr<Maintenance> Maintenance::start(StoreCommandTarget store, Options options) {
    std::unique_ptr<Maintenance> m(new Maintenance(store, std::move(options)));
    m->thread_ = std::thread([raw = m.get()] { raw->loop(); });
    return m;
}

Maintenance::~Maintenance() {
    {
        MutexLock lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Maintenance::loop() {
    using Clock = std::chrono::steady_clock;
    auto next = Clock::now() + options_.first_delay;
    auto next_minute = Clock::now() + std::chrono::minutes(1);
    for (;;) {
        {
            MutexLock lock(mu_);
            const auto wake = options_.each_minute ? std::min(next, next_minute) : next;
            while (!stop_) {
                if (!cv_.wait_until(lock, wake)) break;  // time for the next run
            }
            if (stop_) return;
        }
        if (options_.each_minute && Clock::now() >= next_minute) {
            options_.each_minute();
            next_minute = Clock::now() + std::chrono::minutes(1);
        }
        if (Clock::now() < next) continue;
        run_once();
        next += options_.interval;
        // A run longer than the interval (a huge backup) starts the next one right after, not a
        // burst of missed ones.
        next = std::max(next, Clock::now());
    }
}

Maintenance::Run Maintenance::run_once() {
    Run run;
    spdlog::info("maintenance: run started");
    boost::json::object purge;
    purge["command"] = "purge";
    const auto purged = run_store_command(store_, purge);
    if (Status s = status_of(purged); !s.is_ok()) {
        ++run.failures;
        spdlog::error("maintenance: purge FAILED: {}", s.to_string());
    } else {
        run.purged = true;
        auto summary = string_field(purged, "summary");
        spdlog::info("maintenance: {}",
                     summary ? *summary : "purge done; " + summary.status().to_string());
    }
    for (const auto& target : options_.targets) {
        boost::json::object backup;
        backup["command"] = "backup.create";
        backup["target"] = target.string();
        const auto created = run_store_command(store_, backup);
        if (Status s = status_of(created); !s.is_ok()) {
            ++run.failures;
            spdlog::error("maintenance: backup into {} FAILED: {}", target.string(), s.to_string());
            continue;
        }
        auto created_id = string_field(created, "id");
        if (!created_id) {
            ++run.failures;
            spdlog::error("maintenance: backup into {} FAILED: its answer: {}", target.string(),
                          created_id.status().to_string());
            continue;
        }
        const std::string& id = *created_id;
        eventstore::BackupVerifyOptions verify;
        verify.target = target;
        verify.id = id;
        auto checked = eventstore::verify_backup(verify);
        if (!checked) {
            ++run.failures;
            spdlog::error("maintenance: backup {} in {} FAILED verification: {}", id,
                          target.string(), checked.status().to_string());
            continue;
        }
        ++run.backups_verified;
        spdlog::info("maintenance: backup {} in {} restored and verified: {} entries, root {}", id,
                     target.string(), checked->entries, to_hex(checked->root));
    }
    spdlog::info("maintenance: run done: purge {}, {} backups verified, {} failures",
                 run.purged ? "ok" : "failed", run.backups_verified, run.failures);
    return run;
}

}  // namespace auditorium::tools
