// StoreConfig: what a RocksStore was opened as (its identity, its settings and where its keys
// live), read by the parts that make up the store (rocks_store.hpp).
//
// Thread safety: set while the store opens, const once any part holds it; read from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "base/id.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore::internal {

struct StoreConfig {
    Id store_id;
    bool dev = false;
    std::chrono::microseconds retention = kMinimumRetention;
    bool read_only = false;
    bool adopt_head_witness = false;  // StoreOptions::adopt_head_witness
    std::filesystem::path keys_dir;
    std::vector<std::filesystem::path> backup_targets;
    SnapshotRegistry snapshots;
    std::function<std::int64_t()> clock;  // empty: the system clock

    // Microseconds since the epoch, from `clock` when one was given (tests).
    std::int64_t now_us() const {
        if (clock) return clock();
        return std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

}  // namespace auditorium::eventstore::internal
