#include "base/id.hpp"

namespace auditorium {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string hex_with(std::string_view bytes, const char (&digits)[17]) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 0xF]);
    }
    return out;
}

}  // namespace

std::string to_hex(std::string_view bytes) { return hex_with(bytes, "0123456789abcdef"); }
std::string to_hex_upper(std::string_view bytes) { return hex_with(bytes, "0123456789ABCDEF"); }

std::optional<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string out(hex.size() / 2, '\0');
    for (std::size_t i = 0; i < out.size(); ++i) {
        int hi = hex_value(hex[2 * i]);
        int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = static_cast<char>((hi << 4) | lo);
    }
    return out;
}

std::optional<Id> Id::from_hex(std::string_view hex) {
    if (hex.size() != 2 * kSize) return std::nullopt;
    auto bytes = auditorium::from_hex(hex);
    if (!bytes) return std::nullopt;
    return from_bytes(*bytes);
}

std::optional<Id> Id::from_bytes(std::string_view bytes) {
    if (bytes.size() != kSize) return std::nullopt;
    Bytes b;
    std::memcpy(b.data(), bytes.data(), kSize);
    return Id(b);
}

std::string Id::hex() const { return to_hex(view()); }

}  // namespace auditorium
