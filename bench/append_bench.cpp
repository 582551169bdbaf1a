// `auditorium-bench append`: N threads append M events (B per append) to a fresh store; then, in
// the same run, the baseline: the same threads write as many synced values to a fresh raw RocksDB.
//
// What is measured, and what is not:
// - Each event: a random event id, type "bench.appended", a clear part of a few bytes, and ONE
//   sealed section of --payload-bytes bytes under KeyClass::kPersonal, its subject drawn uniformly
//   from the appending thread's own pool (--subjects-per-appender). Event ids come from a
//   per-thread generator seeded by the OS, so the benchmark spends no getrandom() call per event
//   on itself (eventstore::random_id() costs one).
// - Key creation is NOT measured. Before the clock starts, an untimed warm-up appends one small
//   event per pool subject (streams "warmup-<thread>"), so every subject's key exists and the
//   timed run measures sealing under an existing (cached) key. The warm-up events stay in the
//   ledger and are not counted.
// - Appender t appends to its own streams "bench-<t>-<k>", k rotating over
//   --streams-per-appender, with ExpectedVersion::any(). Each appender has one append in flight
//   at a time. By default each appender is a thread calling the blocking append(); with
//   --threads T < N, T threads run the N appenders through append_async(), as a server does that
//   serves many clients on few threads: an appender's next append starts on whichever thread is
//   free once its previous one is acknowledged.
// - Wall time runs from the moment every thread is ready until the last append is acknowledged;
//   building the events is inside it. Latency is per append (B events), from the call to the
//   acknowledgement, building excluded.
// - Baseline, as RocksDB's `db_bench fillseq --sync=1`: default options plus create_if_missing,
//   one key per event (BE32(thread) || BE64(sequence)), a value of --payload-bytes random bytes,
//   B keys per WriteBatch, one synced Write per batch, from N threads (one per appender: RocksDB's
//   Write() blocks, so N concurrent writers need N threads, whatever --threads says).
// The store's data is kept in --data (keys beside it); the baseline's directory is removed.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <boost/program_options.hpp>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>

#include "base/big_endian.hpp"
#include "bench/bench_util.hpp"
#include "bench/commands.hpp"
#include "eventstore/store.hpp"

