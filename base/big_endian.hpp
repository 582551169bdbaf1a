// Unsigned integers as big-endian bytes (most significant first), the one codec for every key and
// value the project writes: big-endian keys sort as their numbers do. Built on Boost.Endian.
//
// put_* append to a string; get_* read the first N bytes of a view and REQUIRE that many (a short
// read is a caller's bug; code reading stored bytes checks the size and reports Corruption first).
// Pure functions; thread-safe.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/endian/conversion.hpp>

namespace auditorium {

namespace detail {
inline const unsigned char* bytes_of(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}
}  // namespace detail

inline void put_be64(std::string& out, std::uint64_t v) {
    unsigned char b[8];
    boost::endian::store_big_u64(b, v);
    out.append(reinterpret_cast<const char*>(b), sizeof b);
}
inline void put_be32(std::string& out, std::uint32_t v) {
    unsigned char b[4];
    boost::endian::store_big_u32(b, v);
    out.append(reinterpret_cast<const char*>(b), sizeof b);
}
inline void put_be16(std::string& out, std::uint16_t v) {
    unsigned char b[2];
    boost::endian::store_big_u16(b, v);
    out.append(reinterpret_cast<const char*>(b), sizeof b);
}

// The 8 bytes of v, as a key or a value on its own.
inline std::string be64(std::uint64_t v) {
    std::string out;
    out.reserve(8);
    put_be64(out, v);
    return out;
}

// REQUIRES: bytes.size() >= 8
inline std::uint64_t get_be64(std::string_view bytes) {
    assert(bytes.size() >= 8);
    return boost::endian::load_big_u64(detail::bytes_of(bytes));
}
// REQUIRES: bytes.size() >= 4
inline std::uint32_t get_be32(std::string_view bytes) {
    assert(bytes.size() >= 4);
    return boost::endian::load_big_u32(detail::bytes_of(bytes));
}
// REQUIRES: bytes.size() >= 2
inline std::uint16_t get_be16(std::string_view bytes) {
    assert(bytes.size() >= 2);
    return boost::endian::load_big_u16(detail::bytes_of(bytes));
}

}  // namespace auditorium
