// The one path by which a command becomes ledger entries: load the aggregate's stream, fold it,
// decide (domain/), encode (domain/event_codec.hpp) and append with the stream version that was
// read, so a concurrent change to the same stream makes the append conflict; a conflict reloads
// and decides again, up to kAttempts times. A rejection appends nothing. The tests, the benchmark,
// the scheduler and later the gateway all call it; there is no other way to write domain events.
//
// Each event's personal part is sealed under its person's key (KeyClass::kPersonal); the entry's
// actor is the acting member's pseudonym; event ids are random (a retried command is a new one).
//
// Thread safety: safe to call from any number of threads; it keeps no state but the store
// reference. `store` must outlive the handler.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "domain/registration.hpp"
#include "domain/streams.hpp"
#include "domain/webinar.hpp"
#include "domain/workspace.hpp"
#include "eventstore/log.hpp"
#include "eventstore/privacy_keys.hpp"
#include "projections/read_models.hpp"

namespace auditorium::commands {

// What an accepted command wrote: its last position (a read can wait for a projection to reach
// it) and the stream's new version. An accepted command that decided nothing (no events) is
// impossible: decide() either changes something or rejects.
struct Outcome {
    eventstore::Position position = 0;
    eventstore::StreamVersion version = 0;
    std::size_t events = 0;
};

// Whom a privacy request is about, as a workspace knows them.
struct PrivacySubject {
    enum class Kind : std::uint8_t { kRegistrant, kGuestSpeaker, kMember };
    Kind kind = Kind::kRegistrant;
    Id id;       // the registration, the guest speaker's pseudonym, or the member
    Id webinar;  // for a guest speaker: whose webinar
};
struct PrivacyOutcome {
    Outcome recorded;                      // the request, in the workspace's stream
    eventstore::Position carried_out = 0;  // the store's record (erasure, hold); 0 for access
    std::optional<domain::Registered> registrant;  // access to a registrant: their data as written
    // Access, with the read models: every entry holding the person's data (the subject index),
    // their sections opened, in ledger order.
    std::vector<eventstore::Entry> entries;
};

// Stream names (domain/streams.hpp), where the handler's callers have always found them.
using domain::normalized_email;  // an address as reservations compare it
using domain::registration_stream;
using domain::reservation_stream;
using domain::session_stream;
using domain::webinar_stream;
using domain::workspace_stream;

class CommandHandler {
public:
    static constexpr int kAttempts = 5;

    // Appends to and reads from `log`; `keys` carries out privacy requests and finds e-mail
    // addresses by blind index (both not owned; they must outlive the handler). `zones` checks
    // time-zone names (sessions); `clock` gives microseconds since the epoch.
    CommandHandler(eventstore::Log& log, eventstore::PrivacyKeys& keys, domain::TimeZoneCheck zones,
                   std::function<std::int64_t()> clock);

    Result<Outcome> handle(const domain::WorkspaceCommand& command);
    Result<Outcome> handle(const domain::WebinarCommand& command);
    // Loads the session's webinar too (the decision reads its team and whether it is published).
    Result<Outcome> handle(const domain::SessionCommand& command);

    // A registration: the session's e-mail reservation is taken first (expected version as read,
    // so of two registrations of one address exactly one gets it), then the registration is
    // written; if that fails, the reservation is released again. The "already registered"
    // rejection carries the registration holding the address. Canceling releases the address.
    Result<Outcome> handle(const domain::RegistrationCommand& command);

    // A privacy request by an owner or a compliance officer (access table): the person is found
    // from what the request names, in this workspace only; the request is recorded, then carried
    // out through the store (erasure: crypto-shredding, deferred under a legal hold; hold and
    // release). Access returns a registrant's data, and with the read models every entry holding
    // the person's data (the subject index, as of the models' position).
    Result<PrivacyOutcome> handle_privacy(const Id& workspace, const Id& by, const Id& request,
                                          domain::PrivacyRequestKind kind,
                                          const PrivacySubject& subject);

    // The read models, for what a command needs of them (access requests: the subject index).
    // Not owned; must outlive the handler. Without them, access reaches registrants only.
    void use_read_models(const projections::ReadModels* models) { read_models_ = models; }

    // Current states, folded from their streams (the state a command is decided on).
    Result<domain::WorkspaceState> workspace(const Id& id);
    Result<domain::WebinarState> webinar(const Id& id);
    Result<domain::SessionState> session(const Id& id);
    // The registration as written, personal fields open (the store's keys are needed).
    Result<std::optional<domain::Registered>> registration(const Id& id);

private:
    Result<Outcome> register_person(const domain::Register& command);
    Result<Outcome> cancel_registration(const domain::CancelRegistration& command);
    Result<std::string> reservation_of(const Id& session, std::string_view email);
    // Sets `command`'s subject and subject workspace to the person `who` names in the requesting
    // workspace (left none when nobody is found); a registrant comes back as written.
    Result<std::optional<domain::Registered>> find_subject(const PrivacySubject& who,
                                                           domain::RequestPrivacy& command);
    // Carries out the recorded request through the store; access reads the subject index.
    Status carry_out(const domain::RequestPrivacy& command, PrivacyOutcome& out);

    eventstore::Log& log_;
    eventstore::PrivacyKeys& keys_;
    domain::TimeZoneCheck zones_;
    std::function<std::int64_t()> clock_;
    const projections::ReadModels* read_models_ = nullptr;
};

// The snapshot functions of the domain's stream types (workspace, webinar, session, registration,
// reservation), for the store's purge: each folds the stream's entries that are still whole
// (starting from the newest snapshot) and returns the whole state as one snapshot event, the
// registrant's data sealed under the person's key again. Register them in StoreOptions::snapshots
// of every process that may purge. `clock` gives the snapshot's time.
eventstore::SnapshotRegistry domain_snapshots(const std::function<std::int64_t()>& clock);

// A TimeZoneCheck over the system's tzdata (/usr/share/zoneinfo): a name is valid when it names a
// TZif file there. Rejects absolute paths and "..".
bool system_has_time_zone(std::string_view name);

}  // namespace auditorium::commands
