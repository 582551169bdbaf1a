// The fold: one ledger entry into every read model (read_models.hpp), through a batch. The rows'
// bytes are in internal/row_codec.hpp, internal/grants.hpp and internal/audit_index.hpp.
#include <algorithm>
#include <optional>

#include "base/overloaded.hpp"
#include "domain/event_codec.hpp"
#include "domain/streams.hpp"
#include "eventstore/store_records.hpp"
#include "projections/internal/audit_index.hpp"
#include "projections/internal/grants.hpp"
#include "projections/internal/row_codec.hpp"
#include "projections/read_models.hpp"
#include "projections/stored_event.hpp"

namespace auditorium::projections {
namespace {

using namespace internal;
using domain::RegistrationEvent;
using domain::SessionEvent;
using domain::WebinarEvent;
using domain::WorkspaceEvent;
using eventstore::Entry;

// The registration's own types; the e-mail reservations share the "registration." prefix and no
// model folds them.
bool is_registration(std::string_view type) {
    using namespace domain::event_types;
    return type == kRegistered.name || type == kRegistrationCanceled.name ||
           type == kRegistrationSnapshot.name;
}

// Folds one entry: the audit index always, then the model its type belongs to. Lives for one call
// of fold(); all references are the caller's.
class Folder {
public:
    Folder(eventstore::Log& ledger, eventstore::PrivacyKeys& keys, const Entry& entry,
           ModelStore::Batch& batch)
        : ledger_(ledger), keys_(keys), entry_(entry), batch_(batch) {}

    Status run() {
        AUD_RETURN_IF_ERROR(index_entry(entry_, batch_));
        const std::string_view type = entry_.type;
        const domain::StoredEvent stored = stored_event(entry_);
        if (type.starts_with("workspace.")) {
            AUD_ASSIGN_OR_RETURN(auto e, domain::decode_workspace_event(stored));
            return on_workspace(e);
        }
        if (type.starts_with("webinar.")) {
            AUD_ASSIGN_OR_RETURN(auto e, domain::decode_webinar_event(stored));
            return on_webinar(e);
        }
        if (type.starts_with("session.")) {
            AUD_ASSIGN_OR_RETURN(auto e, domain::decode_session_event(stored));
            return on_session(e);
        }
        if (is_registration(type)) {
            AUD_ASSIGN_OR_RETURN(auto e, domain::decode_registration_event(stored));
            return on_registration(e);
        }
        if (type == eventstore::store_records::kErasureType)
            return batch_.erase_subject(entry_.subject);
        if (type == eventstore::store_records::kPurgedType)
            return unindex_purged(ledger_, entry_, batch_);
        return Status::ok();
    }

private:
    // ---- workspaces ----
    Status on_workspace(const WorkspaceEvent& e) {
        const Id ws = domain::id_in_stream(entry_.stream, domain::kWorkspaceStreamType);
        if (ws.is_none())
            return corruption("a workspace event outside a workspace stream: " + entry_.stream);
        AUD_ASSIGN_OR_RETURN(auto row, batch_.get(kMembers, key('w', ws)));
        domain::WorkspaceState state;
        if (row) {
            AUD_ASSIGN_OR_RETURN(state, workspace_from(row->clear));
        }
        state = domain::evolve(std::move(state), e);
        batch_.put(kMembers, key('w', ws), state_bytes(state));
        return Status::ok();
    }

    // ---- webinars ----
    Status on_webinar(const WebinarEvent& e) {
        const Id webinar = domain::id_in_stream(entry_.stream, domain::kWebinarStreamType);
        if (webinar.is_none())
            return corruption("a webinar event outside a webinar stream: " + entry_.stream);
        AUD_ASSIGN_OR_RETURN(auto state, webinar_state(webinar));
        domain::WebinarState next = domain::evolve(state.value_or(domain::WebinarState{}), e);
        if (next.workspace.is_none())
            return corruption("a webinar without its workspace: " + entry_.stream);
        batch_.put(kCatalog, key('w', next.workspace, webinar), state_bytes(next));
        batch_.put(kCatalog, key('x', webinar), std::string(next.workspace.view()));
        // The grants of its sessions follow its team, guests and replay switch.
        std::vector<Id> sessions;
        AUD_RETURN_IF_ERROR(
            batch_.scan(kRegistrationPages, key('s', webinar), [&](std::string_view k, const Row&) {
                sessions.push_back(*Id::from_bytes(k.substr(17, 16)));
                return true;
            }));
        for (const auto& s : sessions) {
            AUD_ASSIGN_OR_RETURN(auto row, batch_.get(kRooms, key('s', s)));
            if (!row) continue;
            AUD_ASSIGN_OR_RETURN(auto session, session_from(row->clear));
            put_grant(next, session);
        }
        return Status::ok();
    }

