// The read-ahead subscription over a real store: every entry once and in order, whatever the
// caller asks for at a time and while appends race the reader; a failing log's error comes after
// the entries read before it; it can be destroyed while its reader waits.
#include "projections/read_ahead.hpp"

#include <catch2/catch.hpp>
#include <thread>

#include "tests/support/status.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::projections;
using namespace auditorium::testing;
using Clock = std::chrono::steady_clock;

namespace {

const auto kWait = std::chrono::seconds(30);

// Appends `n` events in appends of `per_append`, each carrying its position, from `first`, in its
// clear part (the store's own records come before `first`). From
// a thread other than the test's, pass `failures`: Catch's assertions are not thread-safe.
void append_numbered(eventstore::Store& store, std::uint64_t first, std::uint64_t n,
                     std::uint64_t per_append, ThreadFailures* failures = nullptr) {
    for (std::uint64_t done = 0; done < n;) {
        std::vector<eventstore::NewEvent> events;
        for (std::uint64_t i = 0; i < per_append && done < n; ++i, ++done) {
            events.push_back(make_event("test.numbered", std::to_string(first + done)));
        }
        const std::string stream = "numbers-" + std::to_string(first % 7);
        if (failures != nullptr) {
            append_in_thread(store, stream, std::move(events), *failures);
        } else {
            must_append(store, stream, std::move(events));
        }
    }
}

// Drains `log`, which starts after `after`, up to `last`, asking for `max` entries at a time;
// checks density as it goes.
std::vector<eventstore::Entry> drain(eventstore::Subscription& log, eventstore::Position after,
                                     eventstore::Position last, std::size_t max) {
    std::vector<eventstore::Entry> out;
    while (after + out.size() < last) {
        auto page = log.next(max, Clock::now() + kWait);
        REQUIRE_OK(page);
        REQUIRE(!page->empty());
        REQUIRE(page->size() <= max);
        for (auto& e : *page) {
            REQUIRE(e.position == after + out.size() + 1);
            out.push_back(std::move(e));
        }
        REQUIRE(log.last_position() == after + out.size());
    }
    return out;
}

// Every entry from the test's appends carries its own position.
void require_numbered(const std::vector<eventstore::Entry>& entries) {
    for (const auto& e : entries) REQUIRE(e.clear == std::to_string(e.position));
}

// A log that gives `good` entries of `inner`, then fails.
class FailingAfter final : public eventstore::Subscription {
public:
    FailingAfter(std::unique_ptr<eventstore::Subscription> inner, eventstore::Position good)
        : inner_(std::move(inner)), good_(good) {}
    Result<std::vector<eventstore::Entry>> next(std::size_t max,
                                                Clock::time_point deadline) override {
        if (inner_->last_position() >= good_) return unavailable("the disk went away");
        return inner_->next(std::min<std::size_t>(max, good_ - inner_->last_position()), deadline);
    }
    eventstore::Position last_position() const override { return inner_->last_position(); }

private:
    std::unique_ptr<eventstore::Subscription> inner_;
    eventstore::Position good_;
};

}  // namespace

TEST_CASE("read-ahead gives every entry once, in order, whatever the page size asked for") {
    StoreDir dir;
    auto store = dir.open();
    const eventstore::Position base = store->head();
    append_numbered(*store, base + 1, 2'500, 100);
    for (std::size_t max :
         {std::size_t{1}, std::size_t{7}, std::size_t{300}, std::size_t{1000}, std::size_t{5000}}) {
        INFO("max " << max);
        ReadAheadSubscription log(store->subscribe(base + 1), 300);
        REQUIRE(log.last_position() == base);
        const auto entries = drain(log, base, base + 2'500, max);
        require_numbered(entries);
        // Nothing after the head: an empty page at the deadline.
        auto more = log.next(max, Clock::now() + std::chrono::milliseconds(50));
        REQUIRE(more.is_ok());
        REQUIRE(more->empty());
    }
}

TEST_CASE("read-ahead starts where its subscription starts") {
    StoreDir dir;
    auto store = dir.open();
    const eventstore::Position base = store->head();
    append_numbered(*store, base + 1, 50, 10);
    ReadAheadSubscription log(store->subscribe(base + 21), 8);
    REQUIRE(log.last_position() == base + 20);
    auto page = log.next(100, Clock::now() + kWait);
    REQUIRE(page.is_ok());
    REQUIRE(!page->empty());
    REQUIRE(page->front().position == base + 21);
    require_numbered(*page);
}

TEST_CASE("read-ahead follows appends that race it, with no gap and no duplicate") {
    StoreDir dir;
    auto store = dir.open();
    const eventstore::Position base = store->head();
    append_numbered(*store, base + 1, 500, 50);
    ReadAheadSubscription log(store->subscribe(base + 1), 64);
    ThreadFailures failures;
    std::thread writer([&] {
        for (std::uint64_t first = base + 501; first <= base + 5'000; first += 250) {
            append_numbered(*store, first, 250, 25, &failures);
        }
    });
    const auto entries = drain(log, base, base + 5'000, 100);
    writer.join();
    REQUIRE(failures.first().empty());
    require_numbered(entries);
}

TEST_CASE(
    "read-ahead returns a failing log's error after the entries read before it, and keeps it") {
    StoreDir dir;
    auto store = dir.open();
    const eventstore::Position base = store->head();
    append_numbered(*store, base + 1, 100, 10);
    ReadAheadSubscription log(std::make_unique<FailingAfter>(store->subscribe(base + 1), base + 42),
                              16);
    const auto entries = drain(log, base, base + 42, 16);
    require_numbered(entries);
    for (int i = 0; i < 2; ++i) {
        auto failed = log.next(16, Clock::now() + kWait);
        REQUIRE(!failed.is_ok());
        REQUIRE(failed.status().code() == StatusCode::kUnavailable);
        REQUIRE(failed.status().message().find("the disk went away") != std::string::npos);
    }
    REQUIRE(log.last_position() == base + 42);
}

TEST_CASE("read-ahead can be destroyed while its reader waits for the caller") {
    StoreDir dir;
    auto store = dir.open();
    const eventstore::Position base = store->head();
    append_numbered(*store, base + 1, 2'000, 100);
    // The reader fills its pages and then waits for a caller who takes five entries and leaves;
    // a reader that missed the stop would hang this test (ctest's timeout fails it).
    ReadAheadSubscription log(store->subscribe(base + 1), 10);
    auto first = log.next(5, Clock::now() + kWait);
    REQUIRE(first.is_ok());
    REQUIRE(first->size() == 5);
    REQUIRE(first->back().position == base + 5);
    require_numbered(*first);
    REQUIRE(log.last_position() == base + 5);
}
