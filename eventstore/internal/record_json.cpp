#include "eventstore/internal/record_json.hpp"

#include <optional>

#include "base/id.hpp"

namespace auditorium::eventstore::internal::record_json {
namespace json = boost::json;

Result<json::object> parse_object(std::string_view clear, std::string_view record) {
    boost::system::error_code ec;
    json::value v = json::parse(json::string_view(clear.data(), clear.size()), ec);
    if (ec || !v.is_object()) return corruption(std::string(record) + ": not a JSON object");
    return std::move(v.as_object());
}

Result<const json::value*> field(const json::object& o, std::string_view name,
                                 std::string_view record) {
    const json::value* v = o.if_contains(name);
    if (v == nullptr)
        return corruption(std::string(record) + ": field " + std::string(name) + " is missing");
    return v;
}

Result<std::int64_t> int_field(const json::object& o, std::string_view name,
                               std::string_view record) {
    AUD_ASSIGN_OR_RETURN(const json::value* v, field(o, name, record));
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v->get_uint64());
    }
    return corruption(std::string(record) + ": field " + std::string(name) + " is not an integer");
}

Result<std::uint64_t> count_field(const json::object& o, std::string_view name,
                                  std::string_view record) {
    AUD_ASSIGN_OR_RETURN(std::int64_t v, int_field(o, name, record));
    if (v < 0)
        return corruption(std::string(record) + ": field " + std::string(name) + " is negative");
    return static_cast<std::uint64_t>(v);
}

Result<std::string> hex_field(const json::object& o, std::string_view name, std::size_t bytes,
                              std::string_view record) {
    AUD_ASSIGN_OR_RETURN(const json::value* v, field(o, name, record));
    std::optional<std::string> raw;
    if (v->is_string()) raw = from_hex(std::string_view(v->get_string()));
    if (!raw || raw->size() != bytes) {
        return corruption(std::string(record) + ": field " + std::string(name) + " is not " +
                          std::to_string(bytes) + " bytes in hex");
    }
    return *raw;
}

}  // namespace auditorium::eventstore::internal::record_json
