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
#include "tests/support/forwarding_log.hpp"

namespace auditorium::testing {

class RefusingLog final : public ForwardingLog {
public:
    RefusingLog(eventstore::Log& inner, std::string prefix, int refusals)
        : ForwardingLog(inner), prefix_(std::move(prefix)), left_(refusals) {}

    int refused() const { return refused_.load(); }

    Result<eventstore::AppendResult> append(std::string_view stream,
                                            eventstore::ExpectedVersion expected,
                                            std::vector<eventstore::NewEvent> events) override {
        if (auto conflict = refuse(stream, expected)) return *conflict;
        return inner_.append(stream, expected, std::move(events));
    }
    void append_async(std::string_view stream, eventstore::ExpectedVersion expected,
                      std::vector<eventstore::NewEvent> events, AppendDone done) override {
        if (auto conflict = refuse(stream, expected)) return done(*conflict);
        inner_.append_async(stream, expected, std::move(events), std::move(done));
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
        return Status(StatusCode::kAborted, "refused by the test's RefusingLog")
            .with_detail(std::move(c));
    }

    const std::string prefix_;
    std::atomic<int> left_;
    std::atomic<int> refused_{0};
};

}  // namespace auditorium::testing
