#include "projections/read_models.hpp"

#include <sodium.h>

#include <algorithm>
#include <optional>
#include <set>

#include "base/big_endian.hpp"
#include "base/overloaded.hpp"
#include "domain/event_codec.hpp"
#include "eventstore/store_records.hpp"
#include "projections/stored_event.hpp"

namespace auditorium::projections {
namespace {

using domain::RegistrationEvent;
using domain::SessionEvent;
using domain::WebinarEvent;
using domain::WorkspaceEvent;
using eventstore::Entry;
using eventstore::Position;

// Row keys. Ids are their 16 raw bytes; numbers big-endian, so keys sort by them.
std::string key(char tag, const Id& a) { return tag + std::string(a.view()); }
std::string key(char tag, const Id& a, const Id& b) { return key(tag, a) + std::string(b.view()); }
std::string key(char tag, const Id& a, std::string_view rest) { return key(tag, a) + std::string(rest); }

// The 16-byte index of a room link: the link's secret is 32 random bytes, so a hash of it names
// it without revealing it.
std::string link_index(std::string_view token) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(token.data()), token.size());
    return std::string(reinterpret_cast<const char*>(h), 16);
}

constexpr std::string_view kEmailPurpose = "registration-email";

// The scheduler's index in `rooms`: 'u' BE64(due) session(16) -> (empty), for each upcoming session,
// by when it may be marked past_not_started (domain::not_started_due_us; times before 1970 as 0).
std::optional<std::string> due_key(const Id& session, const domain::SessionState& s) {
    if (!s.exists || s.deleted || s.status != domain::SessionStatus::kUpcoming) return std::nullopt;
    const std::int64_t due = std::max<std::int64_t>(0, domain::not_started_due_us(s));
    return 'u' + be64(static_cast<std::uint64_t>(due)) + std::string(session.view());
}

// States are kept as the domain's own snapshot encoding (canonical: same state, same bytes).
std::string state_bytes(const domain::WorkspaceState& s) {
    return domain::encode(WorkspaceEvent{domain::WorkspaceSnapshotted{s, 0}}).clear;
}
std::string state_bytes(const domain::WebinarState& s) {
    return domain::encode(WebinarEvent{domain::WebinarSnapshotted{s, 0}}).clear;
}
std::string state_bytes(const domain::SessionState& s) {
    return domain::encode(SessionEvent{domain::SessionSnapshotted{s, 0}}).clear;
}

domain::StoredEvent snapshot_of(domain::EventType type, std::string_view bytes) {
    domain::StoredEvent e;
    e.type = type.name;
    e.schema_version = type.version;
    e.clear = bytes;
    return e;
}

template <class State, class Event, class Snapshot, class Decode>
Result<State> state_from(domain::EventType type, std::string_view bytes, Decode decode) {
    AUD_ASSIGN_OR_RETURN(Event e, decode(snapshot_of(type, bytes)));
    if (!std::holds_alternative<Snapshot>(e)) return corruption("a read-model row holds no state");
    return std::get<Snapshot>(e).state;
}

Result<domain::WorkspaceState> workspace_from(std::string_view bytes) {
    return state_from<domain::WorkspaceState, WorkspaceEvent, domain::WorkspaceSnapshotted>(
        domain::event_types::kWorkspaceSnapshot, bytes, domain::decode_workspace_event);
}
Result<domain::WebinarState> webinar_from(std::string_view bytes) {
    return state_from<domain::WebinarState, WebinarEvent, domain::WebinarSnapshotted>(
        domain::event_types::kWebinarSnapshot, bytes, domain::decode_webinar_event);
}
Result<domain::SessionState> session_from(std::string_view bytes) {
    return state_from<domain::SessionState, SessionEvent, domain::SessionSnapshotted>(
        domain::event_types::kSessionSnapshot, bytes, domain::decode_session_event);
}

// A registration row: 1 byte canceled, then the registration's clear encoding; the personal part
// is the registrant's fields in their canonical encoding.
Result<RegistrationRow> registration_from(std::string_view clear, const std::optional<std::string>& personal) {
    if (clear.empty()) return corruption("an empty registration row");
    domain::StoredEvent e;
    e.type = domain::event_types::kRegistered.name;
    e.schema_version = domain::event_types::kRegistered.version;
    e.clear = clear.substr(1);
    if (personal) e.personal = std::string_view(*personal);
    AUD_ASSIGN_OR_RETURN(RegistrationEvent decoded, domain::decode_registration_event(e));
    if (!std::holds_alternative<domain::Registered>(decoded)) return corruption("a registration row holds no registration");
    return RegistrationRow{std::get<domain::Registered>(std::move(decoded)), clear[0] == 1};
}

