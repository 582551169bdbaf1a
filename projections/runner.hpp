// Feeds the read models from the log: a subscription from the models' checkpoint (so a restart
// resumes where the last committed batch ended), each entry folded by fold() (read_models.hpp),
// and every batch of up to kBatchEntries entries committed with every model's checkpoint in one
// write batch. The log is read ahead on a thread of its own (read_ahead.hpp), so reading and
// decrypting the next page overlaps folding this one. A command's result carries its position;
// wait_for() lets a read wait, bounded, until the models have reached it.
//
// Two ways to run: catch_up() on the caller's thread (rebuilds, tests, the auditor's replay), or
// start() for a thread of its own that follows live appends (serve).
//
// Thread safety: position(), wait_for(), last_error() and wait_for_error() from any thread;
// catch_up() from one thread at a time and never while started. `ledger`, `keys` and `models` must
// outlive the runner.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "base/mutex.hpp"
#include "base/result.hpp"
#include "eventstore/log.hpp"
#include "eventstore/privacy_keys.hpp"
#include "projections/model_store.hpp"

namespace auditorium::projections {

class ProjectionRunner {
public:
    static constexpr std::size_t kBatchEntries = 1000;

    ProjectionRunner(eventstore::Log& ledger, eventstore::PrivacyKeys& keys, ModelStore& models);
    ~ProjectionRunner();  // stops the thread
    ProjectionRunner(const ProjectionRunner&) = delete;
    ProjectionRunner& operator=(const ProjectionRunner&) = delete;

    // Folds the log up to `to` (or its head when the call begins, if smaller) and returns the
    // position reached. FailedPrecondition when the models' checkpoints disagree (a model added
    // later than the others: rebuild them).
    Result<eventstore::Position> catch_up(eventstore::Position to = UINT64_MAX);

    void start();
    void stop();

    eventstore::Position position() const { return position_.load(); }
    // Waits until the models reached `position` or `deadline` passed; returns position().
    eventstore::Position wait_for(eventstore::Position position,
                                  std::chrono::steady_clock::time_point deadline);
    // The error that stopped the thread, if one did. It retries after a pause, from the models'
    // checkpoint, reopening them first after a failed write (ModelStore::recover).
    Status last_error() const;
    // Waits until the thread reports an error or `deadline` passed; returns last_error().
    Status wait_for_error(std::chrono::steady_clock::time_point deadline);

private:
    Status open_subscription();
    // Folds `entries` into one batch and commits it.
    Status fold_and_commit(const std::vector<eventstore::Entry>& entries);
    void follow();

    eventstore::Log& ledger_;
    eventstore::PrivacyKeys& keys_;
    ModelStore& models_;
    std::unique_ptr<eventstore::Subscription> log_;
    std::atomic<eventstore::Position> position_{0};
    mutable Mutex mu_;
    CondVar advanced_;
    Status error_ AUD_GUARDED_BY(mu_) = Status::ok();
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace auditorium::projections
