// The command handler over a real store: commands become entries in their aggregate's stream,
// rejections append nothing, conflicting writers are decided again, nothing crosses workspaces.
#include "commands/command_handler.hpp"
#include "commands/due_sessions.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "base/big_endian.hpp"
#include "domain/rejection.hpp"
#include "projections/read_models.hpp"
#include "projections/runner.hpp"
#include "tests/support/failing_log.hpp"
#include "tests/support/store_fixture.hpp"
#include "tests/support/refusing_log.hpp"
#include "tests/support/status.hpp"

using namespace auditorium;
using namespace auditorium::commands;
using namespace auditorium::domain;
using namespace auditorium::testing;
using R = WorkspaceRole;

namespace {

constexpr std::int64_t kHour = std::int64_t{3600} * 1'000'000;

struct Fixture {
    StoreDir dir;
    std::unique_ptr<eventstore::Store> store = dir.open();
    std::atomic<std::int64_t> now{1'800'000'000'000'000};
    CommandHandler handler{*store, *store, system_has_time_zone, [this] { return now.load(); }};
    Id ws = eventstore::random_id();
    Id owner = eventstore::random_id();

    Fixture() {
        auto created = handler.handle(WorkspaceCommand{CreateWorkspace{ws, "Acme", "acme", owner}});
        REQUIRE_OK(created);
    }
    Actor as(const Id& member, R role) const { return Actor{ws, member, role}; }
};

}  // namespace

TEST_CASE("a command refused with a version conflict is decided again and written once, up to kAttempts") {
    StoreDir dir;
    auto store = dir.open();
    constexpr std::int64_t kNow = 1'800'000'000'000'000;
    const Id owner = eventstore::random_id();
    const auto create = [&](eventstore::Log& log, const Id& ws, const std::string& slug) {
        CommandHandler handler(log, *store, system_has_time_zone, [] { return kNow; });
        return handler.handle(WorkspaceCommand{CreateWorkspace{ws, "Acme " + slug, slug, owner}});
    };

    RefusingLog once(*store, "workspace-", 1);
    const Id ws = eventstore::random_id();
    auto created = create(once, ws, "acme");
    REQUIRE_OK(created);
    CHECK(once.refused() == 1);
    const auto written = store->read_stream(workspace_stream(ws), 1, eventstore::Log::Direction::kForward, 100).value();
    CHECK(written.size() == created->events);
    CHECK(written.back().position == created->position);
    CHECK(store->stream_version(workspace_stream(ws)).value() == created->version);

    // Refused on every attempt: the conflict is the answer, and nothing is written.
    RefusingLog always(*store, "workspace-", CommandHandler::kAttempts);
    const Id other = eventstore::random_id();
    const eventstore::Position head = store->head();
    auto refused = create(always, other, "beta");
    REQUIRE_FALSE(refused.is_ok());
    CHECK(eventstore::conflict_of(refused.status()));
    CHECK(always.refused() == CommandHandler::kAttempts);
    CHECK(store->stream_version(workspace_stream(other)).value() == 0);
    CHECK(store->head() == head);
}

TEST_CASE("a command becomes entries in its aggregate's stream, the acting member as actor") {
    Fixture f;
    const Id admin = eventstore::random_id();
    auto invited = f.handler.handle(WorkspaceCommand{InviteMember{f.ws, f.owner, admin, R::kAdmin}});
    REQUIRE_OK(invited);
    CHECK(invited->version == 2);
    CHECK(invited->position == f.store->head());
    const auto entries =
        f.store->read_stream(workspace_stream(f.ws), 1, eventstore::Store::Direction::kForward, 10).value();
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].type == "workspace.created");
    CHECK(entries[1].type == "workspace.member_invited");
    CHECK(entries[1].actor == f.owner);
    CHECK(entries[1].sections.empty());  // pseudonyms only: nothing personal in a workspace stream
    const WorkspaceState s = f.handler.workspace(f.ws).value();
    CHECK(s.members.at(admin) == R::kAdmin);
    CHECK(s.members.at(f.owner) == R::kOwner);
}