// A session's counts row in `registrations`: 'n' session(16) -> BE64(registered) BE64(canceled).
Result<SessionCounts> counts_from(const Row& row) {
    if (row.clear.size() != 16) return corruption("a malformed registration counts row");
    return SessionCounts{get_be64(row.clear), get_be64(std::string_view(row.clear).substr(8))};
}

Id id_of_stream(std::string_view stream, std::string_view prefix) {
    if (!stream.starts_with(prefix)) return Id();
    return Id::from_hex(stream.substr(prefix.size())).value_or(Id());
}

// ---- the audit and subject indexes ----
//   audit    'h' BE64(second)                        -> records of the entries of that second
//            't' type 0x00 BE64(position >> 10)        -> BE64 positions of that type
//            'a' actor(16) BE64(position)              -> (empty) an entry by that actor
//   subjects subject(16) BE64(position)                -> (empty) an entry holding their data
// Times and types are posting lists (a batch of a thousand entries touches a few rows, not a
// thousand); actors and subjects are a key per entry, because most of them (registrants) appear
// once or twice: a list would cost a lookup that misses for every new person, a key costs none.
// A record: BE64 position, BE64 time, actor(16), BE64 count, subjects(16 each), type length, type.
constexpr std::int64_t kSecond = 1'000'000;
constexpr int kBucketShift = 10;  // lists of up to 1024 positions (8 KiB)

struct AuditRecord {
    Position position = 0;
    std::int64_t time_us = 0;
    Id actor;
    std::vector<Id> subjects;
    std::string type;
};

std::string time_bucket(std::int64_t time_us) { return 'h' + be64(static_cast<std::uint64_t>(time_us / kSecond)); }
std::string type_bucket(std::string_view type, Position p) {
    return 't' + std::string(type) + '\0' + be64(p >> kBucketShift);
}
std::string actor_key(const Id& actor, Position p) { return key('a', actor, be64(p)); }
std::string subject_key(const Id& subject, Position p) { return std::string(subject.view()) + be64(p); }

std::string encode_record(const AuditRecord& r) {
    std::string out = be64(r.position) + be64(static_cast<std::uint64_t>(r.time_us));
    out.append(r.actor.view());
    out.append(be64(r.subjects.size()));
    for (const auto& s : r.subjects) out.append(s.view());
    out.push_back(static_cast<char>(r.type.size()));
    out.append(r.type);
    return out;
}

