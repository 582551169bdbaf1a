// DurableHead: waiters are released in position order when the head passes them, a refusal wakes
// every waiter and blocked reader with its reason, and the first refusal is the one kept.
#include "eventstore/internal/durable_head.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::eventstore::internal;

namespace {
auto soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(30); }
DurableHead::TreeHead tree(std::uint64_t size) {
    return {size, std::string(32, static_cast<char>(size))};
}
}  // namespace

TEST_CASE("durable head: waiters are released in order as the head passes them, and not before") {
    DurableHead d;
    std::vector<Position> released;
    for (Position p : {7, 3, 5, 9}) {
        d.when_durable(p, [&released, p](const Status& s) {
            CHECK(s.is_ok());
            released.push_back(p);
        });
    }
    CHECK(released.empty());
    d.advance(5, tree(5));
    CHECK(released == std::vector<Position>{3, 5});
    CHECK(d.head() == 5);
    CHECK(d.tree_head().size == 5);
    d.advance(9, tree(9));
    CHECK(released == std::vector<Position>{3, 5, 7, 9});
    // Already durable: answered at once, on this thread.
    bool at_once = false;
    d.when_durable(2, [&](const Status& s) { at_once = s.is_ok(); });
    CHECK(at_once);
    CHECK(d.wait_durable(9).is_ok());
}

TEST_CASE(
    "durable head: a refusal answers every waiter and wakes blocked readers, and the first one is "
    "kept") {
    DurableHead d;
    d.advance(1, tree(1));
    std::vector<Status> answers;
    d.when_durable(4, [&](const Status& s) { answers.push_back(s); });
    std::atomic<int> woken{0};
    Status durable_answer;
    std::thread appender([&] {
        durable_answer = d.wait_durable(10);
        ++woken;
    });
    std::thread reader([&] {
        CHECK(d.wait_for(10, soon()) == 1);
        ++woken;
    });
    bool first = false;
    const Status refused = d.set_refused(unavailable("disk full"), first);
    CHECK(first);
    const Status again = d.set_refused(unavailable("later"), first);
    CHECK_FALSE(first);
    CHECK(again.message() == "disk full");
    d.release_all(refused);
    appender.join();
    reader.join();
    CHECK(woken == 2);
    CHECK(durable_answer.message() == "disk full");
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].code() == StatusCode::kUnavailable);
    // After the refusal nothing waits: a new waiter is answered at once with it.
    Status late;
    d.when_durable(5, [&](const Status& s) { late = s; });
    CHECK(late.message() == "disk full");
    CHECK(d.refused().message() == "disk full");
}

TEST_CASE(
    "durable head: wait_for returns the head at its deadline, and follow never moves it back") {
    DurableHead d;
    d.advance(3, tree(3));
    const auto start = std::chrono::steady_clock::now();
    CHECK(d.wait_for(4, start + std::chrono::milliseconds(20)) == 3);
    CHECK(std::chrono::steady_clock::now() >= start + std::chrono::milliseconds(20));
    d.follow(2);
    CHECK(d.head() == 3);
    std::thread follower([&] { d.follow(8); });
    CHECK(d.wait_for(8, soon()) == 8);
    follower.join();
    CHECK(d.tree_head().size == 3);  // follow moves the head only
}
