// A Log that forwards to another, except that it refuses the first `refusals` appends to streams
// starting with `prefix` with a version conflict, writing nothing: what a competing writer that
// got there first looks like to the caller. Proves that a caller's retry runs, and stops.
//
// Thread safety: as the inner Log; the refusal count is atomic.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "base/status.hpp"
#include "eventstore/log.hpp"

namespace auditorium::testing {

class RefusingLog final : public eventstore::Log {
public:
    RefusingLog(eventstore::Log& inner, std::string prefix, int refusals)
        : inner_(inner), prefix_(std::move(prefix)), left_(refusals) {}

    int refused() const { return refused_.load(); }

    Result<eventstore::AppendResult> append(std::string_view stream, eventstore::ExpectedVersion expected,
                                            std::vector<eventstore::NewEvent> events) override {
        if (auto conflict = refuse(stream, expected)) return *conflict;
        return inner_.append(stream, expected, std::move(events));
    }
    void append_async(std::string_view stream, eventstore::ExpectedVersion expected,
                      std::vector<eventstore::NewEvent> events, AppendDone done) override {
        if (auto conflict = refuse(stream, expected)) return done(*conflict);
        inner_.append_async(stream, expected, std::move(events), std::move(done));
    }
    Result<eventstore::StreamVersion> stream_version(std::string_view stream) override {
        return inner_.stream_version(stream);
    }
    Result<std::vector<eventstore::Entry>> read_stream(std::string_view stream, eventstore::StreamVersion from,
                                                       Direction direction, std::size_t max) override {
        return inner_.read_stream(stream, from, direction, max);
    }
    Result<std::vector<eventstore::Entry>> read_all(eventstore::Position from, std::size_t max) override {
        return inner_.read_all(from, max);
    }
    eventstore::Position head() const override { return inner_.head(); }
    eventstore::Position wait_for(eventstore::Position position,
                                  std::chrono::steady_clock::time_point deadline) override {
        return inner_.wait_for(position, deadline);
    }
    std::unique_ptr<eventstore::Subscription> subscribe(eventstore::Position from) override {
        return inner_.subscribe(from);
    }

private:
    // The conflict for this append, if it is one to refuse; the stream's version is reported as
    // it stands, so the caller's reload finds nothing new and simply tries again.
    std::optional<Status> refuse(std::string_view stream, eventstore::ExpectedVersion expected) {
        if (stream.substr(0, prefix_.size()) != prefix_) return std::nullopt;
        if (left_.fetch_sub(1) <= 0) return std::nullopt;
        ++refused_;
        auto c = std::make_shared<eventstore::VersionConflict>();
        c->stream = std::string(stream);
        c->expected = expected;
        auto actual = inner_.stream_version(stream);
        c->actual = actual ? *actual : 0;
        return Status(StatusCode::kAborted, "refused by the test's RefusingLog").with_detail(std::move(c));
    }

    eventstore::Log& inner_;
    const std::string prefix_;
    std::atomic<int> left_;
    std::atomic<int> refused_{0};
};

}  // namespace auditorium::testing
