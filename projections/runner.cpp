#include "projections/runner.hpp"

#include <rocksdb/perf_level.h>
#include <spdlog/spdlog.h>

#include "projections/read_ahead.hpp"
#include "projections/read_models.hpp"

namespace auditorium::projections {

using eventstore::Position;
using Clock = std::chrono::steady_clock;

namespace {
constexpr Position kLogEvery = 10'000;  // progress lines while catching up at start
constexpr std::chrono::seconds kCatchUpPatience{30};
}  // namespace

ProjectionRunner::ProjectionRunner(eventstore::Log& ledger, eventstore::PrivacyKeys& keys,
                                   ModelStore& models)
    : ledger_(ledger), keys_(keys), models_(models) {}

ProjectionRunner::~ProjectionRunner() { stop(); }

Status ProjectionRunner::open_subscription() {
    if (log_) return Status::ok();
    std::optional<Position> common;
    for (auto model : kModels) {
        AUD_ASSIGN_OR_RETURN(Position p, models_.checkpoint(model));
        if (common && *common != p) {
            return failed_precondition(
                "the read models' checkpoints disagree (" + std::string(model.name) + " at " +
                std::to_string(p) + ", others at " + std::to_string(*common) + "): rebuild them");
        }
        common = p;
    }
    if (*common > ledger_.head()) {
        // Models of a history the ledger no longer has (it was restored from a backup): folding on
        // would mix two histories.
        return failed_precondition(
            "the read models are at position " + std::to_string(*common) +
            " but the ledger ends at " + std::to_string(ledger_.head()) +
            " (restored from a backup?): delete the models directory to rebuild them");
    }
    position_ = *common;
    log_ = std::make_unique<ReadAheadSubscription>(ledger_.subscribe(*common + 1), kBatchEntries);
    return Status::ok();
}

Status ProjectionRunner::fold_and_commit(const std::vector<eventstore::Entry>& entries) {
    if (entries.empty()) return Status::ok();
    auto batch = models_.batch(keys_);
    for (const auto& e : entries) AUD_RETURN_IF_ERROR(fold(ledger_, keys_, e, *batch));
    const Position last = entries.back().position;
    for (auto model : kModels) batch->set_checkpoint(model, last);
    AUD_RETURN_IF_ERROR(models_.commit(*batch));
    {
        MutexLock lock(mu_);
        position_ = last;
        // Cleared with the position it is cleared by: a reader that sees the one sees the other.
        if (!error_.is_ok()) spdlog::info("projections: folding again, at position {}", last);
        error_ = Status::ok();
    }
    advanced_.notify_all();
    return Status::ok();
}

Result<Position> ProjectionRunner::catch_up(Position to) {
    AUD_RETURN_IF_ERROR(open_subscription());
    // RocksDB counts every key comparison of this thread in thread-local statistics nothing here
    // reads; off, a rebuild is a fifth faster (docs/benchmarks.md).
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    to = std::min(to, ledger_.head());
    while (position_ < to) {
        const std::size_t want =
            static_cast<std::size_t>(std::min<Position>(kBatchEntries, to - position_));
        // The entries exist (up to the head); the reader thread may just not have reached them.
        AUD_ASSIGN_OR_RETURN(auto entries, log_->next(want, Clock::now() + kCatchUpPatience));
        if (entries.empty()) break;
        AUD_RETURN_IF_ERROR(fold_and_commit(entries));
    }
    return position_.load();
}

void ProjectionRunner::start() {
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] { follow(); });
}

void ProjectionRunner::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    log_.reset();  // the store may go next
}

void ProjectionRunner::follow() {
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);  // as in catch_up()
    bool caught_up = false;
    Position logged = 0;
    while (!stop_) {
        // After a failed write the models take no more until opened again.
        Status s = models_.recover();
        if (s.is_ok()) s = open_subscription();
        if (s.is_ok()) {
            auto entries = log_->next(kBatchEntries, Clock::now() + std::chrono::milliseconds(200));
            s = entries ? fold_and_commit(*entries) : entries.status();
            if (s.is_ok() && entries->empty() && !caught_up) {
                caught_up = true;
                spdlog::info("projections: caught up at position {}", position_.load());
            } else if (s.is_ok() && !caught_up && position_ / kLogEvery != logged / kLogEvery) {
                logged = position_;
                spdlog::info("projections: folded up to position {}", logged);
            }
        }
        {
            MutexLock lock(mu_);
            if (!s.is_ok() && error_.is_ok()) spdlog::error("projections: {}", s.to_string());
            if (s.is_ok() && !error_.is_ok())
                spdlog::info("projections: following again, at position {}", position_.load());
            error_ = s;
        }
        if (!s.is_ok()) advanced_.notify_all();  // wakes wait_for_error()
        if (!s.is_ok()) {
            // Start again from the last committed checkpoint, after a pause.
            log_.reset();
            for (int i = 0; i < 10 && !stop_; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
}

Position ProjectionRunner::wait_for(Position position, Clock::time_point deadline) {
    MutexLock lock(mu_);
    while (position_ < position) {
        if (!advanced_.wait_until(lock, deadline)) break;
    }
    return position_;
}

Status ProjectionRunner::wait_for_error(Clock::time_point deadline) {
    MutexLock lock(mu_);
    while (error_.is_ok()) {
        if (!advanced_.wait_until(lock, deadline)) break;
    }
    return error_;
}

Status ProjectionRunner::last_error() const {
    MutexLock lock(mu_);
    return error_;
}

}  // namespace auditorium::projections
