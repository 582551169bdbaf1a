// Helpers shared by the event store's tests: a store in a temporary directory and event builders.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <mutex>
#include <string>

#include "eventstore/store.hpp"
#include "tests/support/status.hpp"
#include "tests/support/temp_dir.hpp"

namespace auditorium::testing {

inline eventstore::NewEvent make_event(std::string type = "test.happened",
                                       std::string clear = "c") {
    eventstore::NewEvent e;
    e.event_id = eventstore::random_id();
    e.type = std::move(type);
    e.clear = std::move(clear);
    return e;
}

// An event holding one personal section about `person`.
inline eventstore::NewEvent personal_event(const Id& person, std::string plaintext) {
    eventstore::NewEvent e = make_event("person.registered");
    e.subject = person;
    e.sections.push_back({person, eventstore::KeyClass::kPersonal, std::move(plaintext)});
    return e;
}

struct StoreDir {
    TempDir dir;
    std::filesystem::path data() const { return dir / "data"; }
    std::filesystem::path keys() const { return dir / "keys"; }
    eventstore::StoreOptions options(bool create = true) const {
        eventstore::StoreOptions o;
        o.data_dir = data();
        o.create_if_missing = create;
        return o;
    }
    std::unique_ptr<eventstore::Store> open(rocksdb::Env* env = nullptr) const {
        auto o = options();
        o.env = env;
        auto store = eventstore::Store::open(o);
        REQUIRE_OK(store);
        return std::move(store).value();
    }
};

inline eventstore::AppendResult must_append(
    eventstore::Store& store, const std::string& stream, std::vector<eventstore::NewEvent> events,
    eventstore::ExpectedVersion expected = eventstore::ExpectedVersion::any()) {
    auto r = store.append(stream, expected, std::move(events));
    REQUIRE_OK(r);
    return r.value();
}

// The entry at `version` of `stream` (REQUIREd to exist): what a test appended, wherever the
// store's own records put it.
inline eventstore::Entry entry_of(eventstore::Store& store, const std::string& stream,
                                  eventstore::StreamVersion version = 1) {
    auto found = store.read_stream(stream, version, eventstore::Store::Direction::kForward, 1);
    INFO(stream << " version " << version << ": " << found.status().to_string());
    REQUIRE(found.is_ok());
    REQUIRE(found->size() == 1);
    return std::move(found->front());
}

// Catch2's assertions and INFO are not thread-safe: a worker thread records the first failed
// append here, and the test asserts on its own thread after joining the workers.
class ThreadFailures {
public:
    void record(const std::string& what) {
        std::lock_guard lock(mu_);
        if (first_.empty()) first_ = what;
    }
    std::string first() const {
        std::lock_guard lock(mu_);
        return first_;
    }

private:
    mutable std::mutex mu_;
    std::string first_;
};

// must_append for worker threads: a failure is recorded, not asserted; returns a default result.
inline eventstore::AppendResult append_in_thread(eventstore::Store& store,
                                                 const std::string& stream,
                                                 std::vector<eventstore::NewEvent> events,
                                                 ThreadFailures& failures) {
    auto r = store.append(stream, eventstore::ExpectedVersion::any(), std::move(events));
    if (!r) {
        failures.record(stream + ": " + r.status().to_string());
        return {};
    }
    return r.value();
}

}  // namespace auditorium::testing
