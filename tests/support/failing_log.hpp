// A Log that forwards to another, except that it refuses appends from the Nth on with
// Unavailable, writing nothing: for the paths that must cope with a failed write.
//
// Thread safety: as the inner Log; arm() before the calls it is to affect.
#pragma once

#include <atomic>
#include <string>

#include "base/status.hpp"
#include "tests/support/forwarding_log.hpp"

namespace auditorium::testing {

class FailingLog final : public ForwardingLog {
public:
    using ForwardingLog::ForwardingLog;

    // Appends from the `nth` one after this call on are refused (1: the next one); `count` of
    // them, then they pass again.
    void arm(int nth, int count) {
        seen_ = 0;
        first_ = nth;
        last_ = nth + count - 1;
    }

    Result<eventstore::AppendResult> append(std::string_view stream,
                                            eventstore::ExpectedVersion expected,
                                            std::vector<eventstore::NewEvent> events) override {
        const int n = ++seen_;
        if (n >= first_ && n <= last_)
            return unavailable("append " + std::to_string(n) + " refused by the test");
        return inner_.append(stream, expected, std::move(events));
    }
    void append_async(std::string_view stream, eventstore::ExpectedVersion expected,
                      std::vector<eventstore::NewEvent> events, AppendDone done) override {
        done(append(stream, expected, std::move(events)));
    }

private:
    std::atomic<int> seen_{0};
    std::atomic<int> first_{0};
    std::atomic<int> last_{-1};
};

}  // namespace auditorium::testing
