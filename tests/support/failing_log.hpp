// A Log that forwards to another, except that it refuses appends from the Nth on with
// Unavailable, writing nothing: for the paths that must cope with a failed write.
//
// Thread safety: as the inner Log; arm() before the calls it is to affect.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "base/status.hpp"
#include "eventstore/log.hpp"

namespace auditorium::testing {

class FailingLog final : public eventstore::Log {
public:
    // `inner` must outlive this object.
    explicit FailingLog(eventstore::Log& inner) : inner_(inner) {}

    // Appends from the `nth` one after this call on are refused (1: the next one); `count` of
    // them, then they pass again.
    void arm(int nth, int count) {
        seen_ = 0;
        first_ = nth;
        last_ = nth + count - 1;
    }

    Result<eventstore::AppendResult> append(std::string_view stream, eventstore::ExpectedVersion expected,
                                            std::vector<eventstore::NewEvent> events) override {
        const int n = ++seen_;
        if (n >= first_ && n <= last_) return unavailable("append " + std::to_string(n) + " refused by the test");
        return inner_.append(stream, expected, std::move(events));
    }
    void append_async(std::string_view stream, eventstore::ExpectedVersion expected,
                      std::vector<eventstore::NewEvent> events, AppendDone done) override {
        done(append(stream, expected, std::move(events)));
    }
    Result<eventstore::StreamVersion> stream_version(std::string_view s) override { return inner_.stream_version(s); }
    Result<std::vector<eventstore::Entry>> read_stream(std::string_view s, eventstore::StreamVersion from,
                                                       Direction d, std::size_t max) override {
        return inner_.read_stream(s, from, d, max);
    }
    Result<std::vector<eventstore::Entry>> read_all(eventstore::Position from, std::size_t max) override {
        return inner_.read_all(from, max);
    }
    eventstore::Position head() const override { return inner_.head(); }
    eventstore::Position wait_for(eventstore::Position p, std::chrono::steady_clock::time_point d) override {
        return inner_.wait_for(p, d);
    }
    std::unique_ptr<eventstore::Subscription> subscribe(eventstore::Position from) override {
        return inner_.subscribe(from);
    }

private:
    eventstore::Log& inner_;
    std::atomic<int> seen_{0};
    std::atomic<int> first_{0};
    std::atomic<int> last_{-1};
};

}  // namespace auditorium::testing
