// The read models over a real store: a live runner following commands, rebuilds from zero,
// resumption from a checkpoint, erasure, tenant isolation, the room and the media grants, and
// what the data directory holds in clear.
#include "projections/runner.hpp"

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <sstream>

#include "commands/command_handler.hpp"
#include "domain/event_codec.hpp"
#include "domain/rejection.hpp"
#include "domain/room.hpp"
#include "projections/digest.hpp"
#include "projections/read_models.hpp"
#include "tests/support/domain_builders.hpp"
#include "tests/support/handler_fixture.hpp"
#include "tests/support/status.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::commands;
using namespace auditorium::domain;
using namespace auditorium::projections;
using namespace auditorium::testing;
using R = WorkspaceRole;

namespace {

const auto kWait = std::chrono::seconds(30);

template <class T>
T must(Result<T> r) {
    REQUIRE_OK(r);
    return std::move(r).value();
}

std::unique_ptr<ModelStore> open_models(const std::filesystem::path& dir,
                                        ModelStore::Mode mode = ModelStore::Mode::kReadWrite) {
    auto m = ModelStore::open(dir, mode);
    REQUIRE_OK(m);
    return std::move(m).value();
}

// A purgeable store, the command handler, and live read models fed by a runner thread.
struct Live : HandlerFixture {
    std::filesystem::path models_dir = default_models_dir(dir.data());
    std::unique_ptr<ModelStore> models = open_models(models_dir);
    std::unique_ptr<ProjectionRunner> runner =
        std::make_unique<ProjectionRunner>(*store, *store, *models);
    ReadModels read{*models, *store, *store};

    Live() : HandlerFixture(StoreKind::kPurgeable) { runner->start(); }
    ~Live() { runner->stop(); }

    // Runs a command and waits until the models show it (the read-your-write of the gateway).
    template <class Command>
    Outcome run(const Command& c) {
        auto r = handler.handle(c);
        REQUIRE_OK(r);
        REQUIRE(runner->wait_for(r->position, std::chrono::steady_clock::now() + kWait) >=
                r->position);
        return *r;
    }
    void settle() {
        REQUIRE(runner->wait_for(store->head(), std::chrono::steady_clock::now() + kWait) ==
                store->head());
    }
};

struct Tenant {
    Id ws = eventstore::random_id();
    Id owner = eventstore::random_id();
    Id webinar = eventstore::random_id();
    Id session = eventstore::random_id();
    Actor as_owner() const { return Actor{ws, owner, R::kOwner}; }
};

Tenant open_tenant(Live& live, const std::string& slug) {
    Tenant t;
    live.run(WorkspaceCommand{CreateWorkspace{t.ws, "Company " + slug, slug, t.owner}});
    WebinarSettings settings = launch_settings();
    settings.title = "Launch of " + slug;
    live.run(WebinarCommand{CreateWebinar{t.as_owner(), t.webinar, settings}});
    live.run(WebinarCommand{PublishWebinar{t.as_owner(), t.webinar}});
    live.run(SessionCommand{ScheduleSession{t.as_owner(), t.session, live.clock.now() + 24 * kHour,
                                            "Europe/Paris", 60, Id(), t.webinar}});
    live.run(SessionCommand{OpenSession{t.as_owner(), t.session}});
    return t;
}

Register registration(const Id& session, const std::string& email, const std::string& last_name) {
    Register r = a_registration(eventstore::random_id(), eventstore::random_id(), session, email);
    r.last_name = last_name;
    return r;
}

// A rebuild of every model from position 1 into a fresh directory.
std::vector<ModelDigest> rebuilt(eventstore::Store& store, eventstore::Position to = UINT64_MAX) {
    TempDir scratch;
    auto models = open_models(scratch / "models", ModelStore::Mode::kScratch);
    ProjectionRunner runner(store, store, *models);
    must(runner.catch_up(to));
    return must(digest_models(*models, store));
}

void same_digests(const std::vector<ModelDigest>& a, const std::vector<ModelDigest>& b) {
    REQUIRE(a.size() == kModels.size());
    REQUIRE(b.size() == kModels.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO(a[i].model);
        CHECK(a[i].model == b[i].model);
        CHECK(a[i].position == b[i].position);
        CHECK(a[i].rows == b[i].rows);
        CHECK(a[i].sha256_hex == b[i].sha256_hex);
    }
}

// The scenario most tests share: two companies, members, guests, registrations, a cancellation.
struct Scenario {
    Live live;
    Tenant a = open_tenant(live, "acme");
    Tenant b = open_tenant(live, "globex");
    Id guest = eventstore::random_id();
    std::vector<Register> people;
    Scenario() {
        live.run(WorkspaceCommand{InviteMember{a.ws, a.owner, eventstore::random_id(), R::kAdmin}});
        live.run(WorkspaceCommand{ChangeWorkspaceSettings{b.ws, b.owner, std::nullopt, false}});
        live.run(WebinarCommand{InviteGuestSpeaker{a.as_owner(), a.webinar, guest,
                                                   "grace@example.org", "Grace", "Hopper"}});
        for (int i = 0; i < 6; ++i) {
            const Tenant& t = i % 3 == 2 ? b : a;
            people.push_back(registration(t.session, "person" + std::to_string(i) + "@example.org",
                                          "Surname" + std::to_string(i)));
            live.run(RegistrationCommand{people.back()});
        }
        live.run(RegistrationCommand{CancelRegistration{people[0].registration, people[0].person}});
    }
};

}  // namespace

