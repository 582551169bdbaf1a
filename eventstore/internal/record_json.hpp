// Reading the JSON clear parts of the store's own records (store_records.hpp, both the public and
// the internal one): every field is read with its kind checked, so a malformed record is
// Corruption naming the record and the field, never a throw. Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace auditorium::eventstore::internal::record_json {

// `record` names the record in messages ("store.purged record").
Result<boost::json::object> parse_object(std::string_view clear, std::string_view record);
Result<const boost::json::value*> field(const boost::json::object& o, std::string_view name,
                                        std::string_view record);
Result<std::int64_t> int_field(const boost::json::object& o, std::string_view name,
                               std::string_view record);
// A non-negative integer.
Result<std::uint64_t> count_field(const boost::json::object& o, std::string_view name,
                                  std::string_view record);
// A hex string of exactly `bytes` bytes, decoded.
Result<std::string> hex_field(const boost::json::object& o, std::string_view name,
                              std::size_t bytes, std::string_view record);

}  // namespace auditorium::eventstore::internal::record_json
