#include "eventstore/store_records.hpp"

#include <boost/json.hpp>

#include "eventstore/internal/record_json.hpp"

namespace auditorium::eventstore::store_records {
namespace json = boost::json;
using namespace internal::record_json;

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

std::string encode_purge(const Purge& p) { return json::serialize(json::value_from(p)); }

Result<Purge> decode_purge(std::string_view clear) {
    constexpr std::string_view what = "store.purged record";
    AUD_ASSIGN_OR_RETURN(json::object o, parse_object(clear, what));
    Purge p;
    AUD_ASSIGN_OR_RETURN(p.cutoff_us, int_field(o, "cutoff_us", what));
    AUD_ASSIGN_OR_RETURN(p.entries_purged, count_field(o, "entries_purged", what));
    AUD_ASSIGN_OR_RETURN(p.snapshots_appended, count_field(o, "snapshots_appended", what));
    AUD_ASSIGN_OR_RETURN(p.entries_held, count_field(o, "entries_held", what));
    AUD_ASSIGN_OR_RETURN(p.retention_keys_destroyed,
                         count_field(o, "retention_keys_destroyed", what));
    const json::value* ranges = o.if_contains("ranges");
    p.has_ranges = ranges != nullptr;  // absent: written before purges listed them
    if (ranges == nullptr) return p;
    if (!ranges->is_array())
        return corruption(std::string(what) + ": field ranges is not an array");
    for (const json::value& r : ranges->get_array()) {
        if (!r.is_object()) return corruption(std::string(what) + ": a range is not an object");
        PurgedRange range;
        AUD_ASSIGN_OR_RETURN(range.first, count_field(r.get_object(), "first", what));
        AUD_ASSIGN_OR_RETURN(range.last, count_field(r.get_object(), "last", what));
        AUD_ASSIGN_OR_RETURN(range.last_recorded_at_us,
                             int_field(r.get_object(), "last_recorded_at_us", what));
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

}  // namespace auditorium::eventstore::store_records