Result<std::vector<AuditRecord>> decode_records(std::string_view list) {
    constexpr std::size_t kFixed = 8 + 8 + 16 + 8;  // position, time, actor, subject count
    std::vector<AuditRecord> out;
    while (!list.empty()) {
        if (list.size() < kFixed + 1) return corruption("a malformed audit record");
        AuditRecord r;
        r.position = get_be64(list);
        r.time_us = static_cast<std::int64_t>(get_be64(list.substr(8)));
        r.actor = *Id::from_bytes(list.substr(16, 16));
        const std::uint64_t n = get_be64(list.substr(32));
        if (n > (list.size() - kFixed - 1) / 16) return corruption("a malformed audit record");
        for (std::size_t i = 0; i < n; ++i) r.subjects.push_back(*Id::from_bytes(list.substr(kFixed + 16 * i, 16)));
        const std::size_t type_at = kFixed + 16 * n;
        const std::size_t t = static_cast<unsigned char>(list[type_at]);
        if (list.size() < type_at + 1 + t) return corruption("a malformed audit record");
        r.type = std::string(list.substr(type_at + 1, t));
        list.remove_prefix(type_at + 1 + t);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<Position> decode_positions(std::string_view list) {
    std::vector<Position> out;
    for (std::size_t at = 0; at + 8 <= list.size(); at += 8) out.push_back(get_be64(list.substr(at)));
    return out;
}

// ---- folding ----

// The registration's own types; the e-mail reservations share the "registration." prefix and no
// model folds them.
bool is_registration(std::string_view type) {
    using namespace domain::event_types;
    return type == kRegistered.name || type == kRegistrationCanceled.name || type == kRegistrationSnapshot.name;
}

class Folder {
public:
    Folder(eventstore::Log& ledger, eventstore::PrivacyKeys& keys, const Entry& entry, ModelStore::Batch& batch)
        : ledger_(ledger), keys_(keys), entry_(entry), batch_(batch) {}

    Status run() {
        AUD_RETURN_IF_ERROR(index_audit());
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
        if (type == eventstore::store_records::kErasureType) return batch_.erase_subject(entry_.subject);
        if (type == eventstore::store_records::kPurgedType) return on_purge();
        return Status::ok();
    }

private:
    // ---- audit and subject indexes (their layout: "the audit and subject indexes" above) ----
    Status index_audit() {
        std::vector<Id> subjects;
        for (const auto& s : entry_.sections) {
            if (!s.subject.is_none() && std::find(subjects.begin(), subjects.end(), s.subject) == subjects.end()) {
                subjects.push_back(s.subject);
            }
        }
        const AuditRecord record{entry_.position, entry_.recorded_at_us, entry_.actor, subjects, entry_.type};
        AUD_RETURN_IF_ERROR(batch_.append(kAudit, time_bucket(entry_.recorded_at_us), encode_record(record)));
        AUD_RETURN_IF_ERROR(batch_.append(kAudit, type_bucket(entry_.type, entry_.position), be64(entry_.position)));
        if (!entry_.actor.is_none()) batch_.put(kAudit, actor_key(entry_.actor, entry_.position), "");
        for (const auto& s : subjects) batch_.put(kSubjects, subject_key(s, entry_.position), "");
        return Status::ok();
    }

    // Removes `position` from a list of positions; the row goes when the list is empty.
    Status remove_from(Model model, const std::string& bucket, Position position) {
        AUD_ASSIGN_OR_RETURN(auto row, batch_.get(model, bucket));
        if (!row) return Status::ok();
        std::string kept;
        const std::string_view list = row->clear;
        for (std::size_t at = 0; at + 8 <= list.size(); at += 8) {
            if (get_be64(list.substr(at)) != position) kept.append(list.substr(at, 8));
        }
        if (kept.empty()) {
            batch_.remove(model, bucket);
        } else {
            batch_.put(model, bucket, kept);
        }
        return Status::ok();
    }

    // The purge dropped the payloads of entries before its cutoff (held ones excepted): their index
    // entries go too, as a rebuild would never have made them.
    Status on_purge() {
        AUD_ASSIGN_OR_RETURN(auto purge, eventstore::store_records::decode_purge(entry_.clear));
        const std::int64_t cutoff = purge.cutoff_us;
        std::vector<std::pair<std::string, std::vector<AuditRecord>>> buckets;
        Status bad = Status::ok();
        AUD_RETURN_IF_ERROR(batch_.scan(kAudit, "h", [&](std::string_view k, const Row& row) {
            if (k.size() != 9) {
                bad = corruption("a malformed audit time bucket key");
                return false;
            }
            if (static_cast<std::int64_t>(get_be64(k.substr(1))) * kSecond >= cutoff) return false;
            auto records = decode_records(row.clear);
            if (!records) {
                bad = records.status();
                return false;
            }
            buckets.emplace_back(std::string(k), std::move(records).value());
            return true;
        }));
        AUD_RETURN_IF_ERROR(bad);
        for (auto& [bucket, records] : buckets) {
            std::string kept;
            for (const auto& r : records) {
                AUD_ASSIGN_OR_RETURN(auto read, ledger_.read_all(r.position, 1));
                if (read.empty() || !read[0].purged) {
                    kept += encode_record(r);
                    continue;
                }
                AUD_RETURN_IF_ERROR(remove_from(kAudit, type_bucket(r.type, r.position), r.position));
                if (!r.actor.is_none()) batch_.remove(kAudit, actor_key(r.actor, r.position));
                for (const auto& s : r.subjects) batch_.remove(kSubjects, subject_key(s, r.position));
            }
            if (kept.empty()) {
                batch_.remove(kAudit, bucket);
            } else {
                batch_.put(kAudit, bucket, kept);
            }
        }
        return Status::ok();
    }

    // ---- workspaces ----
    Status on_workspace(const WorkspaceEvent& e) {
        const Id ws = id_of_stream(entry_.stream, "workspace-");
        if (ws.is_none()) return corruption("a workspace event outside a workspace stream: " + entry_.stream);
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
        const Id webinar = id_of_stream(entry_.stream, "webinar-");
        if (webinar.is_none()) return corruption("a webinar event outside a webinar stream: " + entry_.stream);
        AUD_ASSIGN_OR_RETURN(auto state, webinar_state(webinar));
        domain::WebinarState next = domain::evolve(state.value_or(domain::WebinarState{}), e);
        if (next.workspace.is_none()) return corruption("a webinar without its workspace: " + entry_.stream);
        batch_.put(kCatalog, key('w', next.workspace, webinar), state_bytes(next));
        batch_.put(kCatalog, key('x', webinar), std::string(next.workspace.view()));
        // The grants of its sessions follow its team, guests and replay switch.
        std::vector<Id> sessions;
        AUD_RETURN_IF_ERROR(batch_.scan(kRegistrationPages, key('s', webinar), [&](std::string_view k, const Row&) {
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
        AUD_ASSIGN_OR_RETURN(auto row, batch_.get(kCatalog, key('w', *Id::from_bytes(ws->clear), webinar)));
        if (!row) return corruption("the catalog indexes a webinar it does not hold");
        AUD_ASSIGN_OR_RETURN(auto state, webinar_from(row->clear));
        return std::optional<domain::WebinarState>(std::move(state));
    }

    // ---- sessions ----
    Status on_session(const SessionEvent& e) {
        const Id session = id_of_stream(entry_.stream, "session-");
        if (session.is_none()) return corruption("a session event outside a session stream: " + entry_.stream);
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
        std::string g;
        g.push_back(static_cast<char>(session.status));
        g.push_back(webinar.settings.replay_enabled ? 1 : 0);
        for (auto audience : domain::kRoomAudiences) {
            const auto a = domain::room_access(session.status, webinar.settings.replay_enabled, audience);
            g.push_back(static_cast<char>(a.entry));
            g.push_back(static_cast<char>((a.publish ? 1 : 0) | (a.publish_when_invited ? 2 : 0)));
        }
        std::set<Id> team(webinar.moderators.begin(), webinar.moderators.end());
        if (!webinar.owner.is_none()) team.insert(webinar.owner);
        if (!session.host.is_none()) team.insert(session.host);
        g.append(be64(team.size()));
        for (const auto& t : team) g.append(t.view());
        for (const auto& guest : webinar.guests) g.append(guest.view());
        batch_.put(kMediaGrants, key('g', session.id), g);
    }

    // ---- registrations ----
    Status on_registration(const RegistrationEvent& e) {
        const Id id = id_of_stream(entry_.stream, "registration-");
        if (id.is_none()) return corruption("a registration event outside a registration stream: " + entry_.stream);
        Id session;
        std::visit(Overloaded{
                       [&](const domain::Registered& r) { session = r.session; },
                       [&](const domain::RegistrationSnapshotted& s) { session = s.registered.session; },
                       [&](const domain::RegistrationCanceled&) {},
                   },
                   e);
        if (session.is_none()) {
            // A cancellation names no session: the registration's own stream does (cancellations are
            // rare, so no index of registrations is kept for them).
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
                       [&](const domain::Registered& r) { after = RegistrationRow{r, false}; },
                       [&](const domain::RegistrationSnapshotted& s) { after = RegistrationRow{s.registered, s.canceled}; },
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
            AUD_RETURN_IF_ERROR(batch_.put_personal(kRegistrations, row_key, clear, after->registered.person,
                                                    *encoded.personal, dependents));
        } else {
            batch_.put(kRegistrations, row_key, clear);
        }
        return count(session, before, *after);
    }

    Result<Id> session_of_registration() {
        for (eventstore::StreamVersion from = 1;;) {
            AUD_ASSIGN_OR_RETURN(auto page, ledger_.read_stream(entry_.stream, from, eventstore::Log::Direction::kForward, 16));
            for (const auto& e : page) {
                if (e.purged || e.type == domain::event_types::kRegistrationCanceled.name) continue;
                AUD_ASSIGN_OR_RETURN(auto event, domain::decode_registration_event(stored_event(e)));
                if (const auto* r = std::get_if<domain::Registered>(&event)) return r->session;
                if (const auto* s = std::get_if<domain::RegistrationSnapshotted>(&event)) return s->registered.session;
            }
            if (page.size() < 16) return Id();
            from = page.back().version + 1;
        }
    }

    Status count(const Id& session, const std::optional<RegistrationRow>& before, const RegistrationRow& after) {
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
        batch_.put(kRegistrations, key('n', session), be64(n.registered) + be64(n.canceled));
        return Status::ok();
    }

    // The room finds a registrant by the link's secret or by their address; neither is kept in
    // clear, and both rows go with the person's data at their erasure.
    Result<std::vector<ModelStore::Batch::Dependent>> credentials(const Id& session, const Id& id,
                                                                  const domain::Registered& r) {
        std::vector<ModelStore::Batch::Dependent> rows;
        if (!r.link_token.empty()) {
            rows.push_back({kRooms, key('l', session, link_index(r.link_token)), std::string(id.view())});
        }
        if (!r.email.empty()) {
            AUD_ASSIGN_OR_RETURN(auto blind, keys_.blind_index(kEmailPurpose, domain::normalized_email(r.email)));
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

Status fold(eventstore::Log& ledger, eventstore::PrivacyKeys& keys, const Entry& entry, ModelStore::Batch& batch) {
    if (entry.purged) return Status::ok();
    Status s = Folder(ledger, keys, entry, batch).run();
    if (!s.is_ok()) return s.with_context("folding position " + std::to_string(entry.position));
    return s;
}

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
    AUD_RETURN_IF_ERROR(models_.scan(kCatalog, key('w', workspace), [&](std::string_view, const Row& row) {
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

Result<std::optional<domain::WebinarState>> ReadModels::webinar(const Id& workspace, const Id& webinar) const {
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

Result<std::optional<std::vector<domain::WebinarState>>> ReadModels::company_page(const Id& workspace) const {
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
    AUD_RETURN_IF_ERROR(models_.scan(kRegistrationPages, key('s', webinar), [&](std::string_view, const Row& row) {
        auto s = session_from(row.clear);
        if (!s) {
            failed = s.status();
            return false;
        }
        using domain::SessionStatus;
        const bool open = s->status == SessionStatus::kUpcoming || s->status == SessionStatus::kLive ||
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
    if (malformed) return corruption("a malformed row in the rooms model's index of sessions falling due");
    return out;
}

Result<std::optional<domain::SessionState>> ReadModels::session_any(const Id& session) const {
    AUD_ASSIGN_OR_RETURN(auto row, models_.get(kRooms, key('s', session)));
    if (!row) return std::optional<domain::SessionState>();
    AUD_ASSIGN_OR_RETURN(auto state, session_from(row->clear));
    if (state.deleted) return std::optional<domain::SessionState>();
    return std::optional<domain::SessionState>(std::move(state));
}

Result<std::optional<domain::SessionState>> ReadModels::session(const Id& workspace, const Id& session) const {
    AUD_ASSIGN_OR_RETURN(auto s, session_any(session));
    if (!s || s->workspace != workspace) return std::optional<domain::SessionState>();
    return s;
}

Result<std::vector<RegistrationRow>> ReadModels::registrations(const Id& workspace, const Id& session) const {
    std::vector<RegistrationRow> out;
    AUD_ASSIGN_OR_RETURN(auto s, this->session(workspace, session));
    if (!s) return out;
    Status failed = Status::ok();
    AUD_RETURN_IF_ERROR(models_.scan(kRegistrations, key('r', session), [&](std::string_view k, const Row& row) {
        auto open = open_row(keys_, kRegistrations, k, row);
        auto r = open ? registration_from(open->clear, open->personal) : Result<RegistrationRow>(open.status());
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

Result<std::optional<SessionCounts>> ReadModels::counts(const Id& workspace, const Id& session) const {
    AUD_ASSIGN_OR_RETURN(auto s, this->session(workspace, session));
    if (!s) return std::optional<SessionCounts>();
    AUD_ASSIGN_OR_RETURN(auto row, models_.get(kRegistrations, key('n', session)));
    if (!row) return std::optional<SessionCounts>(SessionCounts{});
    AUD_ASSIGN_OR_RETURN(auto counts, counts_from(*row));
    return std::optional<SessionCounts>(counts);
}

namespace {
Result<std::optional<domain::RegistrationState>> registrant_state(const ModelStore& models, eventstore::PrivacyKeys& keys,
                                                                  const Id& session, const Row& index,
                                                                  const std::function<bool(const domain::Registered&)>& check) {
    using Out = std::optional<domain::RegistrationState>;
    const std::string k = key('r', session, index.clear);
    AUD_ASSIGN_OR_RETURN(auto row, models.get(kRegistrations, k));
    if (!row) return Out();
    AUD_ASSIGN_OR_RETURN(auto open, open_row(keys, kRegistrations, k, *row));
    AUD_ASSIGN_OR_RETURN(auto r, registration_from(open.clear, open.personal));
    if (!check(r.registered)) return Out();
    return Out(domain::RegistrationState{true, r.canceled, r.registered.registration, r.registered.person,
                                         r.registered.session});
}
}  // namespace

Result<std::optional<domain::RegistrationState>> ReadModels::registrant_by_link(const Id& session,
                                                                                std::string_view token) const {
    AUD_ASSIGN_OR_RETURN(auto index, models_.get(kRooms, key('l', session, link_index(token))));
    if (!index) return std::optional<domain::RegistrationState>();
    return registrant_state(models_, keys_, session, *index,
                            [&](const domain::Registered& r) { return domain::link_matches(r, token); });
}

Result<std::optional<domain::RegistrationState>> ReadModels::registrant_by_email(const Id& session,
                                                                                 std::string_view email,
                                                                                 std::string_view access_key) const {
    AUD_ASSIGN_OR_RETURN(auto blind, keys_.blind_index(kEmailPurpose, domain::normalized_email(email)));
    AUD_ASSIGN_OR_RETURN(auto index, models_.get(kRooms, key('k', session, blind)));
    if (!index) return std::optional<domain::RegistrationState>();
    return registrant_state(models_, keys_, session, *index, [&](const domain::Registered& r) {
        return domain::email_and_key_match(r, email, access_key);
    });
}

Result<domain::RoomAccess> ReadModels::admission(const Id& session, const domain::Visitor& visitor) const {
    AUD_ASSIGN_OR_RETURN(auto s, session_any(session));
    if (!s) return domain::RoomAccess{};
    AUD_ASSIGN_OR_RETURN(auto w, webinar_any(s->webinar));
    if (!w) return domain::RoomAccess{};
    return domain::admission(*w, *s, visitor);
}

Result<std::optional<MediaGrant>> ReadModels::media_grant(const Id& session) const {
    AUD_ASSIGN_OR_RETURN(auto row, models_.get(kMediaGrants, key('g', session)));
    if (!row) return std::optional<MediaGrant>();
    const std::string_view g = row->clear;
    constexpr std::size_t kHead = 2 + 2 * std::size(domain::kRoomAudiences) + 8;
    if (g.size() < kHead) return corruption("a malformed media grant");
    MediaGrant m;
    m.status = static_cast<domain::SessionStatus>(g[0]);
    m.replay_enabled = g[1] == 1;
    for (std::size_t i = 0; i < m.by_audience.size(); ++i) {
        m.by_audience[i].entry = static_cast<domain::RoomAccess::Entry>(g[2 + 2 * i]);
        m.by_audience[i].publish = (g[3 + 2 * i] & 1) != 0;
        m.by_audience[i].publish_when_invited = (g[3 + 2 * i] & 2) != 0;
    }
    const std::uint64_t team = get_be64(g.substr(kHead - 8));
    std::size_t at = kHead;
    for (std::size_t i = 0; i < team && at + 16 <= g.size(); ++i, at += 16) m.team.push_back(*Id::from_bytes(g.substr(at, 16)));
    for (; at + 16 <= g.size(); at += 16) m.guests.push_back(*Id::from_bytes(g.substr(at, 16)));
    return std::optional<MediaGrant>(std::move(m));
}

Result<std::vector<AuditRef>> ReadModels::audit_refs(std::string_view prefix, IndexForm form) const {
    std::vector<Position> positions;
    AUD_RETURN_IF_ERROR(models_.scan(kAudit, prefix, [&](std::string_view k, const Row& row) {
        if (form == IndexForm::kKeyPerEntry) {
            if (k.size() == prefix.size() + 8) positions.push_back(get_be64(k.substr(prefix.size())));
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
    return audit_refs(key('a', actor), IndexForm::kKeyPerEntry);
}

Result<std::vector<AuditRef>> ReadModels::by_type(std::string_view type) const {
    return audit_refs('t' + std::string(type) + '\0', IndexForm::kPostingLists);
}

Result<std::vector<AuditRef>> ReadModels::between(std::int64_t from_us, std::int64_t until_us) const {
    std::vector<AuditRef> out;
    Status bad = Status::ok();
    // Seek to the second `from_us` falls in: a day's audit trail reads that day, not the years before.
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
            if (r.time_us >= from_us && r.time_us < until_us) out.push_back(AuditRef{r.position, r.time_us, std::move(r.type)});
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
    AUD_RETURN_IF_ERROR(models_.scan(kSubjects, subject.view(), [&](std::string_view k, const Row&) {
        if (k.size() == 24) out.push_back(get_be64(k.substr(16)));
        return true;
    }));
    return out;
}

}  // namespace auditorium::projections
