#include "eventstore/internal/store_records.hpp"

#include <boost/json.hpp>

#include <cstring>

#include "eventstore/internal/record_json.hpp"

namespace auditorium::eventstore::internal::store_records {
namespace json = boost::json;
using namespace record_json;
namespace {

Result<AnnouncedKey> key_of(const json::object& o, std::string_view id_field,
                            std::string_view key_field, std::string_view record) {
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
    v = {{"retention_us", s.retention_us},
         {"dev", s.dev},
         {"signing_keys", json::value_from(s.signing_keys)},
         {"reason", s.reason}};
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
    if (!keys->is_array())
        return corruption(std::string(what) + ": field signing_keys is not an array");
    for (const json::value& k : keys->get_array()) {
        if (!k.is_object())
            return corruption(std::string(what) + ": a signing key is not an object");
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

}  // namespace auditorium::eventstore::internal::store_records
