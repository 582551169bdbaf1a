// The daily maintenance `serve` runs, and the only place that schedules it: the store's purge of
// entries past retention, then a backup into each backup target and its verification (restored
// into a scratch directory, fully verified, its tree head checked against the manifest). Each
// step goes through the same command path as the admin socket (run_store_command), so it is
// ledgered like an operator's command. A failed step is logged at error level with what failed,
// and the next steps and runs go on.
//
// The first run starts `first_delay` after start, then every `interval`. Between runs, the
// `each_minute` task (the time-driven domain commands) runs once a minute.
//
// Thread safety: start() and the destructor from one thread; the runs happen on a thread of the
// scheduler's own. `store` must outlive the scheduler.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "base/mutex.hpp"
#include "tools/store_commands.hpp"

namespace auditorium::tools {

class Maintenance {
public:
    struct Options {
        std::chrono::seconds interval{std::chrono::hours(24)};
        std::chrono::seconds first_delay{std::chrono::minutes(1)};
        std::vector<std::filesystem::path> targets;
        std::function<void()> each_minute;  // may be empty
    };
    // What one run did.
    struct Run {
        bool purged = false;
        std::size_t backups_verified = 0;
        std::size_t failures = 0;
    };

    static std::unique_ptr<Maintenance> start(StoreCommandTarget store, Options options);
    ~Maintenance();  // stops (a run in progress finishes first) and joins
    Maintenance(const Maintenance&) = delete;
    Maintenance& operator=(const Maintenance&) = delete;

    // Runs once now, on the calling thread.
    Run run_once();

private:
    Maintenance(StoreCommandTarget store, Options options)
        : store_(store), options_(std::move(options)) {}
    void loop();

    const StoreCommandTarget store_;
    const Options options_;
    Mutex mu_;
    CondVar cv_;
    bool stop_ AUD_GUARDED_BY(mu_) = false;
    std::thread thread_;
};

}  // namespace auditorium::tools