TEST_CASE("a rejected command appends nothing and says why") {
    Fixture f;
    const Id admin = eventstore::random_id();
    REQUIRE(f.handler.handle(WorkspaceCommand{InviteMember{f.ws, f.owner, admin, R::kAdmin}}).is_ok());
    const auto head = f.store->head();
    auto r = f.handler.handle(WorkspaceCommand{InviteMember{f.ws, admin, eventstore::random_id(), R::kOwner}});
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kPermissionDenied);
    REQUIRE(rejection_of(r.status()) != nullptr);
    auto last_owner = f.handler.handle(WorkspaceCommand{RemoveMember{f.ws, f.owner, f.owner}});
    CHECK(rejection_of(last_owner.status())->rule == "workspace_keeps_an_owner");
    auto bad = f.handler.handle(WorkspaceCommand{CreateWorkspace{eventstore::random_id(), "X", "Not A Slug", f.owner}});
    CHECK(rejection_of(bad.status())->fields == std::vector<std::string>{"slug"});
    CHECK(f.store->head() == head);
}

TEST_CASE("concurrent commands on one workspace are each decided on the state they read") {
    Fixture f;
    constexpr int kThreads = 3;
    constexpr int kEach = 15;
    std::atomic<int> accepted{0};
    std::atomic<int> conflicts{0};
    std::atomic<int> other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kEach; ++i) {
                auto r = f.handler.handle(WorkspaceCommand{InviteMember{f.ws, f.owner, eventstore::random_id(), R::kMember}});
                if (r) {
                    ++accepted;
                } else if (eventstore::conflict_of(r.status())) {
                    ++conflicts;  // lost kAttempts races in a row: reported, never half-done
                } else {
                    ++other;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(other.load() == 0);
    CHECK(accepted.load() + conflicts.load() == kThreads * kEach);
    CHECK(accepted.load() > 0);
    const WorkspaceState s = f.handler.workspace(f.ws).value();
    CHECK(s.members.size() == 1 + static_cast<std::size_t>(accepted.load()));
    CHECK(f.store->stream_version(workspace_stream(f.ws)).value() == 1 + static_cast<std::uint64_t>(accepted.load()));
}

TEST_CASE("a session's life through the handler: tzdata-checked schedule, opened, started and ended by its host") {
    Fixture f;
    const Id webinar = eventstore::random_id();
    const Id session = eventstore::random_id();
    WebinarSettings settings;
    settings.title = "Launch";
    settings.slug = "launch";
    REQUIRE(f.handler.handle(WebinarCommand{CreateWebinar{f.as(f.owner, R::kOwner), webinar, settings}}).is_ok());
    const auto schedule = [&](std::string zone) {
        return f.handler.handle(SessionCommand{ScheduleSession{f.as(f.owner, R::kOwner), session,
                                                               f.now.load() + 24 * kHour, std::move(zone), 45, Id(),
                                                               webinar}});
    };
    auto mars = schedule("Mars/Olympus_Mons");
    CHECK(rejection_of(mars.status())->fields == std::vector<std::string>{"time_zone"});
    CHECK(rejection_of(schedule("../../etc/passwd").status())->fields == std::vector<std::string>{"time_zone"});
    REQUIRE(schedule("Europe/Paris").is_ok());
    auto early = f.handler.handle(SessionCommand{OpenSession{f.as(f.owner, R::kOwner), session}});
    CHECK(rejection_of(early.status())->rule == "webinar_not_published");
    REQUIRE(f.handler.handle(WebinarCommand{PublishWebinar{f.as(f.owner, R::kOwner), webinar}}).is_ok());
    REQUIRE(f.handler.handle(SessionCommand{OpenSession{f.as(f.owner, R::kOwner), session}}).is_ok());
    REQUIRE(f.handler.handle(SessionCommand{StartSession{f.as(f.owner, R::kOwner), session}}).is_ok());
    REQUIRE(f.handler.handle(SessionCommand{EndSession{f.as(f.owner, R::kOwner), session}}).is_ok());
    const SessionState s = f.handler.session(session).value();
    CHECK(s.status == SessionStatus::kPast);
    CHECK(s.time_zone == "Europe/Paris");
    CHECK(s.host == f.owner);
}

TEST_CASE("nothing crosses workspaces through the handler") {
    Fixture a;
    const Id webinar = eventstore::random_id();
    WebinarSettings settings;
    settings.title = "Private";
    settings.slug = "private";
    REQUIRE(a.handler.handle(WebinarCommand{CreateWebinar{a.as(a.owner, R::kOwner), webinar, settings}}).is_ok());
    // Another workspace's owner, in the same deployment.
    const Id other_ws = eventstore::random_id();
    const Id other_owner = eventstore::random_id();
    REQUIRE(a.handler.handle(WorkspaceCommand{CreateWorkspace{other_ws, "Other", "other", other_owner}}).is_ok());
    const auto head = a.store->head();
    settings.title = "Taken over";
    auto edit = a.handler.handle(WebinarCommand{EditWebinar{Actor{other_ws, other_owner, R::kOwner}, webinar, settings}});
    CHECK(edit.status().code() == StatusCode::kNotFound);
    auto invite = a.handler.handle(WorkspaceCommand{InviteMember{a.ws, other_owner, eventstore::random_id(), R::kMember}});
    CHECK(invite.status().code() == StatusCode::kPermissionDenied);
    CHECK(a.store->head() == head);
    CHECK(a.handler.webinar(webinar).value().settings.title == "Private");
}

namespace {

// A webinar with one open session, for registrations.
struct Registrations : Fixture {
    Id webinar = eventstore::random_id();
    Id session = eventstore::random_id();
    Registrations() {
        WebinarSettings settings;
        settings.title = "Launch";
        settings.slug = "launch";
        REQUIRE(handler.handle(WebinarCommand{CreateWebinar{as(owner, R::kOwner), webinar, settings}}).is_ok());
        REQUIRE(handler.handle(WebinarCommand{PublishWebinar{as(owner, R::kOwner), webinar}}).is_ok());
        REQUIRE(handler
                    .handle(SessionCommand{ScheduleSession{as(owner, R::kOwner), session, now.load() + 24 * kHour,
                                                           "UTC", 60, Id(), webinar}})
                    .is_ok());
        REQUIRE(handler.handle(SessionCommand{OpenSession{as(owner, R::kOwner), session}}).is_ok());
    }
    Register registration(const std::string& email, const Id& to_session) const {
        Register r;
        r.registration = eventstore::random_id();
        r.person = eventstore::random_id();
        r.session = to_session;
        r.email = email;
        r.first_name = "Ada";
        r.last_name = "Lovelace";
        r.consent = true;
        r.link_token = std::string(64, 'c');
        r.access_key = "1815";
        return r;
    }
};

}  // namespace

TEST_CASE("an address registers once per session, whatever its case or spacing, the refusal names the first") {
    Registrations f;
    const Register first = f.registration("ada@example.org", f.session);
    auto ok = f.handler.handle(RegistrationCommand{first});
    REQUIRE_OK(ok);
    const auto head = f.store->head();
    auto again = f.handler.handle(RegistrationCommand{f.registration("  ADA@Example.ORG ", f.session)});
    REQUIRE_FALSE(again.is_ok());
    CHECK(again.status().code() == StatusCode::kAlreadyExists);
    const auto* why = again.status().detail<AlreadyRegistered>();
    REQUIRE(why != nullptr);
    CHECK(why->existing == first.registration);
    CHECK(f.store->head() == head);  // nothing written

    // The registration reads back with its personal data, which the store sealed.
    const auto written = f.handler.registration(first.registration).value();
    REQUIRE(written.has_value());
    CHECK(written->email == "ada@example.org");
    CHECK(written->session == f.session);
    const auto entries =
        f.store->read_stream(registration_stream(first.registration), 1, eventstore::Store::Direction::kForward, 1)
            .value();
    REQUIRE(entries.at(0).sections.size() == 1);
    CHECK(entries[0].sections[0].subject == first.person);
    CHECK(entries[0].canonical.find("ada@example.org") == std::string::npos);
}

TEST_CASE("of concurrent registrations of one address to one session, exactly one is written") {
    Registrations f;
    constexpr int kThreads = 4;
    std::vector<Result<Outcome>> results(kThreads, Result<Outcome>(internal_error("not run")));
    std::vector<Register> tries;
    for (int t = 0; t < kThreads; ++t) tries.push_back(f.registration("grace@example.org", f.session));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] { results[t] = f.handler.handle(RegistrationCommand{tries[t]}); });
    }
    for (auto& t : threads) t.join();
    int written = 0;
    Id winner;
    for (int t = 0; t < kThreads; ++t) {
        if (results[t]) {
            ++written;
            winner = tries[t].registration;
        }
    }
    REQUIRE(written == 1);
    for (const auto& r : results) {
        if (r) continue;
        INFO(r.status().to_string());
        CHECK(r.status().code() == StatusCode::kAlreadyExists);
        const auto* why = r.status().detail<AlreadyRegistered>();
        REQUIRE(why != nullptr);
        CHECK(why->existing == winner);
    }
    // Another session takes the same address.
    const Id second = eventstore::random_id();
    REQUIRE(f.handler
                .handle(SessionCommand{ScheduleSession{f.as(f.owner, R::kOwner), second, f.now.load() + 48 * kHour,
                                                       "UTC", 60, Id(), f.webinar}})
                .is_ok());
    REQUIRE(f.handler.handle(SessionCommand{OpenSession{f.as(f.owner, R::kOwner), second}}).is_ok());
    CHECK(f.handler.handle(RegistrationCommand{f.registration("grace@example.org", second)}).is_ok());
}

