// Store::append_async: each append is answered exactly once, never before its sync, in the order
// its positions were given; re-sends wait for the original; failures and the close answer too.
#include "eventstore/store.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/fault_fs.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::testing;

namespace {

auto soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(30); }

// The answers of asynchronous appends, recorded from whichever thread gives them.
class Answers {
public:
    struct Answer {
        int calls = 0;
        std::optional<Result<AppendResult>> result;
        Position head_when_answered = 0;  // the store's head as the answer arrived
        std::thread::id thread;
        std::size_t order = 0;  // 1 for the first answer of all, 2 for the next, ...
    };

    explicit Answers(std::size_t count) : answers_(count) {}

    // The callback for append number `i`; `store`'s head, if given, is read as the answer arrives.
    Store::AppendDone callback(std::size_t i, const Store* store = nullptr) {
        return [this, i, store](Result<AppendResult> r) {
            const Position head = store != nullptr ? store->head() : 0;
            std::lock_guard lock(mu_);
            Answer& a = answers_.at(i);
            ++a.calls;
            a.result.emplace(std::move(r));
            a.head_when_answered = head;
            a.thread = std::this_thread::get_id();
            a.order = ++given_;
            cv_.notify_all();
        };
    }
    bool answered(std::size_t i) const {
        std::lock_guard lock(mu_);
        return answers_.at(i).calls > 0;
    }
    // Waits until the first `count` appends are answered; false at the deadline.
    bool wait_first(std::size_t count, std::chrono::steady_clock::time_point deadline) {
        std::unique_lock lock(mu_);
        return cv_.wait_until(lock, deadline, [&] {
            for (std::size_t i = 0; i < count; ++i) {
                if (answers_.at(i).calls == 0) return false;
            }
            return true;
        });
    }
    bool wait_all(std::chrono::steady_clock::time_point deadline) {
        return wait_first(answers_.size(), deadline);
    }
    Answer get(std::size_t i) const {
        std::lock_guard lock(mu_);
        return answers_.at(i);
    }

private:
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<Answer> answers_;  // GUARDED_BY(mu_)
    std::size_t given_ = 0;        // GUARDED_BY(mu_)
};

}  // namespace

TEST_CASE(
    "asynchronous appends from one thread take positions in call order and are answered once "
    "each, in that order, after their sync") {
    constexpr std::size_t kAppends = 400;
    constexpr std::size_t kStreams = 8;
    Answers answers(kAppends);  // before the store: it must outlive the store's last answer
    StoreDir dir;
    auto store = dir.open();
    const Position base = store->head();
    std::vector<StreamVersion> next_version(kStreams, 0);
    for (std::size_t i = 0; i < kAppends; ++i) {
        const std::size_t s = i % kStreams;
        // Exact versions: the positions and versions are given in call order, before the sync.
        std::vector<NewEvent> events{make_event(), make_event()};
        store->append_async("async-" + std::to_string(s), ExpectedVersion::exact(next_version[s]),
                            std::move(events), answers.callback(i, store.get()));
        next_version[s] += 2;
    }
    REQUIRE(answers.wait_all(soon()));
    Position expected_first = base + 1;
    for (std::size_t i = 0; i < kAppends; ++i) {
        const Answers::Answer a = answers.get(i);
        INFO("append " << i);
        CHECK(a.calls == 1);
        REQUIRE(a.result->is_ok());
        const AppendResult& r = a.result->value();
        CHECK(r.first_position == expected_first);
        CHECK(r.last_position == expected_first + 1);
        CHECK(r.first_version == 2 * (i / kStreams) + 1);
        CHECK_FALSE(r.idempotent_replay);
        CHECK(a.head_when_answered >= r.last_position);  // readable when answered
        CHECK(a.thread != std::this_thread::get_id());   // answered by the writer
        CHECK(a.order == i + 1);
        expected_first += 2;
    }
    CHECK(store->head() == base + 2 * kAppends);
    for (std::size_t s = 0; s < kStreams; ++s) {
        auto v = store->stream_version("async-" + std::to_string(s));
        REQUIRE(v.is_ok());
        CHECK(*v == next_version[s]);
    }
}

TEST_CASE("an asynchronous append decided at once is answered before append_async returns") {
    Answers answers(6);
    StoreDir dir;
    auto store = dir.open();
    must_append(*store, "decided", {make_event()});
    const NewEvent stored = make_event();
    const Position stored_at = must_append(*store, "other", {stored}).first_position;
    const Id erased = random_id();
    must_append(*store, "person", {personal_event(erased, "a name")});
    REQUIRE(store->erase(erased, random_id()).is_ok());
    const Position head = store->head();

    store->append_async("decided", ExpectedVersion::exact(7), {make_event()},
                        answers.callback(0, store.get()));
    CHECK(answers.answered(0));
    store->append_async("bad stream name!", ExpectedVersion::any(), {make_event()},
                        answers.callback(1, store.get()));
    CHECK(answers.answered(1));
    store->append_async("decided", ExpectedVersion::any(), {make_event("store.erased")},
                        answers.callback(2, store.get()));
    CHECK(answers.answered(2));
    store->append_async("decided", ExpectedVersion::any(), {stored},
                        answers.callback(3, store.get()));
    CHECK(answers.answered(3));
    store->append_async("other", ExpectedVersion::exact(99), {stored},
                        answers.callback(4, store.get()));
    CHECK(answers.answered(4));
    store->append_async("person", ExpectedVersion::any(), {personal_event(erased, "again")},
                        answers.callback(5, store.get()));
    CHECK(answers.answered(5));

    const auto conflict = answers.get(0);
    REQUIRE_FALSE(conflict.result->is_ok());
    REQUIRE(conflict_of(conflict.result->status()));
    CHECK(conflict_of(conflict.result->status())->actual == 1);
    CHECK(answers.get(1).result->status().code() == StatusCode::kInvalidArgument);
    CHECK(answers.get(2).result->status().code() == StatusCode::kInvalidArgument);
    CHECK(answers.get(3).result->status().code() == StatusCode::kAlreadyExists);
    // A re-send of a durable append: its original positions, whatever the expected version says.
    const auto replay = answers.get(4);
    REQUIRE(replay.result->is_ok());
    CHECK(replay.result->value().idempotent_replay);
    CHECK(replay.result->value().first_position == stored_at);
    // No new personal data for an erased person: refused before anything is sequenced.
    CHECK(answers.get(5).result->status().code() == StatusCode::kFailedPrecondition);
    for (std::size_t i = 0; i < 6; ++i) CHECK(answers.get(i).calls == 1);
    CHECK(store->head() == head);
}

