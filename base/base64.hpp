// Base64 as RFC 4648 section 4 spells it (the standard alphabet, '=' padding), on libsodium's
// sodium_bin2base64 / sodium_base642bin with sodium_base64_VARIANT_ORIGINAL. Used by the exports
// ("entry" and {"base64": ...} fields) and by minisign's key and signature lines.
//
// Decoding is strict, so one byte string has exactly one accepted text: padding is required, the
// pad bits must be zero, and whitespace or any other character is refused.
// Pure functions; thread-safe (libsodium's codecs keep no state and need no sodium_init).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace auditorium {

std::string base64_encode(std::string_view bytes);

// The bytes `text` encodes. InvalidArgument when it is not canonical base64 (the message names
// the offending byte, the length or the padding), or when `expected_size` is given and the bytes
// are another size ("decodes to N bytes; expected M"). Callers that read stored or received
// data re-wrap the status with their own code and context.
Result<std::string> base64_decode(std::string_view text,
                                  std::optional<std::size_t> expected_size = {});

}  // namespace auditorium
