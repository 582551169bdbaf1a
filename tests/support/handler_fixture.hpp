// The setup of the tests that drive the command handler: a store in a temporary directory, a clock
// the test moves by hand, and a CommandHandler over the two.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "commands/command_handler.hpp"
#include "eventstore/store.hpp"
#include "tests/support/domain_builders.hpp"
#include "tests/support/status.hpp"
#include "tests/support/store_fixture.hpp"

namespace auditorium::testing {

// Microseconds since the epoch that change only when the test says so; starts at kNow.
// Thread-safe: commands on other threads may read it while the test thread moves it.
class ManualClock {
public:
    std::int64_t now() const { return now_.load(); }
    void advance(std::int64_t us) { now_ += us; }
    void set(std::int64_t us) { now_ = us; }
    // The clock as the handler and the store take it. It borrows this object, which must outlive
    // every copy of the function.
    std::function<std::int64_t()> function() const {
        return [this] { return now(); };
    }

private:
    std::atomic<std::int64_t> now_{kNow};
};

// Which store a HandlerFixture opens.
enum class StoreKind {
    kPlain,      // StoreDir::open(): production settings and the system clock
    kPurgeable,  // a dev store keeping entries one day, with the domain's snapshot functions, on
                 // the fixture's clock: a purge removes what the clock has moved a day past
};

// Thread safety: the handler is safe from any thread (see CommandHandler); the rest belongs to the
// test thread. Neither copyable nor movable: the clock's function points into the fixture.
struct HandlerFixture {
    explicit HandlerFixture(StoreKind kind = StoreKind::kPlain) : store(open(kind)) {}

    // A handler over another log (a FailingLog, a RefusingLog) on this fixture's store keys and
    // clock; `log` must outlive it.
    commands::CommandHandler handler_over(eventstore::Log& log) {
        return commands::CommandHandler(log, *store, commands::system_has_time_zone,
                                        clock.function());
    }

    StoreDir dir;
    ManualClock clock;
    std::unique_ptr<eventstore::Store> store;
    commands::CommandHandler handler{*store, *store, commands::system_has_time_zone,
                                     clock.function()};

private:
    std::unique_ptr<eventstore::Store> open(StoreKind kind) const {
        if (kind == StoreKind::kPlain) return dir.open();
        auto o = dir.options();
        o.dev = true;
        o.retention = std::chrono::hours(24);
        o.clock = clock.function();
        o.snapshots = commands::domain_snapshots(clock.function());
        auto opened = eventstore::Store::open(o);
        REQUIRE_OK(opened);
        return std::move(opened).value();
    }
};

}  // namespace auditorium::testing
