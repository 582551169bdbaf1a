#include "projections/read_ahead.hpp"

#include <pthread.h>
#include <rocksdb/perf_level.h>

#include <cassert>

namespace auditorium::projections {

using Clock = std::chrono::steady_clock;

ReadAheadSubscription::ReadAheadSubscription(std::unique_ptr<eventstore::Subscription> log,
                                             std::size_t page_entries)
    : log_(std::move(log)), page_entries_(page_entries), last_returned_(log_->last_position()) {
    assert(page_entries_ > 0);
    reader_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "aud-read-ahead");
        rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);  // statistics nothing reads
        read();
    });
}

ReadAheadSubscription::~ReadAheadSubscription() {
    {
        MutexLock lock(mu_);
        stopping_ = true;
    }
    changed_.notify_all();
    reader_.join();
}

void ReadAheadSubscription::read() {
    for (;;) {
        {
            MutexLock lock(mu_);
            while (!stopping_ && pages_.size() >= kPagesAhead) changed_.wait(lock);
            if (stopping_) return;
        }
        // Never under the lock: this reads the disk and waits for appends.
        auto page = log_->next(page_entries_, Clock::now() + kPoll);
        const bool failed = !page;
        {
            MutexLock lock(mu_);
            if (failed) {
                error_ = page.status();
            } else if (!page->empty()) {
                pages_.push_back(std::move(page).value());
            }
        }
        changed_.notify_all();
        if (failed) return;
    }
}

Result<std::vector<eventstore::Entry>> ReadAheadSubscription::next(std::size_t max,
                                                                   Clock::time_point deadline) {
    MutexLock lock(mu_);
    while (pages_.empty() && error_.is_ok()) {
        if (!changed_.wait_until(lock, deadline)) break;
    }
    if (pages_.empty()) {
        if (error_.is_ok()) return std::vector<eventstore::Entry>();
        return error_;
    }
    if (max == 0) return std::vector<eventstore::Entry>();
    auto& front = pages_.front();
    const std::size_t page = front.size();
    const std::size_t n =
        std::min(max, page - front_taken_);  // at least one: pages are never empty
    std::vector<eventstore::Entry> out;
    if (n == page) {
        out = std::move(front);  // the usual case: the whole page, no copy
    } else {
        const auto first = front.begin() + static_cast<std::ptrdiff_t>(front_taken_);
        out.assign(std::make_move_iterator(first),
                   std::make_move_iterator(first + static_cast<std::ptrdiff_t>(n)));
    }
    front_taken_ += n;
    last_returned_ = out.back().position;
    if (front_taken_ < page) return out;
    pages_.pop_front();
    front_taken_ = 0;
    lock.unlock();
    changed_.notify_all();
    return out;
}

}  // namespace auditorium::projections
