// An 8-byte-aligned view of `bytes`, copied into `storage` only when they are not aligned already:
// flatbuffers reads scalars in place, so a buffer must be aligned as it was built, and RocksDB
// hands out values at any address. The view is valid while `bytes` (or `storage`, after a copy) is.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace auditorium {

inline std::string_view aligned_8(std::string_view bytes, std::vector<std::uint64_t>& storage) {
    if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(std::uint64_t) == 0) return bytes;
    storage.resize((bytes.size() + 7) / 8);
    if (!bytes.empty()) std::memcpy(storage.data(), bytes.data(), bytes.size());
    return {reinterpret_cast<const char*>(storage.data()), bytes.size()};
}

}  // namespace auditorium
