// `auditorium-bench replay`: writes a ledger of about N domain events into --data (kept), then
// rebuilds every read model from it into a fresh directory (removed afterwards), and in the same
// run measures the baseline: reading and decrypting the same entries without folding them.
//
// The ledger, written through the command handler (the one write path) and left in --data:
// - per 200,000 events one workspace with 8 members, a role change and an API token;
// - one webinar per 400 registrations (created, edited, published, a moderator, a guest speaker)
//   with one session (scheduled, opened; started and ended at the end);
// - registrations (each an e-mail reservation and the registration: two entries, the person's
//   fields sealed under their key) by 32 threads until about 97% of N, registrations thus being
//   about 90% of all entries; then 2% of them canceled (cancellation and released reservation).
// A --data that already holds a ledger is reused as it is.
//
// Timed: the rebuild (projections::ProjectionRunner::catch_up into a scratch ModelStore) and the
// baseline (Store::read_all in pages of 1000, every section opened), each over the same read-only
// store. The baseline runs before and after the rebuild and the faster run counts. Peak RSS is
// the process's VmHWM, reset (/proc/self/clear_refs) after the ledger is written.
#include <malloc.h>
#include <rocksdb/perf_level.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "base/temp_directory.hpp"
#include "bench/bench_util.hpp"
#include "bench/commands.hpp"
#include "commands/command_handler.hpp"
#include "eventstore/store.hpp"
#include "projections/model_store.hpp"
#include "projections/runner.hpp"

