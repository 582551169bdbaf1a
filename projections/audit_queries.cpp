// The audit queries of the read models (read_models.hpp): by actor, by type, by time and by
// subject, over the indexes laid out in internal/audit_index.hpp.
#include <algorithm>

#include "base/big_endian.hpp"
#include "projections/internal/audit_index.hpp"
#include "projections/read_models.hpp"

namespace auditorium::projections {

using namespace internal;
using eventstore::Position;

Result<std::vector<AuditRef>> ReadModels::audit_refs(std::string_view prefix,
                                                     IndexForm form) const {
    std::vector<Position> positions;
    AUD_RETURN_IF_ERROR(models_.scan(kAudit, prefix, [&](std::string_view k, const Row& row) {
        if (form == IndexForm::kKeyPerEntry) {
            if (k.size() == prefix.size() + 8)
                positions.push_back(get_be64(k.substr(prefix.size())));
            return true;
        }
        for (Position p : decode_positions(row.clear)) positions.push_back(p);
        return true;
    }));
    std::vector<AuditRef> out;
    for (Position p : positions) {
        AUD_ASSIGN_OR_RETURN(auto read, ledger_.read_all(p, 1));
        if (read.empty() || read[0].purged) continue;
        out.push_back(AuditRef{p, read[0].recorded_at_us, read[0].type});
    }
    return out;
}

Result<std::vector<AuditRef>> ReadModels::by_actor(const Id& actor) const {
    return audit_refs(actor_prefix(actor), IndexForm::kKeyPerEntry);
}

Result<std::vector<AuditRef>> ReadModels::by_type(std::string_view type) const {
    return audit_refs(type_prefix(type), IndexForm::kPostingLists);
}

Result<std::vector<AuditRef>> ReadModels::between(std::int64_t from_us,
                                                  std::int64_t until_us) const {
    std::vector<AuditRef> out;
    Status bad = Status::ok();
    // Seek to the second `from_us` falls in: a day's audit trail reads that day, not the years
    // before.
    const std::string start = from_us > 0 ? time_bucket(from_us) : std::string();
    const auto visit = [&](std::string_view k, const Row& row) {
        if (k.size() != 9) {
            bad = corruption("a malformed audit time bucket key");
            return false;
        }
        const auto second = static_cast<std::int64_t>(get_be64(k.substr(1)));
        if (second * kSecond >= until_us) return false;
        if ((second + 1) * kSecond <= from_us) return true;
        auto records = decode_records(row.clear);
        if (!records) {
            bad = records.status();
            return false;
        }
        for (auto& r : *records) {
            if (r.time_us >= from_us && r.time_us < until_us)
                out.push_back(AuditRef{r.position, r.time_us, std::move(r.type)});
        }
        return true;
    };
    AUD_RETURN_IF_ERROR(models_.scan(kAudit, "h", visit, start));
    AUD_RETURN_IF_ERROR(bad);
    std::sort(out.begin(), out.end(), [](const AuditRef& a, const AuditRef& b) {
        return a.time_us != b.time_us ? a.time_us < b.time_us : a.position < b.position;
    });
    return out;
}

Result<std::vector<eventstore::Position>> ReadModels::entries_of(const Id& subject) const {
    std::vector<Position> out;
    AUD_RETURN_IF_ERROR(
        models_.scan(kSubjects, subject.view(), [&](std::string_view k, const Row&) {
            if (k.size() == 24) out.push_back(get_be64(k.substr(16)));
            return true;
        }));
    return out;
}

}  // namespace auditorium::projections
