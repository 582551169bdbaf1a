// The JSON form of a signed tree head, as `auditorium ledger tree-head` prints it and
// `ledger verify --previous-tree-head FILE` reads it back:
//   {"format":"auditorium/tree-head/v1","store_id":"<32 hex>","size":N,"root":"<64 hex>",
//    "time_us":N,"time":"<RFC 3339 UTC>","key_id":"<16 hex>","dev":false,"signature":"<128 hex>"}
// "time" is for people; "time_us" is what is signed.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "eventstore/tree_head.hpp"

namespace auditorium::eventstore {

std::string tree_head_to_json(const SignedTreeHead& head);
// InvalidArgument naming the field at fault.
Result<SignedTreeHead> tree_head_from_json(std::string_view json);

// "2026-11-28T01:02:03.456789Z"
std::string rfc3339(std::int64_t time_us);

}  // namespace auditorium::eventstore
