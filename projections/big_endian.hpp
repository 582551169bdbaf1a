// Numbers in row keys and values: 8 bytes, most significant first, so keys sort by them.
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace auditorium::projections {

inline std::string be64(std::uint64_t v) {
    std::string out(8, '\0');
    for (int i = 7; i >= 0; --i, v >>= 8) out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xff);
    return out;
}

// The number in the first 8 bytes of `s` (fewer bytes: as many as there are).
inline std::uint64_t get_be64(std::string_view s) {
    std::uint64_t v = 0;
    for (unsigned char c : s.substr(0, 8)) v = (v << 8) | c;
    return v;
}

}  // namespace auditorium::projections