namespace {

// A store on the test file system with one entry in `stream`, and an append whose sync is held:
// answer 0 is that append's, answer 1 a re-send's, made while the sync waits.
struct HeldAppend {
    Answers answers;  // first: it must outlive the store's last answer
    StoreDir dir;
    std::shared_ptr<FaultFileSystem> fs = std::make_shared<FaultFileSystem>();
    std::unique_ptr<rocksdb::Env> env = make_env(fs);
    std::unique_ptr<Store> store = dir.open(env.get());
    bool writer_at_sync = false;
    bool answered_while_held = false;
    Position first = 0;  // the one entry's position
    Position head_while_held = 0;

    HeldAppend(const std::string& stream, std::size_t answer_count) : answers(answer_count) {
        first = must_append(*store, stream, {make_event()}).first_position;
        const NewEvent event = make_event();
        fs->hold_syncs();
        store->append_async(stream, ExpectedVersion::exact(1), {event},
                            answers.callback(0, store.get()));
        writer_at_sync = fs->wait_for_held_sync(soon());
        // The original is sequenced but not durable: the re-send must wait for it.
        store->append_async(stream, ExpectedVersion::any(), {event},
                            answers.callback(1, store.get()));
        answered_while_held = answers.answered(0) || answers.answered(1);
        head_while_held = store->head();
    }
    ~HeldAppend() { fs->release_syncs(); }  // before the store closes, even after a failed check
};

}  // namespace

TEST_CASE("an asynchronous append waits for its sync, and a re-send waits for the original's") {
    HeldAppend f("slow", 2);
    f.fs->release_syncs();

    CHECK(f.writer_at_sync);
    CHECK_FALSE(f.answered_while_held);
    CHECK(f.head_while_held == f.first);
    REQUIRE(f.answers.wait_all(soon()));
    const auto original = f.answers.get(0);
    const auto resend = f.answers.get(1);
    REQUIRE(original.result->is_ok());
    REQUIRE(resend.result->is_ok());
    CHECK(original.result->value().first_position == f.first + 1);
    CHECK_FALSE(original.result->value().idempotent_replay);
    CHECK(resend.result->value().first_position == f.first + 1);
    CHECK(resend.result->value().first_version == 2);
    CHECK(resend.result->value().idempotent_replay);
    CHECK(resend.head_when_answered >= f.first + 1);
    CHECK(f.store->head() == f.first + 1);
}

TEST_CASE("a failed sync answers the pending asynchronous append and the re-send waiting for it") {
    HeldAppend f("failing", 3);
    f.fs->fail_syncs_after(0);
    f.fs->release_syncs();

    CHECK(f.writer_at_sync);
    CHECK_FALSE(f.answered_while_held);
    REQUIRE(f.answers.wait_first(2, soon()));
    f.store->append_async("failing", ExpectedVersion::any(), {make_event()},
                          f.answers.callback(2, f.store.get()));
    CHECK(f.answers.answered(2));  // refused at once: the store refuses appends until reopened
    for (std::size_t i = 0; i < 3; ++i) {
        INFO("append " << i);
        CHECK(f.answers.get(i).calls == 1);
        CHECK(f.answers.get(i).result->status().code() == StatusCode::kUnavailable);
    }
    CHECK(f.store->head() == f.first);
}

TEST_CASE("closing the store answers every asynchronous append in flight, and keeps them") {
    constexpr std::size_t kAppends = 200;
    Answers answers(kAppends);
    StoreDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto env = make_env(fs);
    auto store = dir.open(env.get());
    const Position base = store->head();
    fs->hold_syncs();
    for (std::size_t i = 0; i < kAppends; ++i) {
        store->append_async("closing", ExpectedVersion::any(), {make_event()}, answers.callback(i));
    }
    const bool writer_at_sync = fs->wait_for_held_sync(soon());
    std::size_t answered_before_close = 0;
    for (std::size_t i = 0; i < kAppends; ++i) answered_before_close += answers.answered(i) ? 1 : 0;
    // The close starts while every append waits behind the held sync; the sync goes on after.
    std::thread closer([&] { store.reset(); });
    fs->release_syncs();
    closer.join();

    CHECK(writer_at_sync);
    CHECK(answered_before_close == 0);
    for (std::size_t i = 0; i < kAppends; ++i) {
        INFO("append " << i);
        CHECK(answers.get(i).calls == 1);
        REQUIRE(answers.get(i).result.has_value());
        CHECK(answers.get(i).result->is_ok());
    }
    auto reopened = dir.open();
    CHECK(reopened->head() == base + kAppends);
    auto v = reopened->stream_version("closing");
    REQUIRE(v.is_ok());
    CHECK(*v == kAppends);
}
