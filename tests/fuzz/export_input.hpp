// fuzz_export_reader's input layout, shared with the seed generator (make_seeds.cpp):
//   flags (1 byte) || body || kExportSeparator || minisig || key
// flags bit 0 (kExportKeyPinned): a key is pinned, taken from the end of the input: 32 bytes, or
// with bit 1 (kExportKeySized) also set, (flags >> 2) bytes (0..63). Without bit 0 no key is
// pinned. Without a separator, all is body and the .minisig is empty.
#pragma once

#include <cstdint>
#include <string_view>

namespace auditorium::fuzz {

// NUL bytes occur in neither a JSONL body nor a .minisig.
inline constexpr char kExportSeparatorText[] = "\0\xff=minisig=\xff\0";
inline constexpr std::string_view kExportSeparator{kExportSeparatorText,
                                                   sizeof kExportSeparatorText - 1};

inline constexpr std::uint8_t kExportKeyPinned = 1;
inline constexpr std::uint8_t kExportKeySized = 2;

}  // namespace auditorium::fuzz