TEST_CASE("canceling a registration gives the address back") {
    Registrations f;
    const Register first = f.registration("alan@example.org", f.session);
    REQUIRE(f.handler.handle(RegistrationCommand{first}).is_ok());
    auto canceled = f.handler.handle(RegistrationCommand{CancelRegistration{first.registration, first.person}});
    REQUIRE_OK(canceled);
    auto twice = f.handler.handle(RegistrationCommand{CancelRegistration{first.registration, first.person}});
    CHECK(rejection_of(twice.status())->rule == "registration_canceled");
    CHECK(f.handler.handle(RegistrationCommand{f.registration("alan@example.org", f.session)}).is_ok());
}

TEST_CASE("a failed registration write releases the address, so the person can register again") {
    Registrations f;
    FailingLog failing(*f.store);
    CommandHandler handler(failing, *f.store, system_has_time_zone, [&f] { return f.now.load(); });
    failing.arm(2, 1);  // the reservation is written, the registration is not, the release is
    auto refused = handler.handle(RegistrationCommand{f.registration("ada@example.org", f.session)});
    INFO(refused.status().to_string());
    REQUIRE_FALSE(refused.is_ok());
    CHECK(refused.status().code() == StatusCode::kUnavailable);
    CHECK_THAT(refused.status().message(), !Catch::Matchers::Contains("stays reserved"));
    auto again = f.handler.handle(RegistrationCommand{f.registration("ada@example.org", f.session)});
    INFO(again.status().to_string());
    CHECK(again.is_ok());
}