TEST_CASE(
    "the live models follow commands: members, catalog, company page, registration page, counts") {
    Scenario s;
    auto ws = must(s.live.read.workspace(s.a.ws));
    REQUIRE(ws.has_value());
    CHECK(ws->members.size() == 2);
    CHECK(ws->members.at(s.a.owner) == R::kOwner);
    CHECK(must(s.live.read.webinars(s.a.ws)).size() == 1);
    auto page = must(s.live.read.company_page(s.a.ws));
    REQUIRE(page.has_value());
    REQUIRE(page->size() == 1);
    CHECK(page->at(0).settings.title == "Launch of acme");
    CHECK_FALSE(must(s.live.read.company_page(s.b.ws)).has_value());  // switched off
    auto reg_page = must(s.live.read.registration_page(s.a.webinar));
    REQUIRE(reg_page.has_value());
    REQUIRE(reg_page->sessions.size() == 1);
    CHECK(reg_page->sessions[0].time_zone == "Europe/Paris");
    auto counts = must(s.live.read.counts(s.a.ws, s.a.session));
    REQUIRE(counts.has_value());
    CHECK(counts->registered == 3);  // 4 registered, 1 canceled
    CHECK(counts->canceled == 1);
    auto rows = must(s.live.read.registrations(s.a.ws, s.a.session));
    REQUIRE(rows.size() == 4);
    std::size_t open_rows = 0;
    for (const auto& r : rows) {
        if (r.registered.email == s.people[1].email) {
            CHECK(r.registered.last_name == "Surname1");
            CHECK_FALSE(r.canceled);
        }
        if (r.registered.registration == s.people[0].registration) CHECK(r.canceled);
        if (!r.registered.erased) ++open_rows;
    }
    CHECK(open_rows == 4);
    // A private event leaves the company page and loses its registration page.
    WebinarSettings hidden = must(s.live.read.webinar(s.a.ws, s.a.webinar))->settings;
    hidden.is_public = false;
    s.live.run(WebinarCommand{EditWebinar{s.a.as_owner(), s.a.webinar, hidden}});
    CHECK(must(s.live.read.company_page(s.a.ws))->empty());
    CHECK_FALSE(must(s.live.read.registration_page(s.a.webinar)).has_value());
}

TEST_CASE("tenant isolation: one workspace's ids read as absent through another workspace") {
    Scenario s;
    CHECK_FALSE(must(s.live.read.webinar(s.b.ws, s.a.webinar)).has_value());
    CHECK_FALSE(must(s.live.read.session(s.b.ws, s.a.session)).has_value());
    CHECK(must(s.live.read.registrations(s.b.ws, s.a.session)).empty());
    CHECK_FALSE(must(s.live.read.counts(s.b.ws, s.a.session)).has_value());
    for (const auto& w : must(s.live.read.webinars(s.b.ws))) CHECK(w.workspace == s.b.ws);
    for (const auto& r : must(s.live.read.registrations(s.b.ws, s.b.session)))
        CHECK(r.registered.workspace == s.b.ws);
    CHECK(must(s.live.read.registrations(s.b.ws, s.b.session)).size() == 2);
    // An owner of one workspace is anyone else in the other's room.
    Visitor intruder;
    intruder.member = Actor{s.b.ws, s.b.owner, R::kOwner};
    CHECK(must(s.live.read.admission(s.a.session, intruder)).entry == RoomAccess::Entry::kNone);
    Visitor owner;
    owner.member = s.a.as_owner();
    CHECK(must(s.live.read.admission(s.a.session, owner)).entry == RoomAccess::Entry::kEnter);
}