namespace auditorium::bench {
namespace {
namespace fs = std::filesystem;
namespace po = boost::program_options;
using namespace auditorium::domain;

constexpr std::uint64_t kEventsPerWorkspace = 200'000;
constexpr std::uint64_t kRegistrationsPerSession = 400;
constexpr unsigned kWriters = 32;

struct Plan {
    Id ws, owner;
    std::vector<Id> members;
    std::vector<std::pair<Id, Id>> sessions;  // (webinar, session)
};

Status must(const Result<commands::Outcome>& r, const char* what) {
    return r.is_ok() ? Status::ok() : r.status().with_context(what);
}

Status write_ledger(const fs::path& data, std::uint64_t events) {
    eventstore::StoreOptions o;
    o.data_dir = data;
    o.create_if_missing = true;
    AUD_ASSIGN_OR_RETURN(auto store, eventstore::Store::open(o));
    std::atomic<std::int64_t> now{1'800'000'000'000'000};
    commands::CommandHandler handler(*store, *store, commands::system_has_time_zone,
                                     [&now] { return now.load(); });

    const std::uint64_t workspaces = std::max<std::uint64_t>(1, events / kEventsPerWorkspace);
    const std::uint64_t registrations = events * 45 / 100;
    const std::uint64_t sessions_total =
        std::max<std::uint64_t>(1, registrations / kRegistrationsPerSession);
    std::vector<Plan> plans(workspaces);
    std::vector<std::tuple<Id, Id, Id>> all_sessions;  // (workspace, owner, session)
    for (std::uint64_t w = 0; w < workspaces; ++w) {
        Plan& p = plans[w];
        p.ws = eventstore::random_id();
        p.owner = eventstore::random_id();
        const std::string slug = "company-" + std::to_string(w);
        AUD_RETURN_IF_ERROR(must(handler.handle(WorkspaceCommand{CreateWorkspace{
                                     p.ws, "Company " + std::to_string(w), slug, p.owner}}),
                                 "workspace"));
        for (int m = 0; m < 8; ++m) {
            const Id member = eventstore::random_id();
            const auto role = m == 0   ? WorkspaceRole::kAdmin
                              : m == 1 ? WorkspaceRole::kCompliance
                                       : WorkspaceRole::kMember;
            AUD_RETURN_IF_ERROR(
                must(handler.handle(WorkspaceCommand{InviteMember{p.ws, p.owner, member, role}}),
                     "member"));
            p.members.push_back(member);
        }
        AUD_RETURN_IF_ERROR(must(handler.handle(WorkspaceCommand{ChangeMemberRole{
                                     p.ws, p.owner, p.members[2], WorkspaceRole::kAdmin}}),
                                 "role"));
        AUD_RETURN_IF_ERROR(must(handler.handle(WorkspaceCommand{CreateApiToken{
                                     p.ws, p.owner, eventstore::random_id(), "crm"}}),
                                 "token"));
        const Actor owner{p.ws, p.owner, WorkspaceRole::kOwner};
        const std::uint64_t mine =
            share_of(sessions_total, static_cast<unsigned>(workspaces), static_cast<unsigned>(w));
        for (std::uint64_t s = 0; s < mine; ++s) {
            const Id webinar = eventstore::random_id();
            const Id session = eventstore::random_id();
            WebinarSettings settings;
            settings.title = "Webinar " + std::to_string(s);
            settings.slug = "webinar-" + std::to_string(s);
            settings.description = "What is new this quarter, and questions.";
            settings.fields.push_back(
                RegistrationField{"company", "Company", RegistrationField::Kind::kText, {}, false});
            AUD_RETURN_IF_ERROR(
                must(handler.handle(WebinarCommand{CreateWebinar{owner, webinar, settings}}),
                     "webinar"));
            settings.title += " (updated)";
            AUD_RETURN_IF_ERROR(must(
                handler.handle(WebinarCommand{EditWebinar{owner, webinar, settings}}), "edit"));
            AUD_RETURN_IF_ERROR(
                must(handler.handle(WebinarCommand{PublishWebinar{owner, webinar}}), "publish"));
            AUD_RETURN_IF_ERROR(must(handler.handle(WebinarCommand{AssignModerator{
                                         owner, webinar, p.members[3], WorkspaceRole::kMember}}),
                                     "moderator"));
            AUD_RETURN_IF_ERROR(
                must(handler.handle(WebinarCommand{InviteGuestSpeaker{
                         owner, webinar, eventstore::random_id(),
                         "guest" + std::to_string(s) + "@example.org", "Guest", "Speaker"}}),
                     "guest"));
            AUD_RETURN_IF_ERROR(must(handler.handle(SessionCommand{ScheduleSession{
                                         owner, session, now.load() + 7 * 86'400'000'000LL,
                                         "Europe/Paris", 60, Id(), webinar}}),
                                     "schedule"));
            AUD_RETURN_IF_ERROR(
                must(handler.handle(SessionCommand{OpenSession{owner, session}}), "open"));
            p.sessions.emplace_back(webinar, session);
            all_sessions.emplace_back(p.ws, p.owner, session);
        }
    }
    // Registrations by many writers at once, as a popular launch sees them.
    const std::uint64_t stop_at = events * 97 / 100;
    std::atomic<std::uint64_t> next{0};
    std::mutex failed_mu;
    Status failed = Status::ok();
    std::vector<std::vector<std::pair<Id, Id>>> made(
        kWriters);  // (registration, person) per writer
    std::vector<std::thread> writers;
    for (unsigned t = 0; t < kWriters; ++t) {
        writers.emplace_back([&, t] {
            while (store->head() < stop_at) {
                const std::uint64_t i = next++;
                Register r;
                r.registration = eventstore::random_id();
                r.person = eventstore::random_id();
                r.session = std::get<2>(all_sessions[i % all_sessions.size()]);
                r.email = "person" + std::to_string(i) + "@example.org";
                r.first_name = "Person";
                r.last_name = "Number " + std::to_string(i);
                r.answers["company"] = {"Example Ltd"};
                r.consent = true;
                r.link_token = r.registration.hex() + r.person.hex();
                r.access_key = std::to_string(1000 + i % 9000);
                auto done = handler.handle(RegistrationCommand{r});
                if (!done) {
                    std::lock_guard lock(failed_mu);
                    if (failed.is_ok()) failed = done.status().with_context("registration");
                    return;
                }
                made[t].emplace_back(r.registration, r.person);
            }
        });
    }
    for (auto& w : writers) w.join();
    AUD_RETURN_IF_ERROR(failed);
    for (auto& mine : made) {
        for (std::size_t i = 0; i < mine.size(); i += 50) {
            AUD_RETURN_IF_ERROR(must(handler.handle(RegistrationCommand{
                                         CancelRegistration{mine[i].first, mine[i].second}}),
                                     "cancel"));
        }
    }
    for (std::size_t i = 0; i < all_sessions.size(); i += 2) {
        const auto& [ws, owner, session] = all_sessions[i];
        const Actor actor{ws, owner, WorkspaceRole::kOwner};
        AUD_RETURN_IF_ERROR(
            must(handler.handle(SessionCommand{StartSession{actor, session}}), "start"));
        AUD_RETURN_IF_ERROR(
            must(handler.handle(SessionCommand{EndSession{actor, session}}), "end"));
    }
    return Status::ok();
}

// Reads and opens every entry, folding nothing: the floor of any rebuild.
Result<double> read_all_seconds(eventstore::Store& store, std::uint64_t& sections) {
    const auto start = Clock::now();
    sections = 0;
    for (eventstore::Position p = 1; p <= store.head();) {
        AUD_ASSIGN_OR_RETURN(auto page, store.read_all(p, 1000));
        if (page.empty()) break;
        for (const auto& e : page) sections += e.sections.size();
        p = page.back().position + 1;
    }
    return seconds_between(start, Clock::now());
}

void reset_peak_rss() {
    malloc_trim(0);
    std::ofstream("/proc/self/clear_refs") << "5";
}

}  // namespace

int replay_command(const Args& args) {
    po::options_description desc("auditorium-bench replay [options]");
    desc.add_options()("help,h", "this help")(
        "data", po::value<std::string>()->required(),
        "ledger directory (written if it holds no ledger; kept)")(
        "events", po::value<std::uint64_t>()->default_value(1'000'000), "domain events to write");
    po::variables_map vm;
    if (auto stop = parse_bench_options("auditorium-bench replay", desc, args, vm)) return *stop;
    const fs::path data = vm["data"].as<std::string>();
    const std::uint64_t events = vm["events"].as<std::uint64_t>();
    if (events < 1000) {
        std::fprintf(stderr, "auditorium-bench replay: events: at least 1000\n");
        return 2;
    }
    if (!fs::exists(data / "CURRENT")) {
        std::fprintf(stderr, "replay: writing about %llu domain events into %s (untimed)\n",
                     static_cast<unsigned long long>(events), data.c_str());
        const auto start = Clock::now();
        if (Status s = write_ledger(data, events); !s.is_ok()) {
            std::fprintf(stderr, "replay: writing the ledger: %s\n", s.to_string().c_str());
            return 1;
        }
        std::fprintf(stderr, "replay: written in %.0f s\n", seconds_between(start, Clock::now()));
    }
    reset_peak_rss();
    // The rebuild's threads switch RocksDB's per-thread statistics off (runner.cpp); the baseline
    // runs on this thread, so it gets the same.
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    eventstore::StoreOptions ro;
    ro.data_dir = data;
    ro.read_only = true;
    auto store = eventstore::Store::open(ro);
    if (!store) {
        std::fprintf(stderr, "replay: %s\n", store.status().to_string().c_str());
        return 1;
    }
    const std::uint64_t n = (*store)->head();
    std::uint64_t sections = 0;
    auto baseline_first = read_all_seconds(**store, sections);
    if (!baseline_first) {
        std::fprintf(stderr, "replay: baseline: %s\n", baseline_first.status().to_string().c_str());
        return 1;
    }
    auto scratch = TempDirectory::make(data.parent_path(), "replay-models-");
    if (!scratch) {
        std::fprintf(stderr, "replay: %s\n", scratch.status().to_string().c_str());
        return 1;
    }
    double fold_seconds = 0;
    {
        auto models = projections::ModelStore::open(scratch->path() / "models",
                                                    projections::ModelStore::Mode::kScratch);
        if (!models) {
            std::fprintf(stderr, "replay: %s\n", models.status().to_string().c_str());
            return 1;
        }
        projections::ProjectionRunner runner(**store, **store, **models);
        const auto start = Clock::now();
        auto reached = runner.catch_up();
        fold_seconds = seconds_between(start, Clock::now());
        if (!reached || *reached != n) {
            std::fprintf(
                stderr, "replay: rebuild: %s\n",
                reached ? "stopped short of the head" : reached.status().to_string().c_str());
            return 1;
        }
    }
    auto baseline_again = read_all_seconds(**store, sections);
    if (!baseline_again) {
        std::fprintf(stderr, "replay: baseline: %s\n", baseline_again.status().to_string().c_str());
        return 1;
    }
    const double baseline_seconds = std::min(*baseline_first, *baseline_again);
    const double events_per_s = static_cast<double>(n) / fold_seconds;
    const double baseline_per_s = static_cast<double>(n) / baseline_seconds;
    const double rss = peak_rss_mib();
    std::fprintf(
        stderr,
        "replay: %llu entries (%llu sealed sections): rebuilt every read model in %.1f s (%.0f "
        "events/s); "
        "read and decrypted without folding in %.1f s (%.0f events/s); peak RSS %.0f MiB\n",
        static_cast<unsigned long long>(n), static_cast<unsigned long long>(sections), fold_seconds,
        events_per_s, baseline_seconds, baseline_per_s, rss);
    JsonLine line;
    line.add("bench", "replay")
        .add("events", n)
        .add("events_per_s", events_per_s, 1)
        .add("baseline_events_per_s", baseline_per_s, 1)
        .add("ratio", events_per_s / baseline_per_s, 3)
        .add("peak_rss_mb", rss, 1);
    std::cout << line.str() << std::endl;
    return 0;
}

}  // namespace auditorium::bench
