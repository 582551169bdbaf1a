#include "eventstore/internal/store_records.hpp"

#include <boost/json.hpp>

#include <cstring>

namespace auditorium::eventstore::internal::store_records {
namespace json = boost::json;
namespace {

// Fields are read with their kinds checked, so a malformed record is Corruption, never a throw.
Result<const json::value*> field(const json::object& o, std::string_view name, std::string_view record) {
    const json::value* v = o.if_contains(name);
    if (v == nullptr) return corruption(std::string(record) + ": field " + std::string(name) + " is missing");
    return v;
}

Result<std::int64_t> int_field(const json::object& o, std::string_view name, std::string_view record) {
    AUD_ASSIGN_OR_RETURN(const json::value* v, field(o, name, record));
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v->get_uint64());
    }
    return corruption(std::string(record) + ": field " + std::string(name) + " is not an integer");
}

Result<std::uint64_t> count_field(const json::object& o, std::string_view name, std::string_view record) {
    AUD_ASSIGN_OR_RETURN(std::int64_t v, int_field(o, name, record));
    if (v < 0) return corruption(std::string(record) + ": field " + std::string(name) + " is negative");
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

Result<json::object> parse_object(std::string_view clear, std::string_view record) {
    boost::system::error_code ec;
    json::value v = json::parse(json::string_view(clear.data(), clear.size()), ec);
    if (ec || !v.is_object()) return corruption(std::string(record) + ": not a JSON object");
    return std::move(v.as_object());
}

Result<AnnouncedKey> key_of(const json::object& o, std::string_view id_field, std::string_view key_field,
                            std::string_view record) {
    AUD_ASSIGN_OR_RETURN(std::string id, hex_field(o, id_field, 8, record));
    AnnouncedKey k;
    std::memcpy(k.id.data(), id.data(), 8);
    AUD_ASSIGN_OR_RETURN(k.public_key, hex_field(o, key_field, 32, record));
    return k;
}

}  // namespace

void tag_invoke(const json::value_from_tag&, json::value& v, const AnnouncedKey& k) {
    v = {{"key_id", signing_key_id_hex(k.id)}, {"public_key", to_hex(k.public_key)}};
}
void tag_invoke(const json::value_from_tag&, json::value& v, const Settings& s) {
    v = {{"retention_us", s.retention_us}, {"dev", s.dev}, {"signing_keys", json::value_from(s.signing_keys)},
         {"reason", s.reason}};
}
void tag_invoke(const json::value_from_tag&, json::value& v, const PurgedRange& r) {
    v = {{"first", r.first}, {"last", r.last}, {"last_recorded_at_us", r.last_recorded_at_us}};
}
void tag_invoke(const json::value_from_tag&, json::value& v, const Purge& p) {
    v = {{"cutoff_us", p.cutoff_us},
         {"entries_purged", p.entries_purged},
         {"snapshots_appended", p.snapshots_appended},
         {"entries_held", p.entries_held},
         {"retention_keys_destroyed", p.retention_keys_destroyed},
         {"ranges", json::value_from(p.ranges)}};
}

std::string hold_stream(const Id& subject) { return "hold-" + subject.hex(); }

std::string encode_settings(const Settings& s) { return json::serialize(json::value_from(s)); }

Result<Settings> decode_settings(std::string_view clear) {
    constexpr std::string_view what = "store.settings record";
    AUD_ASSIGN_OR_RETURN(json::object o, parse_object(clear, what));
    Settings s;
    AUD_ASSIGN_OR_RETURN(s.retention_us, int_field(o, "retention_us", what));
    AUD_ASSIGN_OR_RETURN(const json::value* dev, field(o, "dev", what));
    if (!dev->is_bool()) return corruption(std::string(what) + ": field dev is not a boolean");
    s.dev = dev->get_bool();
    AUD_ASSIGN_OR_RETURN(const json::value* keys, field(o, "signing_keys", what));
    if (!keys->is_array()) return corruption(std::string(what) + ": field signing_keys is not an array");
    for (const json::value& k : keys->get_array()) {
        if (!k.is_object()) return corruption(std::string(what) + ": a signing key is not an object");
        AUD_ASSIGN_OR_RETURN(auto key, key_of(k.get_object(), "key_id", "public_key", what));
        s.signing_keys.push_back(std::move(key));
    }
    if (const json::value* r = o.if_contains("reason"); r != nullptr && r->is_string()) {
        s.reason = std::string(r->get_string());
    }
    return s;
}

Result<AnnouncedKey> decode_signing_key_rotated(std::string_view clear) {
    constexpr std::string_view what = "store.signing_key_rotated record";
    AUD_ASSIGN_OR_RETURN(json::object o, parse_object(clear, what));
    return key_of(o, "new_key_id", "new_public_key", what);
}

std::string encode_purge(const Purge& p) { return json::serialize(json::value_from(p)); }

Result<Purge> decode_purge(std::string_view clear) {
    constexpr std::string_view what = "store.purged record";
    AUD_ASSIGN_OR_RETURN(json::object o, parse_object(clear, what));
    Purge p;
    AUD_ASSIGN_OR_RETURN(p.cutoff_us, int_field(o, "cutoff_us", what));
    AUD_ASSIGN_OR_RETURN(p.entries_purged, count_field(o, "entries_purged", what));
    AUD_ASSIGN_OR_RETURN(p.snapshots_appended, count_field(o, "snapshots_appended", what));
    AUD_ASSIGN_OR_RETURN(p.entries_held, count_field(o, "entries_held", what));
    AUD_ASSIGN_OR_RETURN(p.retention_keys_destroyed, count_field(o, "retention_keys_destroyed", what));
    const json::value* ranges = o.if_contains("ranges");
    p.has_ranges = ranges != nullptr;  // absent: written before purges listed them
    if (ranges == nullptr) return p;
    if (!ranges->is_array()) return corruption(std::string(what) + ": field ranges is not an array");
    for (const json::value& r : ranges->get_array()) {
        if (!r.is_object()) return corruption(std::string(what) + ": a range is not an object");
        PurgedRange range;
        AUD_ASSIGN_OR_RETURN(range.first, count_field(r.get_object(), "first", what));
        AUD_ASSIGN_OR_RETURN(range.last, count_field(r.get_object(), "last", what));
        AUD_ASSIGN_OR_RETURN(range.last_recorded_at_us, int_field(r.get_object(), "last_recorded_at_us", what));
        if (range.first == 0 || range.last < range.first) {
            return corruption(std::string(what) + ": an empty or reversed range");
        }
        if (!p.ranges.empty() && range.first <= p.ranges.back().last) {
            return corruption(std::string(what) + ": ranges overlap or are out of order");
        }
        p.ranges.push_back(range);
    }
    return p;
}

}  // namespace auditorium::eventstore::internal::store_records