TEST_CASE("a failed registration write whose release fails too says the address stays reserved") {
    Registrations f;
    FailingLog failing(*f.store);
    CommandHandler handler(failing, *f.store, system_has_time_zone, [&f] { return f.now.load(); });
    failing.arm(2, 2);  // the registration and the release are refused
    auto refused = handler.handle(RegistrationCommand{f.registration("ada@example.org", f.session)});
    INFO(refused.status().to_string());
    REQUIRE_FALSE(refused.is_ok());
    CHECK(refused.status().code() == StatusCode::kUnavailable);  // the write's failure, with context
    CHECK_THAT(refused.status().message(), Catch::Matchers::Contains("the address stays reserved"));
    CHECK_THAT(refused.status().message(), Catch::Matchers::Contains("append 3 refused"));
    auto again = f.handler.handle(RegistrationCommand{f.registration("ada@example.org", f.session)});
    CHECK(again.status().code() == StatusCode::kAlreadyExists);
}

TEST_CASE("after registrations through the handler, no address or name is in any file of the data directory") {
    Registrations f;
    for (int i = 0; i < 30; ++i) {
        Register r = f.registration("person" + std::to_string(i) + "@example.org", f.session);
        r.last_name = "Hopper";
        REQUIRE(f.handler.handle(RegistrationCommand{r}).is_ok());
    }
    f.store.reset();  // closed: every WAL and table on disk
    CHECK(files_containing(f.dir.data(), "person7@example.org").empty());
    CHECK(files_containing(f.dir.data(), "Hopper").empty());
    CHECK(files_containing(f.dir.data(), "Launch").size() > 0);  // the search finds what is in clear
}

