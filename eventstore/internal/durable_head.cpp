#include "eventstore/internal/durable_head.hpp"

#include <algorithm>

namespace auditorium::eventstore::internal {

Position DurableHead::head() const {
    MutexLock lock(mu_);
    return head_;
}

DurableHead::TreeHead DurableHead::tree_head() const {
    MutexLock lock(mu_);
    return tree_head_;
}

Status DurableHead::refused() const {
    MutexLock lock(mu_);
    return refused_;
}

void DurableHead::advance(Position head, TreeHead tree) {
    std::vector<Waiter> released;
    {
        MutexLock lock(mu_);
        head_ = head;
        tree_head_ = std::move(tree);
        if (!waiters_.empty()) released = take_waiters(false);
    }
    changed_.notify_all();
    for (auto& w : released) w(Status::ok());
}

void DurableHead::follow(Position head) {
    {
        MutexLock lock(mu_);
        head_ = std::max(head_, head);
    }
    changed_.notify_all();
}

Status DurableHead::set_refused(Status refusal, bool& first) {
    MutexLock lock(mu_);
    first = refused_.is_ok();
    if (first) refused_ = std::move(refusal);
    return refused_;
}

void DurableHead::release_all(const Status& why) {
    std::vector<Waiter> released;
    {
        MutexLock lock(mu_);
        released = take_waiters(true);
    }
    changed_.notify_all();
    for (auto& w : released) w(why);
}

Status DurableHead::wait_durable(Position position) {
    MutexLock lock(mu_);
    while (head_ < position && refused_.is_ok()) changed_.wait(lock);
    return head_ >= position ? Status::ok() : refused_;
}

Position DurableHead::wait_for(Position position, std::chrono::steady_clock::time_point deadline) {
    MutexLock lock(mu_);
    while (head_ < position && refused_.is_ok()) {
        if (!changed_.wait_until(lock, deadline)) break;
    }
    return head_;
}

void DurableHead::when_durable(Position position, Waiter then) {
    Status now;
    {
        MutexLock lock(mu_);
        if (head_ < position && refused_.is_ok()) {
            waiters_.emplace(position, std::move(then));
            return;
        }
        if (head_ < position) now = refused_;
    }
    then(now);
}

std::vector<DurableHead::Waiter> DurableHead::take_waiters(bool all) {
    std::vector<Waiter> out;
    const auto end = all ? waiters_.end() : waiters_.upper_bound(head_);
    for (auto it = waiters_.begin(); it != end; ++it) out.push_back(std::move(it->second));
    waiters_.erase(waiters_.begin(), end);
    return out;
}

}  // namespace auditorium::eventstore::internal
