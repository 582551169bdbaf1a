#include "eventstore/internal/sequencer.hpp"

#include <algorithm>

namespace auditorium::eventstore::internal {

Sequencer::Sequencer(Position durable_head, std::int64_t last_recorded_us)
    : next_position_(durable_head + 1),
      durable_head_(durable_head),
      last_recorded_us_(last_recorded_us) {}

void Sequencer::abandon(Ticket ticket) {
    MutexLock lock(mu_);
    open_lookups_.erase(ticket);
}

Sequencer::Ticket Sequencer::begin_lookup() {
    MutexLock lock(mu_);
    return open_lookups_.insert(durable_head_);
}

Position Sequencer::durable_head() const {
    MutexLock lock(mu_);
    return durable_head_;
}

void Sequencer::refuse_all() {
    MutexLock lock(mu_);
    refused_ = true;
}

Sequencer::Decision Sequencer::decide_locked(std::string_view stream, ExpectedVersion expected,
                                             const std::vector<Id>& event_ids,
                                             const Lookups& lookups, std::int64_t now_us) {
    using Kind = Decision::Kind;
    if (refused_) return Decision{Kind::kRefused};

    // Idempotency first: where is each id stored, counting appends the lookups could not see?
    std::size_t found = 0;
    std::vector<const IdLocation*> where(event_ids.size(), nullptr);
    for (std::size_t i = 0; i < event_ids.size(); ++i) {
        if (auto it = recent_ids_.find(event_ids[i]); it != recent_ids_.end()) {
            where[i] = &it->second;
        } else if (lookups.ids[i]) {
            where[i] = &*lookups.ids[i];
        }
        if (where[i] != nullptr) ++found;
    }
    if (found == event_ids.size()) {
        bool same_run = true;
        for (std::size_t i = 0; i < where.size() && same_run; ++i) {
            same_run = where[i]->stream == stream && where[i]->position == where[0]->position + i &&
                       where[i]->version == where[0]->version + i;
        }
        if (same_run) {
            Decision d{Kind::kReplay};
            d.first_position = where[0]->position;
            d.first_version = where[0]->version;
            return d;
        }
    }
    if (found > 0) {
        Decision d{Kind::kReusedId};
        for (std::size_t i = 0; i < where.size(); ++i) {
            if (where[i] == nullptr) continue;
            d.detail = "event id " + event_ids[i].hex() + " is already stored at position " +
                       std::to_string(where[i]->position) + " (stream " + where[i]->stream + ")";
            break;
        }
        return d;
    }

    StreamVersion current = lookups.stream_version;
    if (auto it = recent_heads_.find(std::string(stream)); it != recent_heads_.end()) {
        current = it->second.version;
    }
    if (!expected.admits(current)) {
        Decision d{Kind::kConflict};
        d.actual_version = current;
        return d;
    }

    Decision d{Kind::kAppend};
    d.first_position = next_position_;
    d.first_version = current + 1;
    last_recorded_us_ = std::max(last_recorded_us_, now_us);
    d.recorded_at_us = last_recorded_us_;
    next_position_ += event_ids.size();

    Recent r{next_position_ - 1, std::string(stream), event_ids};
    for (std::size_t i = 0; i < event_ids.size(); ++i) {
        recent_ids_[event_ids[i]] = IdLocation{d.first_position + i, d.first_version + i, r.stream};
    }
    recent_heads_[r.stream] = StreamHead{current + event_ids.size(), r.last_position};
    head_order_.emplace_back(r.stream, r.last_position);
    recent_.push_back(std::move(r));
    return d;
}

void Sequencer::committed(Position head) {
    MutexLock lock(mu_);
    durable_head_ = std::max(durable_head_, head);
    forget_locked();
}

void Sequencer::forget_locked() {
    // Invariant: every append with last position > the oldest open lookup's snapshot, or not yet
    // durable, stays in recent_*.
    Position horizon = durable_head_;
    if (!open_lookups_.empty()) horizon = std::min(horizon, *open_lookups_.begin());
    while (!recent_.empty() && recent_.front().last_position <= horizon) {
        for (const Id& id : recent_.front().ids) recent_ids_.erase(id);
        recent_.pop_front();
    }
    // Stream heads stay as a cache (a head in the map is always the newest), beyond the horizon
    // only while there is room. An entry of head_order_ is stale once its stream moved on.
    while (!head_order_.empty() && head_order_.front().second <= horizon) {
        auto& [stream, position] = head_order_.front();
        auto it = recent_heads_.find(stream);
        const bool current = it != recent_heads_.end() && it->second.last_position == position;
        if (current) {
            if (recent_heads_.size() <= kStreamHeadCache &&
                head_order_.size() <= 2 * kStreamHeadCache) {
                break;
            }
            recent_heads_.erase(it);
        }
        head_order_.pop_front();
    }
}

std::optional<StreamVersion> Sequencer::known_version(std::string_view stream) const {
    MutexLock lock(mu_);
    auto it = recent_heads_.find(std::string(stream));
    if (it == recent_heads_.end()) return std::nullopt;
    return it->second.version;
}

}  // namespace auditorium::eventstore::internal