TEST_CASE("after a purge, every domain stream rebuilds from its snapshot, a registrant's data included") {
    constexpr std::int64_t kDay = 24 * kHour;
    StoreDir dir;
    std::atomic<std::int64_t> now{1'800'000'000'000'000};
    const auto clock = [&now] { return now.load(); };
    auto o = dir.options();
    o.dev = true;
    o.retention = std::chrono::microseconds(kDay);
    o.snapshots = domain_snapshots(clock);
    o.clock = clock;
    auto store = std::move(eventstore::Store::open(o)).value();
    CommandHandler handler(*store, *store, system_has_time_zone, clock);
    const Id ws = eventstore::random_id(), owner = eventstore::random_id(), admin = eventstore::random_id();
    const Id webinar = eventstore::random_id(), session = eventstore::random_id();
    const Actor by_owner{ws, owner, R::kOwner};
    REQUIRE(handler.handle(WorkspaceCommand{CreateWorkspace{ws, "Acme", "acme", owner}}).is_ok());
    REQUIRE(handler.handle(WorkspaceCommand{InviteMember{ws, owner, admin, R::kAdmin}}).is_ok());
    WebinarSettings settings;
    settings.title = "Launch";
    settings.slug = "launch";
    REQUIRE(handler.handle(WebinarCommand{CreateWebinar{by_owner, webinar, settings}}).is_ok());
    REQUIRE(handler.handle(WebinarCommand{AssignModerator{by_owner, webinar, admin, R::kAdmin}}).is_ok());
    REQUIRE(handler.handle(WebinarCommand{PublishWebinar{by_owner, webinar}}).is_ok());
    REQUIRE(handler.handle(SessionCommand{ScheduleSession{by_owner, session, now + 7 * kDay, "Europe/Paris", 60, admin,
                                                           webinar}}).is_ok());
    REQUIRE(handler.handle(SessionCommand{OpenSession{by_owner, session}}).is_ok());
    Register reg;
    reg.registration = eventstore::random_id();
    reg.person = eventstore::random_id();
    reg.session = session;
    reg.email = "katherine@example.org";
    reg.first_name = "Katherine";
    reg.last_name = "Johnson";
    reg.consent = true;
    reg.link_token = std::string(64, 'd');
    reg.access_key = "1918";
    REQUIRE(handler.handle(RegistrationCommand{reg}).is_ok());

    const auto workspace_before = handler.workspace(ws).value();
    const auto webinar_before = handler.webinar(webinar).value();
    const auto session_before = handler.session(session).value();

    now += 2 * kDay;  // everything is past retention
    auto report = store->purge();
    REQUIRE_OK(report);
    CHECK(report->entries_purged >= 9);
    CHECK(report->snapshots_appended == 5);  // workspace, webinar, session, registration, reservation
    CHECK(report->no_snapshot_function.empty());

    const auto workspace_after = handler.workspace(ws).value();
    CHECK(workspace_after.members == workspace_before.members);
    CHECK(workspace_after.slug == "acme");
    const auto webinar_after = handler.webinar(webinar).value();
    CHECK(webinar_after.settings == webinar_before.settings);
    CHECK(webinar_after.moderators == webinar_before.moderators);
    CHECK(webinar_after.published);
    const auto session_after = handler.session(session).value();
    CHECK(session_after.status == session_before.status);
    CHECK(session_after.host == admin);
    CHECK(session_after.time_zone == "Europe/Paris");
    const auto registered = handler.registration(reg.registration).value();
    REQUIRE(registered.has_value());
    CHECK(registered->email == "katherine@example.org");
    // The reservation survived too: the address is still taken.
    Register again = reg;
    again.registration = eventstore::random_id();
    auto refused = handler.handle(RegistrationCommand{again});
    REQUIRE(refused.status().detail<AlreadyRegistered>() != nullptr);
    CHECK(refused.status().detail<AlreadyRegistered>()->existing == reg.registration);
    // And commands go on from the snapshots.
    CHECK(handler.handle(SessionCommand{StartSession{Actor{ws, admin, R::kAdmin}, session}}).is_ok());
    // After the person's erasure, the snapshot's personal part reads as erased.
    REQUIRE(store->erase(reg.person, owner).is_ok());
    const auto erased = handler.registration(reg.registration).value();
    REQUIRE(erased.has_value());
    CHECK(erased->erased);
    CHECK(erased->email.empty());
}

namespace {

// The read models of a fixture's store, folded on demand (the runner's thread is not needed).
struct FoldedModels {
    std::filesystem::path dir;
    eventstore::Store& store;
    std::unique_ptr<projections::ModelStore> models = open();
    std::unique_ptr<projections::ReadModels> reads = std::make_unique<projections::ReadModels>(*models, store, store);

    std::unique_ptr<projections::ModelStore> open() const {
        auto m = projections::ModelStore::open(dir, projections::ModelStore::Mode::kReadWrite);
        REQUIRE_OK(m);
        return std::move(m).value();
    }
    void fold() {
        projections::ProjectionRunner runner(store, store, *models);
        auto reached = runner.catch_up();
        REQUIRE_OK(reached);
        REQUIRE(*reached == store.head());
    }
    std::vector<Id> due(std::int64_t until_us) const {
        auto d = reads->due_sessions(until_us);
        REQUIRE_OK(d);
        return *d;
    }
    // As a restarted server: the models closed and opened again from disk.
    void reopen() {
        reads.reset();
        models.reset();
        models = open();
        reads = std::make_unique<projections::ReadModels>(*models, store, store);
    }
};

}  // namespace

TEST_CASE("an upcoming session not started an hour after its estimated end is marked past_not_started, and only it") {
    Registrations f;  // one open session, starting in 24 h, 60 minutes long
    const std::int64_t first_due = f.now.load() + 24 * kHour + 2 * kHour;
    const Id held = eventstore::random_id();
    REQUIRE(f.handler
                .handle(SessionCommand{ScheduleSession{f.as(f.owner, R::kOwner), held, f.now.load() + 25 * kHour, "UTC",
                                                       60, Id(), f.webinar}})
                .is_ok());
    REQUIRE(f.handler.handle(SessionCommand{OpenSession{f.as(f.owner, R::kOwner), held}}).is_ok());
    const Id draft = eventstore::random_id();  // never opened: not upcoming, never due
    REQUIRE(f.handler
                .handle(SessionCommand{ScheduleSession{f.as(f.owner, R::kOwner), draft, f.now.load() + kHour, "UTC",
                                                       30, Id(), f.webinar}})
                .is_ok());
    FoldedModels m{f.dir.dir / "models", *f.store};
    m.fold();
    DueSessions due(*m.reads, f.handler);
    CHECK(due.issue_due(f.now.load()).value().moved == 0);
    // Both upcoming sessions are indexed, soonest due first; the draft is not.
    CHECK(m.due(INT64_MAX) == std::vector<Id>{f.session, held});
    CHECK(m.due(first_due - 1).empty());
    CHECK(m.due(first_due) == std::vector<Id>{f.session});
    // The second one is held: started, then ended. The index forgets it once folded.
    f.now += 25 * kHour;
    REQUIRE(f.handler.handle(SessionCommand{StartSession{f.as(f.owner, R::kOwner), held}}).is_ok());
    m.fold();
    CHECK(m.due(INT64_MAX) == std::vector<Id>{f.session});
    // A restarted server reads the index from disk, without the log.
    m.reopen();
    DueSessions restarted(*m.reads, f.handler);
    f.now = first_due - 1;  // one microsecond before the first is due
    const auto early = restarted.issue_due(f.now.load()).value();
    CHECK(early.moved == 0);
    CHECK(early.refused == 0);
    f.now += 1;
    const auto on_time = restarted.issue_due(f.now.load()).value();
    CHECK(on_time.moved == 1);
    CHECK(on_time.refused == 0);
    CHECK(f.handler.session(f.session).value().status == SessionStatus::kPastNotStarted);
    CHECK(f.handler.session(held).value().status == SessionStatus::kLive);
    CHECK(f.handler.session(draft).value().status == SessionStatus::kDraft);
    // Before the runner folds the change, the index still lists it: the command refuses, nothing moves.
    const auto stale = restarted.issue_due(f.now.load()).value();
    CHECK(stale.moved == 0);
    CHECK(stale.refused == 1);
    m.fold();
    CHECK(m.due(INT64_MAX).empty());
    // A deleted upcoming session leaves the index too.
    const Id deleted = eventstore::random_id();
    REQUIRE(f.handler
                .handle(SessionCommand{ScheduleSession{f.as(f.owner, R::kOwner), deleted, f.now.load() + kHour, "UTC",
                                                       30, Id(), f.webinar}})
                .is_ok());
    REQUIRE(f.handler.handle(SessionCommand{OpenSession{f.as(f.owner, R::kOwner), deleted}}).is_ok());
    m.fold();
    CHECK(m.due(INT64_MAX) == std::vector<Id>{deleted});
    auto gone = f.handler.handle(SessionCommand{DeleteSession{f.as(f.owner, R::kOwner), deleted}});
    REQUIRE_OK(gone);
    m.fold();
    CHECK(m.due(INT64_MAX).empty());
}

TEST_CASE("a due session the log does not know fails alone: the others are still marked") {
    Registrations f;  // one open session, starting in 24 h, 60 minutes long: due at +26 h
    const std::int64_t due_at = f.now.load() + 26 * kHour;
    FoldedModels m{f.dir.dir / "models", *f.store};
    m.fold();
    // An index row for a session the log never had (a stale or damaged index), due first.
    const Id ghost = eventstore::random_id();
    {
        auto batch = m.models->batch(*f.store);
        batch->put(projections::kRooms,
                   'u' + be64(static_cast<std::uint64_t>(due_at - 1)) + std::string(ghost.view()),
                   "");
        REQUIRE(m.models->commit(*batch).is_ok());
    }
    REQUIRE(m.due(INT64_MAX) == std::vector<Id>{ghost, f.session});
    DueSessions due(*m.reads, f.handler);
    f.now = due_at;
    const auto issued = due.issue_due(f.now.load());
    REQUIRE_OK(issued);
    CHECK(issued->moved == 1);
    CHECK(issued->refused == 0);
    CHECK(issued->failed == 1);
    CHECK(issued->first_failure.code() == StatusCode::kNotFound);
    CHECK_THAT(issued->first_failure.message(), Catch::Matchers::Contains(ghost.hex()));
    CHECK(f.handler.session(f.session).value().status == SessionStatus::kPastNotStarted);
}

TEST_CASE("privacy requests: compliance officers and owners erase, hold and read a person of their workspace only") {
    Registrations f;
    const Id compliance = eventstore::random_id();
    const Id admin = eventstore::random_id();
    REQUIRE(f.handler.handle(WorkspaceCommand{InviteMember{f.ws, f.owner, compliance, R::kCompliance}}).is_ok());
    REQUIRE(f.handler.handle(WorkspaceCommand{InviteMember{f.ws, f.owner, admin, R::kAdmin}}).is_ok());
    const Register ada = f.registration("ada@example.org", f.session);
    REQUIRE(f.handler.handle(RegistrationCommand{ada}).is_ok());
    const PrivacySubject who{PrivacySubject::Kind::kRegistrant, ada.registration, Id()};

    // Access: the registrant's data, and the request is on record.
    auto access = f.handler.handle_privacy(f.ws, compliance, eventstore::random_id(), PrivacyRequestKind::kAccess, who);
    REQUIRE_OK(access);
    REQUIRE(access->registrant.has_value());
    CHECK(access->registrant->email == "ada@example.org");

    // An admin may not; another workspace's owner does not even find the person.
    const auto head = f.store->head();
    auto by_admin = f.handler.handle_privacy(f.ws, admin, eventstore::random_id(), PrivacyRequestKind::kErasure, who);
    CHECK(by_admin.status().code() == StatusCode::kPermissionDenied);
    const Id other_ws = eventstore::random_id(), other_owner = eventstore::random_id();
    REQUIRE(f.handler.handle(WorkspaceCommand{CreateWorkspace{other_ws, "Other", "other", other_owner}}).is_ok());
    const auto head_other = f.store->head();
    auto cross = f.handler.handle_privacy(other_ws, other_owner, eventstore::random_id(), PrivacyRequestKind::kErasure, who);
    CHECK(cross.status().code() == StatusCode::kNotFound);
    CHECK(rejection_of(cross.status())->fields == std::vector<std::string>{"subject"});
    CHECK(f.store->head() == head_other);
    CHECK(head_other == head + 1);  // only the other workspace's creation
    CHECK_FALSE(f.store->is_erased(ada.person).value());

    // A legal hold defers the erasure until it is released.
    REQUIRE(f.handler.handle_privacy(f.ws, compliance, eventstore::random_id(), PrivacyRequestKind::kLegalHold, who).is_ok());
    auto erase = f.handler.handle_privacy(f.ws, f.owner, eventstore::random_id(), PrivacyRequestKind::kErasure, who);
    REQUIRE_OK(erase);
    CHECK(f.store->is_erasure_deferred(ada.person).value());
    CHECK(f.handler.registration(ada.registration).value()->email == "ada@example.org");
    REQUIRE(f.handler.handle_privacy(f.ws, compliance, eventstore::random_id(), PrivacyRequestKind::kReleaseHold, who).is_ok());
    CHECK(f.store->is_erased(ada.person).value());
    const auto gone = f.handler.registration(ada.registration).value();
    REQUIRE(gone.has_value());
    CHECK(gone->erased);
    CHECK(gone->email.empty());
    // Every request is on record in the workspace's stream.
    const auto entries =
        f.store->read_stream(workspace_stream(f.ws), 1, eventstore::Store::Direction::kForward, 100).value();
    CHECK(std::count_if(entries.begin(), entries.end(),
                        [](const auto& e) { return e.type == "workspace.privacy_requested"; }) == 4);
}