    Result<std::optional<domain::WebinarState>> webinar_state(const Id& webinar) {
        AUD_ASSIGN_OR_RETURN(auto ws, batch_.get(kCatalog, key('x', webinar)));
        if (!ws) return std::optional<domain::WebinarState>();
        AUD_ASSIGN_OR_RETURN(auto row,
                             batch_.get(kCatalog, key('w', *Id::from_bytes(ws->clear), webinar)));
        if (!row) return corruption("the catalog indexes a webinar it does not hold");
        AUD_ASSIGN_OR_RETURN(auto state, webinar_from(row->clear));
        return std::optional<domain::WebinarState>(std::move(state));
    }

    // ---- sessions ----
    Status on_session(const SessionEvent& e) {
        const Id session = domain::id_in_stream(entry_.stream, domain::kSessionStreamType);
        if (session.is_none())
            return corruption("a session event outside a session stream: " + entry_.stream);
        AUD_ASSIGN_OR_RETURN(auto row, batch_.get(kRooms, key('s', session)));
        domain::SessionState state;
        if (row) {
            AUD_ASSIGN_OR_RETURN(state, session_from(row->clear));
        }
        const auto due_before = due_key(session, state);
        state = domain::evolve(std::move(state), e);
        const std::string bytes = state_bytes(state);
        batch_.put(kRooms, key('s', session), bytes);
        if (const auto due = due_key(session, state); due != due_before) {
            if (due_before) batch_.remove(kRooms, *due_before);
            if (due) batch_.put(kRooms, *due, "");
        }
        batch_.put(kRegistrationPages, key('s', state.webinar, session), bytes);
        AUD_ASSIGN_OR_RETURN(auto webinar, webinar_state(state.webinar));
        put_grant(webinar.value_or(domain::WebinarState{}), state);
        return Status::ok();
    }

    void put_grant(const domain::WebinarState& webinar, const domain::SessionState& session) {
        batch_.put(kMediaGrants, key('g', session.id), grant_bytes(webinar, session));
    }

    // ---- registrations ----
    Status on_registration(const RegistrationEvent& e) {
        const Id id = domain::id_in_stream(entry_.stream, domain::kRegistrationStreamType);
        if (id.is_none())
            return corruption("a registration event outside a registration stream: " +
                              entry_.stream);
        Id session;
        std::visit(
            Overloaded{
                [&](const domain::Registered& r) { session = r.session; },
                [&](const domain::RegistrationSnapshotted& s) { session = s.registered.session; },
                [&](const domain::RegistrationCanceled&) {},
            },
            e);
        if (session.is_none()) {
            // A cancellation names no session: the registration's own stream does (cancellations
            // are rare, so no index of registrations is kept for them).
            AUD_ASSIGN_OR_RETURN(session, session_of_registration());
            if (session.is_none()) return Status::ok();  // a cancellation of nothing known
        }
        const std::string row_key = key('r', session, id);
        std::optional<RegistrationRow> before;
        // A registration's row comes from its own stream: before the stream's first event there is
        // none to read (half of all entries are registrations; the lookup would miss every time).
        std::optional<Row> row;
        if (entry_.version > 1) {
            AUD_ASSIGN_OR_RETURN(row, batch_.get(kRegistrations, row_key));
        }
        if (row) {
            AUD_ASSIGN_OR_RETURN(auto open, open_row(keys_, kRegistrations, row_key, *row));
            AUD_ASSIGN_OR_RETURN(before, registration_from(open.clear, open.personal));
        }
        std::optional<RegistrationRow> after = before;
        std::visit(Overloaded{
                       [&](const domain::Registered& r) {
                           after = RegistrationRow{r, false};
                       },
                       [&](const domain::RegistrationSnapshotted& s) {
                           after = RegistrationRow{s.registered, s.canceled};
                       },
                       [&](const domain::RegistrationCanceled&) {
                           if (after) after->canceled = true;
                       },
                   },
                   e);
        if (!after) return Status::ok();
        std::string clear(1, after->canceled ? 1 : 0);
        const auto encoded = domain::encode(RegistrationEvent{after->registered});
        clear += encoded.clear;
        if (!after->registered.erased && encoded.personal) {
            AUD_ASSIGN_OR_RETURN(auto dependents, credentials(session, id, after->registered));
            AUD_RETURN_IF_ERROR(batch_.put_personal(kRegistrations, row_key, clear,
                                                    after->registered.person, *encoded.personal,
                                                    dependents));
        } else {
            batch_.put(kRegistrations, row_key, clear);
        }
        return count(session, before, *after);
    }

