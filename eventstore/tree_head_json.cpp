#include "eventstore/tree_head_json.hpp"

#include <boost/json.hpp>
#include <cstring>
#include <ctime>

namespace auditorium::eventstore {
namespace json = boost::json;

std::string rfc3339(std::int64_t time_us) {
    const std::time_t seconds = static_cast<std::time_t>(time_us / 1'000'000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buf[40];
    const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%06lldZ", static_cast<long long>(time_us % 1'000'000));
    return std::string(buf, n) + frac;
}

std::string tree_head_to_json(const SignedTreeHead& h) {
    json::object o;
    o["format"] = "auditorium/tree-head/v1";
    o["store_id"] = h.store_id.hex();
    o["size"] = h.size;
    o["root"] = to_hex(h.root);
    o["time_us"] = h.time_us;
    o["time"] = rfc3339(h.time_us);
    o["key_id"] = signing_key_id_hex(h.key_id);
    o["dev"] = h.dev;
    o["signature"] = to_hex(h.signature);
    return json::serialize(o);
}

namespace {

Result<std::string> hex_field(const json::object& o, std::string_view name, std::size_t bytes) {
    const auto* v = o.if_contains(name);
    if (v == nullptr || !v->is_string()) {
        return invalid_argument(std::string(name) + ": missing or not a string");
    }
    auto raw = from_hex(std::string_view(v->as_string()));
    if (!raw || raw->size() != bytes) {
        return invalid_argument(std::string(name) + ": expected " + std::to_string(2 * bytes) +
                                " hex digits");
    }
    return *raw;
}

Result<std::int64_t> int_field(const json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (v == nullptr) return invalid_argument(std::string(name) + ": missing");
    if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
    if (v->is_int64() && v->as_int64() >= 0) return v->as_int64();
    return invalid_argument(std::string(name) + ": expected a non-negative integer");
}

}  // namespace

Result<SignedTreeHead> tree_head_from_json(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return invalid_argument("tree head: not a JSON object");
    const json::object& o = v.as_object();
    const auto* format = o.if_contains("format");
    if (format == nullptr || !format->is_string() ||
        format->as_string() != "auditorium/tree-head/v1") {
        return invalid_argument("format: expected \"auditorium/tree-head/v1\"");
    }
    SignedTreeHead h;
    AUD_ASSIGN_OR_RETURN(std::string store_id, hex_field(o, "store_id", 16));
    h.store_id = *Id::from_bytes(store_id);
    AUD_ASSIGN_OR_RETURN(std::int64_t size, int_field(o, "size"));
    h.size = static_cast<std::uint64_t>(size);
    AUD_ASSIGN_OR_RETURN(h.root, hex_field(o, "root", 32));
    AUD_ASSIGN_OR_RETURN(h.time_us, int_field(o, "time_us"));
    AUD_ASSIGN_OR_RETURN(std::string key_id, hex_field(o, "key_id", 8));
    std::memcpy(h.key_id.data(), key_id.data(), 8);
    const auto* dev = o.if_contains("dev");
    if (dev == nullptr || !dev->is_bool()) return invalid_argument("dev: missing or not a boolean");
    h.dev = dev->as_bool();
    AUD_ASSIGN_OR_RETURN(h.signature, hex_field(o, "signature", 64));
    return h;
}

}  // namespace auditorium::eventstore