TEST_CASE(
    "the room finds registrants by link or by e-mail and key, the media grants follow the "
    "session") {
    Scenario s;
    const Register& ada = s.people[1];
    auto by_link = must(s.live.read.registrant_by_link(s.a.session, ada.link_token));
    REQUIRE(by_link.has_value());
    CHECK(by_link->id == ada.registration);
    auto by_email =
        must(s.live.read.registrant_by_email(s.a.session, "  PERSON1@example.org ", "1815"));
    REQUIRE(by_email.has_value());
    CHECK(by_email->person == ada.person);
    CHECK_FALSE(must(s.live.read.registrant_by_email(s.a.session, ada.email, "0000")).has_value());
    CHECK_FALSE(must(s.live.read.registrant_by_link(s.b.session, ada.link_token)).has_value());

    Visitor registrant;
    registrant.registration = *by_link;
    CHECK(must(s.live.read.admission(s.a.session, registrant)).entry ==
          RoomAccess::Entry::kWaitOutside);
    auto grant = must(s.live.read.media_grant(s.a.session));
    REQUIRE(grant.has_value());
    CHECK(grant->status == SessionStatus::kUpcoming);
    CHECK(grant->team == std::vector<Id>{s.a.owner});
    CHECK(grant->guests.size() == 1);
    s.live.run(SessionCommand{StartSession{s.a.as_owner(), s.a.session}});
    CHECK(must(s.live.read.admission(s.a.session, registrant)).entry == RoomAccess::Entry::kEnter);
    grant = must(s.live.read.media_grant(s.a.session));
    CHECK(grant->status == SessionStatus::kLive);
    const auto& as_registrant =
        grant->by_audience[static_cast<std::size_t>(RoomAudience::kRegistrant)];
    CHECK(as_registrant == room_access(SessionStatus::kLive, true, RoomAudience::kRegistrant));
    CHECK(as_registrant.publish_when_invited);
    CHECK_FALSE(as_registrant.publish);
}

TEST_CASE("a rebuild from zero equals the live models, and so does one resumed from a checkpoint") {
    Scenario s;
    s.live.settle();
    const auto live = must(digest_models(*s.live.models, *s.live.store));
    same_digests(live, rebuilt(*s.live.store));

    // Resumed: half the log folded and committed, the process gone, the rest folded by a new
    // runner.
    TempDir scratch;
    const auto half = s.live.store->head() / 2;
    {
        auto models = open_models(scratch / "models");
        ProjectionRunner first(*s.live.store, *s.live.store, *models);
        CHECK(must(first.catch_up(half)) == half);
    }
    auto models = open_models(scratch / "models");
    CHECK(must(models->checkpoint(kRegistrations)) == half);
    ProjectionRunner second(*s.live.store, *s.live.store, *models);
    CHECK(must(second.catch_up()) == s.live.store->head());
    same_digests(live, must(digest_models(*models, *s.live.store)));
}

TEST_CASE(
    "an erasure removes the person's data from every read model while the counts stay right") {
    Scenario s;
    const Register& ada = s.people[1];
    const Id compliance = eventstore::random_id();
    s.live.run(WorkspaceCommand{InviteMember{s.a.ws, s.a.owner, compliance, R::kCompliance}});
    auto erased = s.live.handler.handle_privacy(
        s.a.ws, compliance, eventstore::random_id(), PrivacyRequestKind::kErasure,
        PrivacySubject{PrivacySubject::Kind::kRegistrant, ada.registration, Id()});
    REQUIRE_OK(erased);
    s.live.settle();
    auto rows = must(s.live.read.registrations(s.a.ws, s.a.session));
    REQUIRE(rows.size() == 4);
    for (const auto& r : rows) {
        if (r.registered.registration != ada.registration) continue;
        CHECK(r.registered.erased);
        CHECK(r.registered.email.empty());
        CHECK(r.registered.last_name.empty());
    }
    auto counts = must(s.live.read.counts(s.a.ws, s.a.session));
    CHECK(counts->registered == 3);
    CHECK(counts->canceled == 1);
    CHECK_FALSE(must(s.live.read.registrant_by_email(s.a.session, ada.email, "1815")).has_value());
    CHECK_FALSE(must(s.live.read.registrant_by_link(s.a.session, ada.link_token)).has_value());
    // The subject index still says where the person's data was (pseudonymously): access and audit.
    CHECK_FALSE(must(s.live.read.entries_of(ada.person)).empty());
    // And a rebuild, which never saw the data, ends where the live models are.
    same_digests(must(digest_models(*s.live.models, *s.live.store)), rebuilt(*s.live.store));
}

