#include "base/base64.hpp"

#include <sodium.h>

namespace auditorium {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;

bool in_alphabet(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

// libsodium says only that decoding failed; this names why, for the caller's message.
std::string why_not_base64(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!in_alphabet(text[i]) && text[i] != '=') {
            return "byte " + std::to_string(i) + " is not a base64 character";
        }
    }
    if (text.size() % 4 != 0)
        return "its length " + std::to_string(text.size()) + " is not a multiple of 4";
    return "its padding is misplaced or its unused bits are not zero";
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    const std::size_t size = sodium_base64_ENCODED_LEN(bytes.size(), kVariant);
    std::string out(size, '\0');
    sodium_bin2base64(out.data(), size, reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), kVariant);
    out.resize(size - 1);  // drop the terminating NUL
    return out;
}

Result<std::string> base64_decode(std::string_view text, std::optional<std::size_t> expected_size) {
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t size = 0;
    // With no `b64_end`, libsodium refuses input it does not consume whole.
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                          text.size(), nullptr, &size, nullptr, kVariant) != 0) {
        return invalid_argument("not valid base64: " + why_not_base64(text));
    }
    if (expected_size && size != *expected_size) {
        return invalid_argument("decodes to " + std::to_string(size) + " bytes; expected " +
                                std::to_string(*expected_size));
    }
    out.resize(size);
    return out;
}

}  // namespace auditorium
