// A Store that passes every call through to a real one, except that it refuses appends from the
// Nth on with Unavailable, writing nothing: for the paths that must cope with a failed write.
// Thread safety: as the wrapped Store's; arm() before the calls it is to affect.
#pragma once

#include <atomic>

#include "eventstore/store.hpp"

namespace auditorium::testing {

class FailAppends final : public eventstore::Store {
public:
    // `inner` must outlive this object.
    explicit FailAppends(eventstore::Store& inner) : inner_(inner) {}

    // Appends from the `nth` one after this call on are refused (1: the next one); `count` of
    // them, then they pass again.
    void arm(int nth, int count) {
        seen_ = 0;
        first_ = nth;
        last_ = nth + count - 1;
    }

    Result<eventstore::AppendResult> append(std::string_view stream, eventstore::ExpectedVersion expected,
                                            std::vector<eventstore::NewEvent> events) override {
        const int n = ++seen_;
        if (n >= first_ && n <= last_) return unavailable("append " + std::to_string(n) + " refused by the test");
        return inner_.append(stream, expected, std::move(events));
    }
    void append_async(std::string_view stream, eventstore::ExpectedVersion expected,
                      std::vector<eventstore::NewEvent> events, AppendDone done) override {
        done(append(stream, expected, std::move(events)));
    }

    Result<eventstore::StreamVersion> stream_version(std::string_view s) override { return inner_.stream_version(s); }
    Result<std::vector<eventstore::Entry>> read_stream(std::string_view s, eventstore::StreamVersion from,
                                                       Direction d, std::size_t max) override {
        return inner_.read_stream(s, from, d, max);
    }
    Result<std::vector<eventstore::Entry>> read_all(eventstore::Position from, std::size_t max) override {
        return inner_.read_all(from, max);
    }
    eventstore::Position head() const override { return inner_.head(); }
    eventstore::Position wait_for(eventstore::Position p, std::chrono::steady_clock::time_point d) override {
        return inner_.wait_for(p, d);
    }
    std::unique_ptr<eventstore::Subscription> subscribe(eventstore::Position from) override {
        return inner_.subscribe(from);
    }
    Result<eventstore::Position> erase(const Id& s, const Id& a) override { return inner_.erase(s, a); }
    Result<bool> is_erased(const Id& s) override { return inner_.is_erased(s); }
    Result<std::string> blind_index(std::string_view p, std::string_view v) override {
        return inner_.blind_index(p, v);
    }
    Result<std::optional<std::string>> seal_for_model(const Id& s, std::string_view c, std::string_view p) override {
        return inner_.seal_for_model(s, c, p);
    }
    Result<std::optional<std::string>> open_for_model(const Id& s, std::string_view c, std::string_view x) override {
        return inner_.open_for_model(s, c, x);
    }
    Result<eventstore::PurgeReport> purge() override { return inner_.purge(); }
    Result<eventstore::Position> set_legal_hold(const Id& s, const Id& a, bool h) override {
        return inner_.set_legal_hold(s, a, h);
    }
    Result<bool> is_held(const Id& s) override { return inner_.is_held(s); }
    Result<bool> is_erasure_deferred(const Id& s) override { return inner_.is_erasure_deferred(s); }
    Result<eventstore::Position> rotate_signing_key(const Id& a) override { return inner_.rotate_signing_key(a); }
    Result<eventstore::Position> rotate_master_key(const Id& a) override { return inner_.rotate_master_key(a); }
    std::chrono::microseconds retention() const override { return inner_.retention(); }
    TreeHead tree_head() const override { return inner_.tree_head(); }
    Result<eventstore::SignedTreeHead> sign_tree_head() override { return inner_.sign_tree_head(); }
    Result<std::vector<eventstore::SignedTreeHead>> tree_heads(std::uint64_t from, std::size_t max) override {
        return inner_.tree_heads(from, max);
    }
    Result<std::vector<SigningPublicKey>> signing_keys() override { return inner_.signing_keys(); }
    Result<std::vector<std::string>> inclusion_proof(eventstore::Position p, std::uint64_t size) override {
        return inner_.inclusion_proof(p, size);
    }
    Result<std::vector<std::string>> consistency_proof(std::uint64_t from, std::uint64_t to) override {
        return inner_.consistency_proof(from, to);
    }
    Result<std::string> root_at(std::uint64_t size) override { return inner_.root_at(size); }
    Result<std::string> leaf_hash(eventstore::Position p) override { return inner_.leaf_hash(p); }
    Result<VerifyReport> verify(const VerifyOptions& o) override { return inner_.verify(o); }
    Result<eventstore::ExportSummary> export_ledger(const eventstore::ExportOptions& o) override {
        return inner_.export_ledger(o);
    }
    Result<eventstore::BackupManifest> create_backup(const eventstore::BackupOptions& o) override {
        return inner_.create_backup(o);
    }
    bool is_dev() const override { return inner_.is_dev(); }
    Id store_id() const override { return inner_.store_id(); }

private:
    eventstore::Store& inner_;
    std::atomic<int> seen_{0};
    std::atomic<int> first_{0};
    std::atomic<int> last_{-1};
};

}  // namespace auditorium::testing