TEST_CASE(
    "no e-mail address or name is in clear anywhere under the data, keys and models directories") {
    Scenario s;
    s.live.settle();
    s.live.runner->stop();
    s.live.models.reset();  // every file closed, logs included
    for (const auto& p : s.people) {
        CHECK(files_containing(s.live.dir.dir.path(), p.email).empty());
        CHECK(files_containing(s.live.dir.dir.path(), p.last_name).empty());
    }
    CHECK(files_containing(s.live.dir.dir.path(), "grace@example.org").empty());
    CHECK(files_containing(s.live.dir.dir.path(), "Hopper").empty());
    // The search itself works: the event titles are not personal and are there.
    CHECK_FALSE(files_containing(s.live.dir.dir.path(), "Launch of acme").empty());
}

TEST_CASE("the audit index finds entries by actor, type and time, the subject index by person") {
    Scenario s;
    s.live.settle();
    const auto by_owner = must(s.live.read.by_actor(s.a.owner));
    CHECK(by_owner.size() >= 6);
    for (const auto& r : by_owner)
        CHECK(must(s.live.store->read_all(r.position, 1))[0].actor == s.a.owner);
    const auto created = must(s.live.read.by_type("registration.created"));
    CHECK(created.size() == 6);
    const auto all = must(s.live.read.between(0, INT64_MAX));
    CHECK(all.size() == s.live.store->head());
    const auto of_ada = must(s.live.read.entries_of(s.people[1].person));
    REQUIRE(of_ada.size() == 1);
    CHECK(must(s.live.store->read_all(of_ada[0], 1))[0].type == "registration.created");
}

TEST_CASE("the time index answers a window from the second it starts at") {
    Live live;
    open_tenant(live, "acme");
    live.settle();
    const auto early_head = live.store->head();
    const std::int64_t early = live.clock.now();
    live.clock.advance(kHour);
    open_tenant(live, "globex");
    live.settle();
    const std::int64_t late = live.clock.now();

    const auto before = must(live.read.between(early, late));
    CHECK(before.size() == early_head);
    for (const auto& r : before) CHECK((r.position <= early_head && r.time_us == early));
    const auto after = must(live.read.between(late, INT64_MAX));
    CHECK(after.size() == live.store->head() - early_head);
    for (const auto& r : after) CHECK((r.position > early_head && r.time_us == late));
    // Inside a second: only what was recorded from that microsecond on.
    CHECK(must(live.read.between(late + 1, INT64_MAX)).empty());
    CHECK(must(live.read.between(early + 1, late + 1)).size() == after.size());
    CHECK(must(live.read.between(late - kHour / 2, late)).empty());
}

namespace {
// Stops the live runner, sets checkpoints as `set` says, and checks a new runner refuses to go on.
void refused_after(Live& live, const std::function<void(ModelStore::Batch&)>& set,
                   const std::string& says) {
    live.runner->stop();
    {
        auto batch = live.models->batch(*live.store);
        set(*batch);
        REQUIRE(live.models->commit(*batch).is_ok());
    }
    ProjectionRunner again(*live.store, *live.store, *live.models);
    auto r = again.catch_up();
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(r.status().message(), Catch::Matchers::Contains(says));
}
}  // namespace

TEST_CASE("models whose checkpoints disagree are refused, not half-fed") {
    Live live;
    open_tenant(live, "acme");
    refused_after(
        live, [](ModelStore::Batch& b) { b.set_checkpoint(kAudit, 1); }, "rebuild");
}

