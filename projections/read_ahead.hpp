// A subscription that reads ahead: a thread of its own pulls pages from the log (reading,
// checking and decrypting them, about a third of a rebuild's time) while the caller folds the
// page before, so the two share the machine's cores instead of taking turns on one.
//
// Entries come out exactly as the wrapped subscription gave them, in order, no gap, no duplicate;
// at most kPagesAhead pages wait. An error of the wrapped subscription is returned after the
// entries read before it, and from then on; the reader stops there (the runner then reopens from
// its checkpoint).
//
// Thread safety: next() and last_position() from one thread at a time (as any Subscription).
// The destructor stops the reader and joins it, within one poll of the wrapped subscription; the
// store behind it must outlive this object.
#pragma once

#include <deque>
#include <memory>
#include <thread>

#include "base/mutex.hpp"
#include "eventstore/log.hpp"

namespace auditorium::projections {

class ReadAheadSubscription final : public eventstore::Subscription {
public:
    static constexpr std::size_t kPagesAhead = 4;
    static constexpr std::chrono::milliseconds kPoll{100};

    // REQUIRES: log != nullptr, page_entries > 0.
    ReadAheadSubscription(std::unique_ptr<eventstore::Subscription> log, std::size_t page_entries);
    ~ReadAheadSubscription() override;
    ReadAheadSubscription(const ReadAheadSubscription&) = delete;
    ReadAheadSubscription& operator=(const ReadAheadSubscription&) = delete;

    Result<std::vector<eventstore::Entry>> next(
        std::size_t max, std::chrono::steady_clock::time_point deadline) override;
    eventstore::Position last_position() const override { return last_returned_; }

private:
    void read();  // the reader thread

    const std::unique_ptr<eventstore::Subscription> log_;  // used by the reader thread only
    const std::size_t page_entries_;
    eventstore::Position last_returned_;  // the consumer's side

    Mutex mu_;
    CondVar changed_;  // pages added or taken, or stopping
    std::deque<std::vector<eventstore::Entry>> pages_ AUD_GUARDED_BY(mu_);  // in order
    std::size_t front_taken_ AUD_GUARDED_BY(mu_) = 0;  // entries of pages_.front() returned
    Status error_ AUD_GUARDED_BY(mu_) = Status::ok();  // returned after the pages
    bool stopping_ AUD_GUARDED_BY(mu_) = false;
    std::thread reader_;
};

}  // namespace auditorium::projections