namespace auditorium::bench {
namespace {
namespace fs = std::filesystem;
namespace po = boost::program_options;
using eventstore::ExpectedVersion;
using eventstore::KeyClass;
using eventstore::NewEvent;

constexpr const char* kName = "auditorium-bench append";
constexpr std::uint64_t kWarmUpEventsPerAppend = 1'000;

struct AppendConfig {
    fs::path data;
    fs::path keys;      // default_keys_dir(data)
    fs::path baseline;  // data + "-baseline"
    unsigned appenders = 0;
    unsigned threads = 0;  // == appenders: blocking appends; fewer: append_async()
    std::uint64_t events = 0;
    std::uint64_t batch = 1;
    std::size_t payload_bytes = 500;
    std::size_t subjects_per_appender = 1'000;
    std::size_t streams_per_appender = 100;
    bool force = false;
};

// The first failure any thread meets; the others stop at their next step.
class FirstError {
public:
    void set(Status s) {
        std::lock_guard lock(mu_);
        if (status_.is_ok()) status_ = std::move(s);
        failed_.store(true, std::memory_order_relaxed);
    }
    bool failed() const { return failed_.load(std::memory_order_relaxed); }
    Status get() const {
        std::lock_guard lock(mu_);
        return status_;
    }

private:
    std::atomic<bool> failed_{false};
    mutable std::mutex mu_;
    Status status_;  // GUARDED_BY(mu_)
};

// A timed phase: its wall time, the CPU time the process used meanwhile (background flushes and
// compactions included), and one latency sample per append or write.
struct Timed {
    double seconds = 0;
    double cpu_seconds = 0;
    std::vector<std::uint32_t> latencies_us;
};

std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(rng());
    return out;
}

std::mt19937_64 seeded_rng() {
    std::random_device rd;
    return std::mt19937_64((std::uint64_t{rd()} << 32) ^ rd());
}

// ---- arguments ----

po::options_description append_options() {
    po::options_description desc(
        "auditorium-bench append --data DIR --appenders N --events M [options]");
    desc.add_options()("help,h", "this help")(
        "data", po::value<std::string>()->required(),
        "fresh ledger directory (kept afterwards); keys go to 'keys' beside it, the baseline to "
        "DIR-baseline (removed afterwards)")(
        "appenders", po::value<std::int64_t>()->required(),
        "concurrent appenders, each with one append in flight")(
        "threads", po::value<std::int64_t>()->default_value(0),
        "threads running the appenders: 0 (the default) for one thread per appender calling the "
        "blocking append(); 1..N-1 to run them through append_async()")(
        "events", po::value<std::int64_t>()->required(), "timed events in total, split evenly")(
        "payload-bytes", po::value<std::int64_t>()->default_value(500),
        "bytes in each event's sealed section (and each baseline value)")(
        "batch", po::value<std::int64_t>()->default_value(1), "events per append (1..10000)")(
        "subjects-per-appender", po::value<std::int64_t>()->default_value(1'000),
        "subjects each thread draws from; their keys are made by the untimed warm-up")(
        "streams-per-appender", po::value<std::int64_t>()->default_value(100),
        "streams each thread rotates over")(
        "force", "delete what is in the data, keys and baseline directories first");
    return desc;
}

Result<AppendConfig> to_config(const po::variables_map& vm) {
    AppendConfig c;
    c.data = vm["data"].as<std::string>();
    if (c.data.empty()) return invalid_argument("--data must name a directory");
    if (!c.data.has_filename()) c.data = c.data.parent_path();  // "dir/" -> "dir"
    c.keys = eventstore::default_keys_dir(c.data);
    c.baseline = c.data.string() + "-baseline";
    AUD_ASSIGN_OR_RETURN(const auto appenders, in_range(vm, "appenders", 1, 4096));
    AUD_ASSIGN_OR_RETURN(const auto events, in_range(vm, "events", 1, std::int64_t{1} << 40));
    AUD_ASSIGN_OR_RETURN(const auto batch, in_range(vm, "batch", 1, 10'000));
    AUD_ASSIGN_OR_RETURN(const auto payload, in_range(vm, "payload-bytes", 0, 16 << 20));
    AUD_ASSIGN_OR_RETURN(const auto subjects, in_range(vm, "subjects-per-appender", 1, 1'000'000));
    AUD_ASSIGN_OR_RETURN(const auto streams, in_range(vm, "streams-per-appender", 1, 1'000'000));
    c.appenders = static_cast<unsigned>(appenders);
    AUD_ASSIGN_OR_RETURN(const auto threads, in_range(vm, "threads", 0, appenders));
    c.threads = threads == 0 ? c.appenders : static_cast<unsigned>(threads);
    c.events = static_cast<std::uint64_t>(events);
    c.batch = static_cast<std::uint64_t>(batch);
    c.payload_bytes = static_cast<std::size_t>(payload);
    c.subjects_per_appender = static_cast<std::size_t>(subjects);
    c.streams_per_appender = static_cast<std::size_t>(streams);
    c.force = vm.count("force") > 0;
    return c;
}

// ---- the store ----

// 128 random bits from `rng`; unique in practice, like eventstore::random_id() but no syscall.
Id random_id(std::mt19937_64& rng) {
    Id::Bytes b;
    for (std::size_t half = 0; half < 2; ++half) {
        const std::uint64_t v = rng();
        for (std::size_t i = 0; i < 8; ++i)
            b[half * 8 + i] = static_cast<std::uint8_t>(v >> (8 * i));
    }
    return Id(b);
}

NewEvent bench_event(const Id& event_id, const Id& subject, std::string plaintext, std::string type,
                     std::string clear) {
    NewEvent e;
    e.event_id = event_id;
    e.type = std::move(type);
    e.subject = subject;
    e.clear = std::move(clear);
    e.sections.push_back({subject, KeyClass::kPersonal, std::move(plaintext)});
    return e;
}

// Makes each thread's subject pool and creates every pool subject's key, untimed.
Result<std::vector<std::vector<Id>>> warm_up(eventstore::Store& store, const AppendConfig& c) {
    std::vector<std::vector<Id>> pools(c.appenders);
    FirstError error;
    const double seconds = run_timed_threads(c.appenders, [&](unsigned t) {
        auto& pool = pools[t];
        for (std::size_t i = 0; i < c.subjects_per_appender; ++i)
            pool.push_back(eventstore::random_id());
        const std::string stream = "warmup-" + std::to_string(t);
        for (std::size_t done = 0; done < pool.size() && !error.failed();) {
            const std::size_t n = std::min<std::size_t>(kWarmUpEventsPerAppend, pool.size() - done);
            std::vector<NewEvent> events;
            for (std::size_t i = 0; i < n; ++i) {
                events.push_back(bench_event(eventstore::random_id(), pool[done + i], "warm-up",
                                             "bench.warmed_up", "w"));
            }
            auto r = store.append(stream, ExpectedVersion::any(), std::move(events));
            if (!r) error.set(r.status().with_context("warm-up append to " + stream));
            done += n;
        }
    });
    if (error.failed()) return error.get();
    std::fprintf(stderr, "  warm-up (untimed): %zu events, one per subject, in %.2f s\n",
                 c.subjects_per_appender * c.appenders, seconds);
    return pools;
}

Result<Timed> time_store(eventstore::Store& store, const AppendConfig& c,
                         const std::vector<std::vector<Id>>& pools) {
    std::vector<std::vector<std::uint32_t>> latencies(c.appenders);
    FirstError error;
    Timed out;
    const double cpu_before = process_cpu_seconds();
    out.seconds = run_timed_threads(c.appenders, [&](unsigned t) {
        const std::uint64_t mine = share_of(c.events, c.appenders, t);
        std::vector<std::string> streams;
        for (std::size_t k = 0; k < c.streams_per_appender; ++k) {
            streams.push_back("bench-" + std::to_string(t) + "-" + std::to_string(k));
        }
        auto rng = seeded_rng();
        std::uniform_int_distribution<std::size_t> pick(0, pools[t].size() - 1);
        const std::string payload = random_bytes(rng, c.payload_bytes);
        auto& lat = latencies[t];
        lat.reserve(mine / c.batch + 1);
        std::uint64_t done = 0;
        for (std::size_t k = 0; done < mine && !error.failed(); ++k) {
            const std::uint64_t n = std::min(c.batch, mine - done);
            std::vector<NewEvent> events;
            events.reserve(n);
            for (std::uint64_t i = 0; i < n; ++i) {
                events.push_back(bench_event(random_id(rng), pools[t][pick(rng)], payload,
                                             "bench.appended", "n=" + std::to_string(done + i)));
            }
            const std::string& stream = streams[k % streams.size()];
            const auto start = Clock::now();
            auto r = store.append(stream, ExpectedVersion::any(), std::move(events));
            lat.push_back(micros_between(start, Clock::now()));
            if (!r) error.set(r.status().with_context("append to " + stream));
            done += n;
        }
    });
    out.cpu_seconds = process_cpu_seconds() - cpu_before;
    if (error.failed()) return error.get();
    for (auto& l : latencies) out.latencies_us.insert(out.latencies_us.end(), l.begin(), l.end());
    return out;
}

// The appenders run by c.threads threads through append_async(): a queue of appenders whose
// previous append was acknowledged; a free thread takes one, builds its next append and starts it.
Result<Timed> time_store_async(eventstore::Store& store, const AppendConfig& c,
                               const std::vector<std::vector<Id>>& pools) {
    struct Appender {
        std::uint64_t mine = 0;
        std::uint64_t done = 0;  // events acknowledged
        std::size_t appends = 0;
        std::vector<std::string> streams;
        std::mt19937_64 rng;
        std::string payload;
        std::vector<std::uint32_t> latencies_us;
    };
    std::vector<Appender> appenders(c.appenders);
    for (unsigned t = 0; t < c.appenders; ++t) {
        Appender& a = appenders[t];
        a.mine = share_of(c.events, c.appenders, t);
        for (std::size_t k = 0; k < c.streams_per_appender; ++k) {
            a.streams.push_back("bench-" + std::to_string(t) + "-" + std::to_string(k));
        }
        a.rng = seeded_rng();
        a.payload = random_bytes(a.rng, c.payload_bytes);
        a.latencies_us.reserve(a.mine / c.batch + 1);
    }
    std::mutex mu;
    std::condition_variable cv;
    std::deque<unsigned> ready;         // GUARDED_BY(mu)
    unsigned unfinished = c.appenders;  // GUARDED_BY(mu)
    for (unsigned t = 0; t < c.appenders; ++t) ready.push_back(t);
    FirstError error;

    Timed out;
    const double cpu_before = process_cpu_seconds();
    out.seconds = run_timed_threads(c.threads, [&](unsigned) {
        for (;;) {
            unsigned t = 0;
            {
                std::unique_lock lock(mu);
                cv.wait(lock, [&] { return !ready.empty() || unfinished == 0; });
                if (ready.empty()) return;
                t = ready.front();
                ready.pop_front();
            }
            Appender& a = appenders[t];
            if (a.done >= a.mine || error.failed()) {
                std::lock_guard lock(mu);
                if (--unfinished == 0) cv.notify_all();
                continue;
            }
            const std::uint64_t n = std::min(c.batch, a.mine - a.done);
            std::uniform_int_distribution<std::size_t> pick(0, pools[t].size() - 1);
            std::vector<NewEvent> events;
            events.reserve(n);
            for (std::uint64_t i = 0; i < n; ++i) {
                events.push_back(bench_event(random_id(a.rng), pools[t][pick(a.rng)], a.payload,
                                             "bench.appended", "n=" + std::to_string(a.done + i)));
            }
            const std::string& stream = a.streams[a.appends++ % a.streams.size()];
            const auto start = Clock::now();
            // Runs on the store's writer thread: only records and requeues.
            store.append_async(stream, ExpectedVersion::any(), std::move(events),
                               [&, t, n, start, stream](const Result<eventstore::AppendResult>& r) {
                                   Appender& me = appenders[t];
                                   me.latencies_us.push_back(micros_between(start, Clock::now()));
                                   if (!r)
                                       error.set(r.status().with_context("append to " + stream));
                                   me.done += n;
                                   // Notified under the lock: once it is released, the last
                                   // thread may return and `cv` be gone.
                                   std::lock_guard lock(mu);
                                   ready.push_back(t);
                                   cv.notify_one();
                               });
        }
    });
    out.cpu_seconds = process_cpu_seconds() - cpu_before;
    if (error.failed()) return error.get();
    for (auto& a : appenders) {
        out.latencies_us.insert(out.latencies_us.end(), a.latencies_us.begin(),
                                a.latencies_us.end());
    }
    return out;
}

// ---- the baseline ----

Result<Timed> time_baseline(const AppendConfig& c) {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status opened = rocksdb::DB::Open(options, c.baseline.string(), &raw);
    if (!opened.ok()) {
        return unavailable("opening baseline RocksDB " + c.baseline.string() + ": " +
                           opened.ToString());
    }
    std::unique_ptr<rocksdb::DB> db(raw);

    std::vector<std::vector<std::uint32_t>> latencies(c.appenders);
    FirstError error;
    Timed out;
    const double cpu_before = process_cpu_seconds();
    out.seconds = run_timed_threads(c.appenders, [&](unsigned t) {
        const std::uint64_t mine = share_of(c.events, c.appenders, t);
        auto rng = seeded_rng();
        // Values are windows of a larger random buffer, so no two keys in a block share bytes
        // that compression could exploit (the store's sealed sections are incompressible too).
        const std::string pool =
            random_bytes(rng, std::max<std::size_t>(c.payload_bytes * 64, 1 << 16));
        const std::size_t span = pool.size() - c.payload_bytes + 1;
        rocksdb::WriteOptions wo;
        wo.sync = true;
        auto& lat = latencies[t];
        lat.reserve(mine / c.batch + 1);
        std::string key;
        for (std::uint64_t seq = 0; seq < mine && !error.failed();) {
            rocksdb::WriteBatch wb;
            const std::uint64_t end = std::min(mine, seq + c.batch);
            for (; seq < end; ++seq) {
                key.clear();
                put_be32(key, t);
                put_be64(key, seq);
                const std::size_t offset = (seq * 7919) % span;
                wb.Put(key, rocksdb::Slice(pool.data() + offset, c.payload_bytes));
            }
            const auto start = Clock::now();
            const rocksdb::Status s = db->Write(wo, &wb);
            lat.push_back(micros_between(start, Clock::now()));
            if (!s.ok()) error.set(unavailable("baseline write: " + s.ToString()));
        }
    });
    out.cpu_seconds = process_cpu_seconds() - cpu_before;
    const rocksdb::Status closed = db->Close();
    db.reset();
    if (error.failed()) return error.get();
    if (!closed.ok()) return unavailable("closing baseline RocksDB: " + closed.ToString());
    for (auto& l : latencies) out.latencies_us.insert(out.latencies_us.end(), l.begin(), l.end());
    return out;
}

// ---- reporting ----

double per_second(std::uint64_t events, double seconds) {
    return seconds > 0 ? static_cast<double>(events) / seconds : 0;
}

double cpu_us_per_event(const Timed& timed, std::uint64_t events) {
    return events > 0 ? timed.cpu_seconds * 1e6 / static_cast<double>(events) : 0;
}

void print_phase(const char* name, const char* unit, const AppendConfig& c, Timed& timed) {
    const LatencySummary l = summarize(timed.latencies_us);
    std::fprintf(stderr,
                 "  %-8s %llu events in %.2f s = %.0f events/s, %.1f us of CPU per event\n"
                 "           per %s (%zu): p50 %.0f us, p90 %.0f us, p99 %.0f us, p99.9 %.0f us, "
                 "max %.0f us\n",
                 name, static_cast<unsigned long long>(c.events), timed.seconds,
                 per_second(c.events, timed.seconds), cpu_us_per_event(timed, c.events), unit,
                 l.count, l.p50_us, l.p90_us, l.p99_us, l.p999_us, l.max_us);
}

int fail(const std::string& context, const Status& status) {
    std::fprintf(stderr, "%s: %s: %s\n", kName, context.c_str(), status.to_string().c_str());
    return status.code() == StatusCode::kInvalidArgument ||
                   status.code() == StatusCode::kFailedPrecondition
               ? 2
               : 1;
}

int run_append(const AppendConfig& c) {
    const std::pair<const char*, const fs::path*> dirs[] = {
        {"the data directory", &c.data},
        {"the keys directory (beside the data directory)", &c.keys},
        {"the baseline directory (data directory + \"-baseline\")", &c.baseline}};
    for (const auto& [role, dir] : dirs) {
        if (Status s = prepare_fresh_dir(*dir, c.force); !s.is_ok()) return fail(role, s);
    }
    std::fprintf(stderr,
                 "append: %u appenders on %u threads (%s), %llu events, %llu per append, "
                 "%zu-byte sealed payload; per appender %zu subjects, %zu streams\n",
                 c.appenders, c.threads, c.threads < c.appenders ? "append_async" : "append",
                 static_cast<unsigned long long>(c.events),
                 static_cast<unsigned long long>(c.batch), c.payload_bytes, c.subjects_per_appender,
                 c.streams_per_appender);

    Timed store_run;
    {
        eventstore::StoreOptions options;
        options.data_dir = c.data;
        options.create_if_missing = true;
        auto store = eventstore::Store::open(options);
        if (!store) return fail("opening the store at " + c.data.string(), store.status());
        auto pools = warm_up(**store, c);
        if (!pools) return fail("warm-up", pools.status());
        auto timed = c.threads < c.appenders ? time_store_async(**store, c, *pools)
                                             : time_store(**store, c, *pools);
        if (!timed) return fail("store run", timed.status());
        store_run = std::move(timed).value();
    }  // the store closes here, before the baseline starts
    print_phase("store:", "append", c, store_run);
    const LatencySummary store_latency = summarize(store_run.latencies_us);
    const double rss = peak_rss_mib();

    auto baseline = time_baseline(c);
    std::error_code ec;
    fs::remove_all(c.baseline, ec);
    if (!baseline) return fail("baseline run", baseline.status());
    print_phase("baseline:", "write", c, *baseline);

    const double events_per_s = per_second(c.events, store_run.seconds);
    const double baseline_per_s = per_second(c.events, baseline->seconds);
    const double ratio = baseline_per_s > 0 ? events_per_s / baseline_per_s : 0;
    std::fprintf(stderr, "  ratio store/baseline: %.3f; peak RSS after the store run %.0f MiB\n",
                 ratio, rss);
    std::fprintf(stderr, "  data kept in %s (keys in %s)\n", c.data.c_str(), c.keys.c_str());
    if (ec)
        std::fprintf(stderr, "  could not remove %s: %s\n", c.baseline.c_str(),
                     ec.message().c_str());

    JsonLine json;
    json.add("bench", std::string_view("append"))
        .add("appenders", std::uint64_t{c.appenders})
        .add("threads", std::uint64_t{c.threads})
        .add("events", c.events)
        .add("batch", c.batch)
        .add("payload_bytes", std::uint64_t{c.payload_bytes})
        .add("events_per_s", events_per_s, 1)
        .add("baseline_events_per_s", baseline_per_s, 1)
        .add("ratio", ratio, 3)
        .add("p50_us", store_latency.p50_us, 0)
        .add("p99_us", store_latency.p99_us, 0)
        .add("cpu_us_per_event", cpu_us_per_event(store_run, c.events), 1)
        .add("baseline_cpu_us_per_event", cpu_us_per_event(*baseline, c.events), 1);
    std::printf("%s\n", json.str().c_str());
    return 0;
}

}  // namespace

int append_command(const Args& args) {
    const po::options_description desc = append_options();
    po::variables_map vm;
    if (auto stop = parse_bench_options(kName, desc, args, vm)) return *stop;
    auto config = to_config(vm);
    if (!config) return fail("arguments", config.status());
    return run_append(*config);
}

}  // namespace auditorium::bench