TEST_CASE(
    "after a purge the live models and a rebuild, which starts from the snapshots, are equal") {
    Scenario s;
    s.live.settle();
    const auto before = must(digest_models(*s.live.models, *s.live.store));
    s.live.clock.advance(3 * kDay);  // everything so far is past the day of retention
    auto purged = must(s.live.store->purge());
    CHECK(purged.entries_purged > 20);
    CHECK(purged.snapshots_appended > 10);
    s.live.settle();
    const auto live = must(digest_models(*s.live.models, *s.live.store));
    same_digests(live, rebuilt(*s.live.store));
    // The state models hold what they held; the indexes lost the purged entries.
    for (std::size_t i = 0; i < live.size(); ++i) {
        if (live[i].model == kAudit.name || live[i].model == kSubjects.name) continue;
        INFO(live[i].model);
        CHECK(live[i].sha256_hex == before[i].sha256_hex);
    }
    const auto rows = must(s.live.read.registrations(s.a.ws, s.a.session));
    REQUIRE(rows.size() == 4);
    CHECK(must(s.live.read.counts(s.a.ws, s.a.session))->registered == 3);
    CHECK(must(s.live.read.entries_of(s.people[1].person)).size() == 1);  // now its snapshot
}

TEST_CASE("the first schema version's fixture ledger folds into the read models") {
    // Appended as written by the first version (tests/domain/fixtures/events-v1.txt), each event to
    // its aggregate's stream, its personal part sealed under its person's key.
    StoreDir dir;
    auto store = dir.open();
    std::ifstream in(AUD_DOMAIN_FIXTURES "/events-v1.txt");
    REQUIRE(in.good());
    Id ws, webinar, session, registration, person;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.front() == '#') continue;
        std::istringstream words(line);
        std::string type, version, clear_hex, personal_hex;
        words >> type >> version >> clear_hex >> personal_hex;
        StoredEvent stored;
        const std::string clear = from_hex(clear_hex).value();
        const std::optional<std::string> personal =
            personal_hex == "-" ? std::nullopt
                                : std::optional<std::string>(from_hex(personal_hex).value());
        stored.type = type;
        stored.schema_version = static_cast<std::uint16_t>(std::stoi(version));
        stored.clear = clear;
        if (personal) stored.personal = std::string_view(*personal);
        std::string stream;
        Id subject;
        const std::string family = type.substr(0, type.find('.'));
        if (family == "workspace") {
            const auto e = must(decode_workspace_event(stored));
            if (const auto* c = std::get_if<WorkspaceCreated>(&e)) ws = c->workspace;
            stream = workspace_stream(ws);
        } else if (family == "webinar") {
            const auto e = must(decode_webinar_event(stored));
            if (const auto* c = std::get_if<WebinarCreated>(&e)) webinar = c->webinar;
            if (const auto* g = std::get_if<GuestSpeakerInvited>(&e)) subject = g->guest;
            stream = webinar_stream(webinar);
        } else if (family == "session") {
            const auto e = must(decode_session_event(stored));
            if (const auto* c = std::get_if<SessionScheduled>(&e)) session = c->session;
            stream = session_stream(session);
        } else if (type == "registration.email_reserved") {
            stream = reservation_stream(session, "fixture");
        } else {
            const auto e = must(decode_registration_event(stored));
            if (const auto* r = std::get_if<Registered>(&e)) {
                registration = r->registration;
                person = subject = r->person;
            }
            stream = registration_stream(registration);
        }
        eventstore::NewEvent event;
        event.event_id = eventstore::random_id();
        event.type = type;
        event.schema_version = stored.schema_version;
        event.clear = clear;
        if (personal) {
            event.subject = subject;
            event.sections.push_back({subject, eventstore::KeyClass::kPersonal, *personal});
        }
        must_append(*store, stream, {std::move(event)});
    }
    TempDir scratch;
    auto models = open_models(scratch / "models");
    ProjectionRunner runner(*store, *store, *models);
    CHECK(must(runner.catch_up()) == store->head());
    ReadModels read(*models, *store, *store);
    const auto w = must(read.workspace(ws));
    REQUIRE(w.has_value());
    CHECK(w->name == "Acme Inc");
    CHECK(w->members.size() == 2);
    const auto webinars = must(read.webinars(ws));
    REQUIRE(webinars.size() == 1);
    CHECK(webinars[0].published);
    CHECK(webinars[0].guests.size() == 1);
    REQUIRE(must(read.session(ws, session)).has_value());
    const auto rows = must(read.registrations(ws, session));
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].registered.person == person);
    CHECK_FALSE(rows[0].registered.email.empty());
    CHECK(must(read.counts(ws, session))->registered == 1);
    CHECK(must(read.media_grant(session)).has_value());
}

