#include "eventstore/internal/commit_queue.hpp"

#include <pthread.h>

namespace auditorium::eventstore::internal {

CommitQueue::CommitQueue(CommitFn commit) : commit_(std::move(commit)) {
    writer_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "aud-writer");
        run();
    });
}

CommitQueue::~CommitQueue() { close(); }

void CommitQueue::close() {
    {
        MutexLock lock(mu_);
        stopping_ = true;
    }
    work_cv_.notify_all();
    if (writer_.joinable()) writer_.join();
}

void CommitQueue::enqueue(std::shared_ptr<CommitSlot> slot) {
    MutexLock lock(mu_);
    queue_.push_back(Queued{std::move(slot), false});
}

void CommitQueue::mark_prepared(const std::shared_ptr<CommitSlot>& slot) {
    bool wake = false;
    {
        MutexLock lock(mu_);
        for (auto& q : queue_) {
            if (q.slot == slot) {
                q.prepared = true;
                wake = &q == &queue_.front();
                break;
            }
        }
    }
    if (wake) work_cv_.notify_one();
}

Status CommitQueue::wait(const std::shared_ptr<CommitSlot>& slot) {
    slot->done.wait(0, std::memory_order_acquire);
    return slot->result;
}

void CommitQueue::run() {
    std::vector<std::shared_ptr<CommitSlot>> batch;
    for (;;) {
        {
            MutexLock lock(mu_);
            while (!(!queue_.empty() && queue_.front().prepared) &&
                   !(stopping_ && queue_.empty())) {
                work_cv_.wait(lock);
            }
            if (queue_.empty()) return;  // stopping, nothing left
            std::size_t bytes = 0;
            while (!queue_.empty() && queue_.front().prepared && bytes < kMaxBatchBytes) {
                for (const auto& e : queue_.front().slot->entries) bytes += e.bytes.size();
                batch.push_back(std::move(queue_.front().slot));
                queue_.pop_front();
            }
        }
        const Status result = commit_(batch);
        for (auto& slot : batch) {
            if (slot->on_committed) {
                // Moved out, so what the callback holds is released now, not at the next batch.
                const auto answer = std::move(slot->on_committed);
                answer(result);
            } else {
                slot->result = result;
                slot->done.store(1, std::memory_order_release);
                slot->done.notify_one();
            }
        }
        batch.clear();
    }
}

}  // namespace auditorium::eventstore::internal
