// A Log that forwards every call to another: the base of the test decorators that change what
// one call does (refusing_log.hpp, failing_log.hpp).
//
// Thread safety: as the inner Log.
#pragma once

#include <memory>

#include "eventstore/log.hpp"

namespace auditorium::testing {

class ForwardingLog : public eventstore::Log {
public:
    // `inner` must outlive this object.
    explicit ForwardingLog(eventstore::Log& inner) : inner_(inner) {}

    Result<eventstore::AppendResult> append(std::string_view stream,
                                            eventstore::ExpectedVersion expected,
                                            std::vector<eventstore::NewEvent> events) override {
        return inner_.append(stream, expected, std::move(events));
    }
    void append_async(std::string_view stream, eventstore::ExpectedVersion expected,
                      std::vector<eventstore::NewEvent> events, AppendDone done) override {
        inner_.append_async(stream, expected, std::move(events), std::move(done));
    }
    Result<eventstore::StreamVersion> stream_version(std::string_view s) override {
        return inner_.stream_version(s);
    }
    Result<std::vector<eventstore::Entry>> read_stream(std::string_view s,
                                                       eventstore::StreamVersion from, Direction d,
                                                       std::size_t max) override {
        return inner_.read_stream(s, from, d, max);
    }
    Result<std::vector<eventstore::Entry>> read_all(eventstore::Position from,
                                                    std::size_t max) override {
        return inner_.read_all(from, max);
    }
    eventstore::Position head() const override { return inner_.head(); }
    eventstore::Position wait_for(eventstore::Position p,
                                  std::chrono::steady_clock::time_point d) override {
        return inner_.wait_for(p, d);
    }
    std::unique_ptr<eventstore::Subscription> subscribe(eventstore::Position from) override {
        return inner_.subscribe(from);
    }

protected:
    eventstore::Log& inner_;
};

}  // namespace auditorium::testing