TEST_CASE(
    "an access request finds every entry holding the person's data through the subject index") {
    Scenario s;
    const Id compliance = eventstore::random_id();
    s.live.run(WorkspaceCommand{InviteMember{s.a.ws, s.a.owner, compliance, R::kCompliance}});
    const PrivacySubject grace{PrivacySubject::Kind::kGuestSpeaker, s.guest, s.a.webinar};
    // Without the read models the handler says what it lacks, and records nothing.
    const auto head = s.live.store->head();
    auto refused = s.live.handler.handle_privacy(s.a.ws, compliance, eventstore::random_id(),
                                                 PrivacyRequestKind::kAccess, grace);
    REQUIRE_FALSE(refused.is_ok());
    CHECK(rejection_of(refused.status())->rule == "access_needs_read_models");
    CHECK(s.live.store->head() == head);

    s.live.handler.use_read_models(&s.live.read);
    auto access = s.live.handler.handle_privacy(s.a.ws, compliance, eventstore::random_id(),
                                                PrivacyRequestKind::kAccess, grace);
    REQUIRE_OK(access);
    REQUIRE(access->entries.size() == 1);
    CHECK(access->entries[0].type == "webinar.guest_speaker_invited");
    REQUIRE(access->entries[0].sections.size() == 1);
    CHECK(access->entries[0].sections[0].plaintext.find("grace@example.org") != std::string::npos);
    // A registrant: their registration, through the index too.
    auto registrant = s.live.handler.handle_privacy(
        s.a.ws, compliance, eventstore::random_id(), PrivacyRequestKind::kAccess,
        PrivacySubject{PrivacySubject::Kind::kRegistrant, s.people[1].registration, Id()});
    REQUIRE(registrant.is_ok());
    REQUIRE(registrant->registrant.has_value());
    REQUIRE(registrant->entries.size() == 1);
    CHECK(registrant->entries[0].type == "registration.created");
    // Another workspace's owner finds nobody.
    auto cross = s.live.handler.handle_privacy(s.b.ws, s.b.owner, eventstore::random_id(),
                                               PrivacyRequestKind::kAccess, grace);
    CHECK(cross.status().code() == StatusCode::kNotFound);
}

TEST_CASE("read models ahead of the ledger (a restored ledger) are refused, not mixed") {
    Live live;
    open_tenant(live, "acme");
    live.settle();
    const auto beyond = live.store->head() + 5;
    refused_after(
        live,
        [beyond](ModelStore::Batch& b) {
            for (auto model : kModels) b.set_checkpoint(model, beyond);
        },
        "delete the models directory");
}

TEST_CASE(
    "read models of another format are refused at open, naming the directory and what to do") {
    TempDir scratch;
    const auto dir = scratch / "models";
    const auto refused = [&](ModelStore::Mode mode, const std::string& format) {
        auto m = ModelStore::open(dir, mode);
        REQUIRE_FALSE(m.is_ok());
        CHECK(m.status().code() == StatusCode::kFailedPrecondition);
        CHECK_THAT(m.status().message(), Catch::Matchers::Contains(dir.string()));
        CHECK_THAT(m.status().message(), Catch::Matchers::Contains("have format " + format));
        CHECK_THAT(m.status().message(), Catch::Matchers::Contains("delete that directory"));
    };
    const auto raw_put = [&](const std::string& key, const std::string& value) {
        rocksdb::DB* raw = nullptr;
        REQUIRE(rocksdb::DB::Open(rocksdb::Options(), dir.string(), &raw).ok());
        std::unique_ptr<rocksdb::DB> db(raw);
        REQUIRE(db->Put(rocksdb::WriteOptions(), key, value).ok());
    };

    // Fresh models record this version's format and open again.
    open_models(dir).reset();
    open_models(dir).reset();
    open_models(dir, ModelStore::Mode::kReadOnly).reset();

    // Another version's format.
    raw_put("f", "7");
    refused(ModelStore::Mode::kReadWrite, "7");
    refused(ModelStore::Mode::kReadOnly, "7");

    // Rows from before the format was recorded are the first format.
    std::filesystem::remove_all(dir);
    {
        rocksdb::Options o;
        o.create_if_missing = true;
        rocksdb::DB* raw = nullptr;
        REQUIRE(rocksdb::DB::Open(o, dir.string(), &raw).ok());
        std::unique_ptr<rocksdb::DB> db(raw);
        REQUIRE(
            db->Put(rocksdb::WriteOptions(), std::string("mh") + std::string(24, '\1'), "").ok());
    }
    refused(ModelStore::Mode::kReadWrite, "1");
}
