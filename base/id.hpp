// Id: a 128-bit random pseudonym. Every identifier stored in clear in the ledger is one of these
// (or is derived from one), never an e-mail address or a name.
//
// The all-zero Id is "none". Ids are made by the caller from a random source (eventstore's
// random_id()); domain code receives them as values, never draws them itself.
// Thread safety: an immutable value.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace auditorium {

class Id {
public:
    static constexpr std::size_t kSize = 16;
    using Bytes = std::array<std::uint8_t, kSize>;

    constexpr Id() = default;  // the "none" id
    explicit constexpr Id(const Bytes& bytes) : bytes_(bytes) {}

    // Parses 32 lowercase or uppercase hex digits; nullopt otherwise.
    static std::optional<Id> from_hex(std::string_view hex);
    // Exactly 16 bytes; nullopt otherwise.
    static std::optional<Id> from_bytes(std::string_view bytes);

    bool is_none() const { return *this == Id(); }
    const Bytes& bytes() const { return bytes_; }
    std::string_view view() const {
        return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
    }
    std::string hex() const;  // 32 lowercase hex digits

    friend auto operator<=>(const Id&, const Id&) = default;

private:
    Bytes bytes_{};
};

// Lowercase hex of arbitrary bytes, and back (nullopt on odd length or a non-hex digit; either
// case is read). to_hex_upper is for formats that print uppercase (minisign's key ids).
std::string to_hex(std::string_view bytes);
std::string to_hex_upper(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);

}  // namespace auditorium

template <>
struct std::hash<auditorium::Id> {
    std::size_t operator()(const auditorium::Id& id) const noexcept {
        std::uint64_t a;
        std::uint64_t b;
        std::memcpy(&a, id.bytes().data(), 8);
        std::memcpy(&b, id.bytes().data() + 8, 8);
        return static_cast<std::size_t>(a ^ (b * 0x9E3779B97F4A7C15ull));
    }
};
