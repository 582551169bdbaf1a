// The read models, folded from the log, and the reads the gateway and the media node make of them.
//
//   members             a workspace's settings, company page switch, members and roles, API tokens
//   catalog             the events of each workspace (the dashboard list and the company page)
//   registration_pages  each event's sessions, for its public registration page
//   registrations       the registrations of each session (the person's data sealed), with counts
//   rooms               each session's state and its registrants' credentials (link, e-mail index);
//                       upcoming sessions by when they fall due (the scheduler's)
//   media_grants        per session: who may enter and publish, by the room table, for the media
//   node audit               every entry by actor, by type and by time subjects            every
//   entry that holds a person's data, by person (access and erasure)
//
// Every read that belongs to a workspace takes the workspace and answers only about its own rows:
// an id of another workspace's event or session reads as absent.
//
// Thread safety: fold() runs on one thread (the runner's); the reads may run on any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "domain/registration.hpp"
#include "domain/room.hpp"
#include "domain/webinar.hpp"
#include "domain/workspace.hpp"
#include "eventstore/log.hpp"
#include "eventstore/privacy_keys.hpp"
#include "projections/model_store.hpp"

namespace auditorium::projections {

// The codes are on disk: a new model takes a new code, and a code is never reused.
inline constexpr Model kMembers{"members", 'a'};
inline constexpr Model kCatalog{"catalog", 'b'};
inline constexpr Model kRegistrationPages{"registration_pages", 'c'};
inline constexpr Model kRegistrations{"registrations", 'd'};
inline constexpr Model kRooms{"rooms", 'e'};
inline constexpr Model kMediaGrants{"media_grants", 'f'};
inline constexpr Model kAudit{"audit", 'g'};
inline constexpr Model kSubjects{"subjects", 'h'};
inline constexpr std::array<Model, 8> kModels = {kMembers,       kCatalog, kRegistrationPages,
                                                 kRegistrations, kRooms,   kMediaGrants,
                                                 kAudit,         kSubjects};

// Folds one entry into every model, through `batch` (which seals personal fields with the store's
// keys). Domain events decode by the event codec (every schema version); an entry of a type no
// model uses still goes into the audit index. A purged entry changes nothing (the snapshot
// appended before the purge stands for it); a purge record removes the index rows of the entries
// it purged, so a rebuild after a purge ends where the live models are.
Status fold(eventstore::Log& ledger, eventstore::PrivacyKeys& keys, const eventstore::Entry& entry,
            ModelStore::Batch& batch);

struct RegistrationRow {
    domain::Registered
        registered;  // personal fields empty (and `erased`) when the person was erased
    bool canceled = false;
};
struct SessionCounts {
    std::uint64_t registered = 0;  // not canceled
    std::uint64_t canceled = 0;
};
struct RegistrationPage {
    domain::WebinarState webinar;
    std::vector<domain::SessionState> sessions;  // open for registration: upcoming, live, on demand
};
// What the media node enforces for a session: the room table's cells for it, and who is who.
struct MediaGrant {
    domain::SessionStatus status = domain::SessionStatus::kDraft;
    bool replay_enabled = false;
    std::array<domain::RoomAccess, 5> by_audience{};  // indexed by domain::RoomAudience
    std::vector<Id> team;                             // host, owner, moderators
    std::vector<Id> guests;                           // guest speakers
};
struct AuditRef {
    eventstore::Position position = 0;
    std::int64_t time_us = 0;
    std::string type;
};

class ReadModels {
public:
    // All must outlive this object; `keys` opens the sealed fields.
    ReadModels(const ModelStore& models, eventstore::Log& ledger, eventstore::PrivacyKeys& keys)
        : models_(models), ledger_(ledger), keys_(keys) {}

    Result<std::optional<domain::WorkspaceState>> workspace(const Id& workspace) const;
    Result<std::vector<domain::WebinarState>> webinars(const Id& workspace) const;
    Result<std::optional<domain::WebinarState>> webinar(const Id& workspace,
                                                        const Id& webinar) const;
    // The public company page: nullopt when the workspace is gone or its page is off; otherwise its
    // published public events.
    Result<std::optional<std::vector<domain::WebinarState>>> company_page(
        const Id& workspace) const;
    // The public registration page of an event: nullopt unless published, public and enabled.
    Result<std::optional<RegistrationPage>> registration_page(const Id& webinar) const;

    Result<std::vector<RegistrationRow>> registrations(const Id& workspace,
                                                       const Id& session) const;
    Result<std::optional<SessionCounts>> counts(const Id& workspace, const Id& session) const;

    Result<std::optional<domain::SessionState>> session(const Id& workspace,
                                                        const Id& session) const;
    // A registrant identified by their room link, or by e-mail plus access key (in constant time).
    Result<std::optional<domain::RegistrationState>> registrant_by_link(
        const Id& session, std::string_view token) const;
    Result<std::optional<domain::RegistrationState>> registrant_by_email(
        const Id& session, std::string_view email, std::string_view access_key) const;
    // The room table's answer for `visitor` (domain::admission over the projected states); no room
    // when the session is unknown.
    Result<domain::RoomAccess> admission(const Id& session, const domain::Visitor& visitor) const;
    Result<std::optional<MediaGrant>> media_grant(const Id& session) const;
    // The upcoming sessions that may be marked past_not_started at `until_us`, soonest due first,
    // across workspaces (for the scheduler, which sends the command; the domain decides).
    Result<std::vector<Id>> due_sessions(std::int64_t until_us) const;

    Result<std::vector<AuditRef>> by_actor(const Id& actor) const;
    Result<std::vector<AuditRef>> by_type(std::string_view type) const;
    Result<std::vector<AuditRef>> between(std::int64_t from_us, std::int64_t until_us) const;
    Result<std::vector<eventstore::Position>> entries_of(const Id& subject) const;

private:
    Result<std::optional<domain::SessionState>> session_any(const Id& session) const;
    Result<std::optional<domain::WebinarState>> webinar_any(const Id& webinar) const;
    enum class IndexForm { kPostingLists, kKeyPerEntry };  // internal/audit_index.hpp
    Result<std::vector<AuditRef>> audit_refs(std::string_view prefix, IndexForm form) const;

    const ModelStore& models_;
    eventstore::Log& ledger_;
    eventstore::PrivacyKeys& keys_;
};

}  // namespace auditorium::projections