    Result<Id> session_of_registration() {
        for (eventstore::StreamVersion from = 1;;) {
            AUD_ASSIGN_OR_RETURN(
                auto page,
                ledger_.read_stream(entry_.stream, from, eventstore::Log::Direction::kForward, 16));
            for (const auto& e : page) {
                if (e.purged || e.type == domain::event_types::kRegistrationCanceled.name) continue;
                AUD_ASSIGN_OR_RETURN(auto event,
                                     domain::decode_registration_event(stored_event(e)));
                if (const auto* r = std::get_if<domain::Registered>(&event)) return r->session;
                if (const auto* s = std::get_if<domain::RegistrationSnapshotted>(&event))
                    return s->registered.session;
            }
            if (page.size() < 16) return Id();
            from = page.back().version + 1;
        }
    }

    Status count(const Id& session, const std::optional<RegistrationRow>& before,
                 const RegistrationRow& after) {
        const int was = !before ? 0 : (before->canceled ? 2 : 1);
        const int is = after.canceled ? 2 : 1;
        if (was == is) return Status::ok();
        AUD_ASSIGN_OR_RETURN(auto row, batch_.get(kRegistrations, key('n', session)));
        SessionCounts n;
        if (row) {
            AUD_ASSIGN_OR_RETURN(n, counts_from(*row));
        }
        if (was == 1) --n.registered;
        if (was == 2) --n.canceled;
        if (is == 1) ++n.registered;
        if (is == 2) ++n.canceled;
        batch_.put(kRegistrations, key('n', session), counts_bytes(n));
        return Status::ok();
    }

    // The room finds a registrant by the link's secret or by their address; neither is kept in
    // clear, and both rows go with the person's data at their erasure.
    Result<std::vector<ModelStore::Batch::Dependent>> credentials(const Id& session, const Id& id,
                                                                  const domain::Registered& r) {
        std::vector<ModelStore::Batch::Dependent> rows;
        if (!r.link_token.empty()) {
            rows.push_back(
                {kRooms, key('l', session, link_index(r.link_token)), std::string(id.view())});
        }
        if (!r.email.empty()) {
            AUD_ASSIGN_OR_RETURN(auto blind, keys_.blind_index(domain::kEmailBlindIndexPurpose,
                                                               domain::normalized_email(r.email)));
            rows.push_back({kRooms, key('k', session, blind), std::string(id.view())});
        }
        return rows;
    }

    eventstore::Log& ledger_;
    eventstore::PrivacyKeys& keys_;
    const Entry& entry_;
    ModelStore::Batch& batch_;
};

}  // namespace

Status fold(eventstore::Log& ledger, eventstore::PrivacyKeys& keys, const Entry& entry,
            ModelStore::Batch& batch) {
    if (entry.purged) return Status::ok();
    Status s = Folder(ledger, keys, entry, batch).run();
    if (!s.is_ok()) return s.with_context("folding position " + std::to_string(entry.position));
    return s;
}

}  // namespace auditorium::projections
