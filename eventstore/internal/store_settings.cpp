// The store's settings (retention, dev, signing keys) as ledgered records, so that an edit of the
// mutable `meta` rows is caught by verify (docs/ledger-format.md, "What verify checks").
#include <rocksdb/options.h>

#include <charconv>

#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/rocks_store.hpp"
#include "eventstore/internal/store_records.hpp"

namespace auditorium::eventstore::internal {

Status RocksStore::apply_meta_retention(std::string_view text) {
    std::int64_t us = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), us);
    if (ec != std::errc() || end != text.data() + text.size() || us <= 0) {
        return corruption("meta row retention_us is \"" + std::string(text.substr(0, 40)) +
                          "\", not a positive number of microseconds");
    }
    // Outside dev, two years is the floor the product promises: a shorter value in meta can only
    // be an edit, and would let the next purge drop entries still under retention.
    if (!config_.dev && us < kMinimumRetention.count()) {
        return corruption(
            "meta row retention_us is " + std::to_string(us) +
            " microseconds, below the two years a store that is not dev keeps entries");
    }
    config_.retention = std::chrono::microseconds(us);
    return Status::ok();
}

Status RocksStore::ledger_settings() {
    AUD_ASSIGN_OR_RETURN(
        StreamVersion settings,
        reader_->stream_version(store_records::kSettingsStream, rocksdb::ReadOptions()));
    return settings != 0 ? check_settings_rows() : append_settings();
}

// What the store runs by comes from meta; an edited row would change what the next purge drops
// before any verify ran, so the open holds the rows to the ledgered record first.
Status RocksStore::check_settings_rows() {
    AUD_ASSIGN_OR_RETURN(
        auto found, reader_->read_stream(store_records::kSettingsStream, 1, Direction::kForward, 1,
                                         rocksdb::ReadOptions()));
    if (found.empty()) return Status::ok();  // made before settings were ledgered
    const Entry& record = found.front();
    const std::string where =
        "the ledgered store.settings record at position " + std::to_string(record.position);
    auto settings = store_records::decode_settings(record.clear);
    if (!settings) return settings.status().with_context(where);
    if (settings->dev != config_.dev) {
        return corruption(std::string("meta row dev is ") + (config_.dev ? "1" : "0") + " but " +
                          where + " says " + (settings->dev ? "1" : "0"));
    }
    if (settings->retention_us != config_.retention.count()) {
        return corruption("meta row retention_us is " + std::to_string(config_.retention.count()) +
                          " but " + where + " says " + std::to_string(settings->retention_us));
    }
    return Status::ok();
}

Status RocksStore::append_settings() {
    namespace records = store_records;
    records::Settings settings;
    settings.retention_us = config_.retention.count();
    settings.dev = config_.dev;
    settings.reason = head() == 0 ? "created" : "first_open";
    // The keys meta holds are trusted from here on: the record is what announces them.
    AUD_ASSIGN_OR_RETURN(auto keys, reader_->signing_keys());
    for (const auto& k : keys) settings.signing_keys.push_back({k.id, k.key});
    NewEvent record;
    record.event_id = random_id();
    record.type = std::string(records::kSettingsType);
    record.clear = records::encode_settings(settings);
    auto appended = pipeline_->append_store_record(records::kSettingsStream,
                                                   ExpectedVersion::no_stream(), std::move(record));
    if (!appended && conflict_of(appended.status()))
        return Status::ok();  // another record wrote it
    return appended.status();
}

}  // namespace auditorium::eventstore::internal
