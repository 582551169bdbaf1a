#include "projections/read_models.hpp"

#include <algorithm>
#include <functional>
#include <optional>

#include "base/big_endian.hpp"
#include "domain/streams.hpp"
#include "projections/internal/grants.hpp"
#include "projections/internal/row_codec.hpp"

namespace auditorium::projections {

using namespace internal;

// ---- reads ----

Result<std::optional<domain::WorkspaceState>> ReadModels::workspace(const Id& workspace) const {
    AUD_ASSIGN_OR_RETURN(auto row, models_.get(kMembers, key('w', workspace)));
    if (!row) return std::optional<domain::WorkspaceState>();
    AUD_ASSIGN_OR_RETURN(auto state, workspace_from(row->clear));
    if (state.deleted) return std::optional<domain::WorkspaceState>();
    return std::optional<domain::WorkspaceState>(std::move(state));
}

Result<std::vector<domain::WebinarState>> ReadModels::webinars(const Id& workspace) const {
    std::vector<domain::WebinarState> out;
    Status failed = Status::ok();
    AUD_RETURN_IF_ERROR(
        models_.scan(kCatalog, key('w', workspace), [&](std::string_view, const Row& row) {
            auto state = webinar_from(row.clear);
            if (!state) {
                failed = state.status();
                return false;
            }
            if (!state->deleted) out.push_back(std::move(state).value());
            return true;
        }));
    AUD_RETURN_IF_ERROR(failed);
    return out;
}

Result<std::optional<domain::WebinarState>> ReadModels::webinar(const Id& workspace,
                                                                const Id& webinar) const {
    AUD_ASSIGN_OR_RETURN(auto row, models_.get(kCatalog, key('w', workspace, webinar)));
    if (!row) return std::optional<domain::WebinarState>();
    AUD_ASSIGN_OR_RETURN(auto state, webinar_from(row->clear));
    if (state.deleted) return std::optional<domain::WebinarState>();
    return std::optional<domain::WebinarState>(std::move(state));
}

Result<std::optional<domain::WebinarState>> ReadModels::webinar_any(const Id& webinar) const {
    AUD_ASSIGN_OR_RETURN(auto ws, models_.get(kCatalog, key('x', webinar)));
    if (!ws) return std::optional<domain::WebinarState>();
    return this->webinar(*Id::from_bytes(ws->clear), webinar);
}

Result<std::optional<std::vector<domain::WebinarState>>> ReadModels::company_page(
    const Id& workspace) const {
    using Page = std::optional<std::vector<domain::WebinarState>>;
    AUD_ASSIGN_OR_RETURN(auto ws, this->workspace(workspace));
    if (!ws || !ws->company_page_enabled) return Page();
    AUD_ASSIGN_OR_RETURN(auto all, webinars(workspace));
    std::vector<domain::WebinarState> listed;
    for (auto& w : all) {
        if (w.published && w.settings.is_public) listed.push_back(std::move(w));
    }
    return Page(std::move(listed));
}

Result<std::optional<RegistrationPage>> ReadModels::registration_page(const Id& webinar) const {
    AUD_ASSIGN_OR_RETURN(auto w, webinar_any(webinar));
    if (!w || !w->published || !w->settings.is_public || !w->settings.registration_page_enabled) {
        return std::optional<RegistrationPage>();
    }
    AUD_ASSIGN_OR_RETURN(auto ws, workspace(w->workspace));
    if (!ws) return std::optional<RegistrationPage>();
    RegistrationPage page{*w, {}};
    Status failed = Status::ok();
    AUD_RETURN_IF_ERROR(
        models_.scan(kRegistrationPages, key('s', webinar), [&](std::string_view, const Row& row) {
            auto s = session_from(row.clear);
            if (!s) {
                failed = s.status();
                return false;
            }
            using domain::SessionStatus;
            const bool open = s->status == SessionStatus::kUpcoming ||
                              s->status == SessionStatus::kLive ||
                              s->status == SessionStatus::kOnDemand;
            if (open && !s->deleted) page.sessions.push_back(std::move(s).value());
            return true;
        }));
    AUD_RETURN_IF_ERROR(failed);
    return std::optional<RegistrationPage>(std::move(page));
}

Result<std::vector<Id>> ReadModels::due_sessions(std::int64_t until_us) const {
    std::vector<Id> out;
    bool malformed = false;
    const std::string last = be64(static_cast<std::uint64_t>(std::max<std::int64_t>(0, until_us)));
    AUD_RETURN_IF_ERROR(models_.scan(kRooms, "u", [&](std::string_view k, const Row&) {
        malformed = k.size() != 1 + 8 + 16;
        if (malformed || k.substr(1, 8) > last) return false;
        out.push_back(*Id::from_bytes(k.substr(9)));
        return true;
    }));
    if (malformed)
        return corruption("a malformed row in the rooms model's index of sessions falling due");
    return out;
}

Result<std::optional<domain::SessionState>> ReadModels::session_any(const Id& session) const {
    AUD_ASSIGN_OR_RETURN(auto row, models_.get(kRooms, key('s', session)));
    if (!row) return std::optional<domain::SessionState>();
    AUD_ASSIGN_OR_RETURN(auto state, session_from(row->clear));
    if (state.deleted) return std::optional<domain::SessionState>();
    return std::optional<domain::SessionState>(std::move(state));
}

Result<std::optional<domain::SessionState>> ReadModels::session(const Id& workspace,
                                                                const Id& session) const {
    AUD_ASSIGN_OR_RETURN(auto s, session_any(session));
    if (!s || s->workspace != workspace) return std::optional<domain::SessionState>();
    return s;
}

Result<std::vector<RegistrationRow>> ReadModels::registrations(const Id& workspace,
                                                               const Id& session) const {
    std::vector<RegistrationRow> out;
    AUD_ASSIGN_OR_RETURN(auto s, this->session(workspace, session));
    if (!s) return out;
    Status failed = Status::ok();
    AUD_RETURN_IF_ERROR(
        models_.scan(kRegistrations, key('r', session), [&](std::string_view k, const Row& row) {
            auto open = open_row(keys_, kRegistrations, k, row);
            auto r = open ? registration_from(open->clear, open->personal)
                          : Result<RegistrationRow>(open.status());
            if (!r) {
                failed = r.status();
                return false;
            }
            out.push_back(std::move(r).value());
            return true;
        }));
    AUD_RETURN_IF_ERROR(failed);
    return out;
}

Result<std::optional<SessionCounts>> ReadModels::counts(const Id& workspace,
                                                        const Id& session) const {
    AUD_ASSIGN_OR_RETURN(auto s, this->session(workspace, session));
    if (!s) return std::optional<SessionCounts>();
    AUD_ASSIGN_OR_RETURN(auto row, models_.get(kRegistrations, key('n', session)));
    if (!row) return std::optional<SessionCounts>(SessionCounts{});
    AUD_ASSIGN_OR_RETURN(auto counts, counts_from(*row));
    return std::optional<SessionCounts>(counts);
}

namespace {
Result<std::optional<domain::RegistrationState>> registrant_state(
    const ModelStore& models, eventstore::PrivacyKeys& keys, const Id& session, const Row& index,
    const std::function<bool(const domain::Registered&)>& check) {
    using Out = std::optional<domain::RegistrationState>;
    const std::string k = key('r', session, index.clear);
    AUD_ASSIGN_OR_RETURN(auto row, models.get(kRegistrations, k));
    if (!row) return Out();
    AUD_ASSIGN_OR_RETURN(auto open, open_row(keys, kRegistrations, k, *row));
    AUD_ASSIGN_OR_RETURN(auto r, registration_from(open.clear, open.personal));
    if (!check(r.registered)) return Out();
    return Out(domain::RegistrationState{true, r.canceled, r.registered.registration,
                                         r.registered.person, r.registered.session});
}
}  // namespace

Result<std::optional<domain::RegistrationState>> ReadModels::registrant_by_link(
    const Id& session, std::string_view token) const {
    AUD_ASSIGN_OR_RETURN(auto index, models_.get(kRooms, key('l', session, link_index(token))));
    if (!index) return std::optional<domain::RegistrationState>();
    return registrant_state(models_, keys_, session, *index, [&](const domain::Registered& r) {
        return domain::link_matches(r, token);
    });
}

Result<std::optional<domain::RegistrationState>> ReadModels::registrant_by_email(
    const Id& session, std::string_view email, std::string_view access_key) const {
    AUD_ASSIGN_OR_RETURN(auto blind, keys_.blind_index(domain::kEmailBlindIndexPurpose,
                                                       domain::normalized_email(email)));
    AUD_ASSIGN_OR_RETURN(auto index, models_.get(kRooms, key('k', session, blind)));
    if (!index) return std::optional<domain::RegistrationState>();
    return registrant_state(models_, keys_, session, *index, [&](const domain::Registered& r) {
        return domain::email_and_key_match(r, email, access_key);
    });
}

Result<domain::RoomAccess> ReadModels::admission(const Id& session,
                                                 const domain::Visitor& visitor) const {
    AUD_ASSIGN_OR_RETURN(auto s, session_any(session));
    if (!s) return domain::RoomAccess{};
    AUD_ASSIGN_OR_RETURN(auto w, webinar_any(s->webinar));
    if (!w) return domain::RoomAccess{};
    return domain::admission(*w, *s, visitor);
}

Result<std::optional<MediaGrant>> ReadModels::media_grant(const Id& session) const {
    AUD_ASSIGN_OR_RETURN(auto row, models_.get(kMediaGrants, key('g', session)));
    if (!row) return std::optional<MediaGrant>();
    AUD_ASSIGN_OR_RETURN(auto grant, grant_from(row->clear));
    return std::optional<MediaGrant>(std::move(grant));
}

}  // namespace auditorium::projections
