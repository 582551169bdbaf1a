// `auditorium-bench verify`: the auditor's hash-only verification (no key) against OpenSSL's
// SHA-256 over the same entry bytes; exports against a raw read of the same entries; and proof
// latency. The ledger is written first (batched appends, untimed) and kept in DIR.
#include <openssl/evp.h>
#include <rocksdb/db.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <random>

#include "base/big_endian.hpp"
#include "bench/bench_util.hpp"
#include "bench/commands.hpp"
#include "eventstore/store.hpp"

namespace auditorium::bench {
namespace po = boost::program_options;
namespace {

using eventstore::Store;

Status fill(const std::filesystem::path& data, std::uint64_t entries, std::size_t payload) {
    eventstore::StoreOptions o;
    o.data_dir = data;
    o.create_if_missing = true;
    auto store = Store::open(o);
    if (!store) return store.status();
    std::mt19937_64 rng(7);
    std::vector<Id> people(1000);
    for (auto& p : people) p = eventstore::random_id();
    const std::string body(payload, 'x');
    for (std::uint64_t done = 0; done < entries;) {
        const std::uint64_t n = std::min<std::uint64_t>(1000, entries - done);
        std::vector<eventstore::NewEvent> batch(n);
        for (auto& e : batch) {
            Id::Bytes b;
            for (auto& c : b) c = static_cast<std::uint8_t>(rng());
            e.event_id = Id(b);
            e.type = "bench.verified";
            const Id& who = people[rng() % people.size()];
            e.subject = who;
            e.sections.push_back({who, eventstore::KeyClass::kPersonal, body});
        }
        auto r = (*store)->append("bench-" + std::to_string(done / 1000 % 64),
                                  eventstore::ExpectedVersion::any(), std::move(batch));
        if (!r) return r.status();
        done += n;
    }
    return Status::ok();
}

// Reads every entry's bytes through RocksDB, as fast as it can: the floor for any export.
struct RawRead {
    std::uint64_t entries = 0;
    std::uint64_t bytes = 0;
    double seconds = 0;
    double sha_seconds = 0;  // SHA-256 over each entry, by OpenSSL (EVP, SHA extensions)
};

Result<RawRead> raw_read(const std::filesystem::path& data, bool hash) {
    std::vector<std::string> names;
    rocksdb::DBOptions dbo;
    if (auto s = rocksdb::DB::ListColumnFamilies(dbo, data.string(), &names); !s.ok()) {
        return unavailable(s.ToString());
    }
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    cfs.reserve(names.size());
    for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    if (auto s = rocksdb::DB::OpenForReadOnly(dbo, data.string(), cfs, &handles, &raw); !s.ok()) {
        return unavailable(s.ToString());
    }
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* ledger = nullptr;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == "ledger") ledger = handles[i];
    }
    RawRead r;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const EVP_MD* md = EVP_sha256();
    unsigned char out[32];
    const auto start = Clock::now();
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), ledger));
    double sha = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const rocksdb::Slice v = it->value();
        ++r.entries;
        r.bytes += v.size();
        if (hash) {
            const auto t0 = Clock::now();
            static const unsigned char kLeafPrefix = 0;
            EVP_DigestInit_ex(ctx, md, nullptr);
            EVP_DigestUpdate(ctx, &kLeafPrefix, 1);
            EVP_DigestUpdate(ctx, v.data(), v.size());
            EVP_DigestFinal_ex(ctx, out, nullptr);
            sha += seconds_between(t0, Clock::now());
        }
    }
    r.seconds = seconds_between(start, Clock::now());
    r.sha_seconds = sha;
    EVP_MD_CTX_free(ctx);
    it.reset();
    for (auto* h : handles) (void)db->DestroyColumnFamilyHandle(h);
    return r;
}

// Microseconds per RocksDB point read of a random position in 1..n of the ledger at `data`, over
// `gets` reads, through a raw read-only open (no store around it).
Result<double> raw_point_read_us(const std::filesystem::path& data, std::uint64_t n, unsigned gets,
                                 std::mt19937_64& rng) {
    rocksdb::DBOptions dbo;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    std::vector<std::string> names;
    if (auto s = rocksdb::DB::ListColumnFamilies(dbo, data.string(), &names); !s.ok())
        return unavailable(s.ToString());
    std::size_t ledger_cf = 0;
    for (std::size_t i = 0; i < names.size(); ++i) {
        cfs.emplace_back(names[i], rocksdb::ColumnFamilyOptions());
        if (names[i] == "ledger") ledger_cf = i;
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw_db = nullptr;
    if (auto s = rocksdb::DB::OpenForReadOnly(dbo, data.string(), cfs, &handles, &raw_db);
        !s.ok()) {
        return unavailable(s.ToString());
    }
    std::unique_ptr<rocksdb::DB> db(raw_db);
    std::string value;
    Status failed;
    const auto g0 = Clock::now();
    for (unsigned i = 0; i < gets && failed.is_ok(); ++i) {
        const std::uint64_t p = 1 + rng() % n;
        if (!db->Get(rocksdb::ReadOptions(), handles[ledger_cf], be64(p), &value).ok()) {
            failed = unavailable("raw read of position " + std::to_string(p) + " failed");
        }
    }
    const double us = seconds_between(g0, Clock::now()) * 1e6 / gets;
    for (auto* h : handles) (void)db->DestroyColumnFamilyHandle(h);
    if (!failed.is_ok()) return failed;
    return us;
}

// Fills the ledger at `data` (options "entries" and "payload-bytes") unless it exists; false, after
// saying why on stderr, when it cannot.
bool ensure_ledger(const char* command, const std::filesystem::path& data,
                   const po::variables_map& vm) {
    if (std::filesystem::exists(data / "CURRENT")) return true;
    std::fprintf(stderr, "%s: writing %llu entries into %s (untimed)\n", command,
                 static_cast<unsigned long long>(vm["entries"].as<std::uint64_t>()), data.c_str());
    const auto start = Clock::now();
    if (Status s =
            fill(data, vm["entries"].as<std::uint64_t>(), vm["payload-bytes"].as<std::size_t>());
        !s.is_ok()) {
        std::fprintf(stderr, "%s: %s\n", command, s.to_string().c_str());
        return false;
    }
    std::fprintf(stderr, "%s: written in %.0f s\n", command, seconds_between(start, Clock::now()));
    return true;
}

// A read-only (secondary) open beside the writer's files, without the keys.
eventstore::StoreOptions read_only_options(const std::filesystem::path& data) {
    eventstore::StoreOptions ro;
    ro.data_dir = data;
    ro.read_only = true;
    ro.with_keys = false;
    return ro;
}

// MB of JSONL and seconds of a signed export of the ledger at `data` (opened as `ro`, with keys).
Result<std::pair<double, double>> time_export(eventstore::StoreOptions ro,
                                              const std::filesystem::path& data) {
    ro.with_keys = true;
    auto keyed = Store::open(ro);
    if (!keyed) return keyed.status();
    eventstore::ExportOptions eo;
    eo.out = data.parent_path() / "bench-export.jsonl";
    const auto start = Clock::now();
    auto exported = (*keyed)->export_ledger(eo);
    const double seconds = seconds_between(start, Clock::now());
    if (!exported) return exported.status().with_context("export");
    const double mb = static_cast<double>(std::filesystem::file_size(eo.out)) / 1e6;
    std::filesystem::remove(eo.out);
    std::filesystem::remove(eo.out.string() + ".minisig");
    return std::pair{mb, seconds};
}

}  // namespace

int verify_command(const Args& args) {
    po::options_description desc("auditorium-bench verify [options]");
    desc.add_options()("help,h", "this help")("data", po::value<std::string>()->required(),
                                              "ledger directory (created and filled if absent)")(
        "entries", po::value<std::uint64_t>()->default_value(200'000),
        "entries to write when creating")(
        "payload-bytes", po::value<std::size_t>()->default_value(500), "sealed payload per entry")(
        "proofs", po::value<unsigned>()->default_value(2000), "proofs to time");
    po::variables_map vm;
    if (auto stop = parse_bench_options("auditorium-bench verify", desc, args, vm)) return *stop;
    const std::filesystem::path data = vm["data"].as<std::string>();
    if (!ensure_ledger("verify", data, vm)) return 1;
    // Baselines: OpenSSL's SHA-256 over the same entry bytes, and a raw read of them.
    auto raw = raw_read(data, true);
    if (!raw) {
        std::fprintf(stderr, "verify: %s\n", raw.status().to_string().c_str());
        return 1;
    }
    eventstore::StoreOptions ro = read_only_options(data);
    ro.map_files = true;  // as `ledger verify` and `ledger export` open it
    auto reader = Store::open(ro);
    if (!reader) {
        std::fprintf(stderr, "verify: %s\n", reader.status().to_string().c_str());
        return 1;
    }
    const auto start = Clock::now();
    auto report = (*reader)->verify({});
    const double verify_s = seconds_between(start, Clock::now());
    if (!report) {
        std::fprintf(stderr, "verify: %s\n", report.status().to_string().c_str());
        return 1;
    }
    // Export (needs the keys, to sign) against the raw read.
    auto exported = time_export(ro, data);
    if (!exported) {
        std::fprintf(stderr, "verify: %s\n", exported.status().to_string().c_str());
        return 1;
    }
    const auto [export_mb, export_s] = *exported;
    // Proof latency: inclusion proofs for random positions at the full size.
    const std::uint64_t n = (*reader)->head();
    std::mt19937_64 rng(11);
    std::vector<std::uint32_t> latencies;
    for (unsigned i = 0; i < vm["proofs"].as<unsigned>(); ++i) {
        const auto t0 = Clock::now();
        auto proof = (*reader)->inclusion_proof(1 + rng() % n, n);
        latencies.push_back(micros_between(t0, Clock::now()));
        if (!proof) {
            std::fprintf(stderr, "verify: proof: %s\n", proof.status().to_string().c_str());
            return 1;
        }
    }
    const LatencySummary proof = summarize(latencies);
    const double mb = static_cast<double>(raw->bytes) / 1e6;
    const double mb_per_s = mb / verify_s;
    const double baseline = mb / raw->sha_seconds;
    std::fprintf(
        stderr,
        "verify: %llu entries (%.1f MB) in %.2f s: %.0f entries/s, %.1f MB/s; OpenSSL SHA-256 over "
        "the same "
        "bytes: %.1f MB/s; ratio %.3f\n"
        "export: %.1f MB of JSONL in %.2f s: %.1f MB/s; raw read of the entries: %.1f MB/s\n"
        "inclusion proofs at %llu entries: p50 %.0f us, p99 %.0f us\n",
        static_cast<unsigned long long>(report->entries), mb, verify_s,
        static_cast<double>(report->entries) / verify_s, mb_per_s, baseline, mb_per_s / baseline,
        export_mb, export_s, export_mb / export_s, mb / raw->seconds,
        static_cast<unsigned long long>(n), proof.p50_us, proof.p99_us);
    JsonLine line;
    line.add("bench", "verify")
        .add("entries", report->entries)
        .add("entries_per_s", static_cast<double>(report->entries) / verify_s, 1)
        .add("mb_per_s", mb_per_s, 1)
        .add("baseline_mb_per_s", baseline, 1)
        .add("ratio", mb_per_s / baseline, 3)
        .add("export_mb_per_s", export_mb / export_s, 1)
        .add("raw_read_mb_per_s", mb / raw->seconds, 1)
        .add("proof_p50_us", proof.p50_us, 1)
        .add("proof_p99_us", proof.p99_us, 1);
    std::printf("%s\n", line.str().c_str());
    return 0;
}

int proof_command(const Args& args) {
    po::options_description desc("auditorium-bench proof [options]");
    desc.add_options()("help,h", "this help")("data", po::value<std::string>()->required(),
                                              "ledger directory (created and filled if absent)")(
        "entries", po::value<std::uint64_t>()->default_value(10'000'000),
        "entries to write when creating")("payload-bytes",
                                          po::value<std::size_t>()->default_value(16),
                                          "sealed payload per entry (proofs read only the tree; "
                                          "small entries keep the ledger small)")(
        "proofs", po::value<unsigned>()->default_value(5000), "proofs of each kind to time");
    po::variables_map vm;
    if (auto stop = parse_bench_options("auditorium-bench proof", desc, args, vm)) return *stop;
    const std::filesystem::path data = vm["data"].as<std::string>();
    if (!ensure_ledger("proof", data, vm)) return 1;
    // As `auditorium ledger proof` does: a read-only (secondary) open beside the writer's files.
    auto reader = Store::open(read_only_options(data));
    if (!reader) {
        std::fprintf(stderr, "proof: %s\n", reader.status().to_string().c_str());
        return 1;
    }
    const std::uint64_t n = (*reader)->head();
    const unsigned count = vm["proofs"].as<unsigned>();
    std::mt19937_64 rng(13);
    std::vector<std::uint32_t> inclusion;
    std::vector<std::uint32_t> consistency;
    double inclusion_total_us = 0;
    for (unsigned i = 0; i < count; ++i) {
        const auto t0 = Clock::now();
        auto proof = (*reader)->inclusion_proof(1 + rng() % n, n);
        const auto t1 = Clock::now();
        inclusion.push_back(micros_between(t0, t1));
        inclusion_total_us += seconds_between(t0, t1) * 1e6;
        if (!proof) {
            std::fprintf(stderr, "proof: %s\n", proof.status().to_string().c_str());
            return 1;
        }
        const auto t2 = Clock::now();
        auto c = (*reader)->consistency_proof(1 + rng() % n, n);
        consistency.push_back(micros_between(t2, Clock::now()));
        if (!c) {
            std::fprintf(stderr, "proof: %s\n", c.status().to_string().c_str());
            return 1;
        }
    }
    reader->reset();
    // Baseline: one RocksDB point read of a random ledger entry, the floor of any lookup.
    const auto get_us = raw_point_read_us(data, n, count * 10, rng);
    if (!get_us) {
        std::fprintf(stderr, "proof: %s\n", get_us.status().message().c_str());
        return 1;
    }
    const LatencySummary inc = summarize(inclusion);
    const LatencySummary con = summarize(consistency);
    const double inclusion_mean = inclusion_total_us / count;
    std::fprintf(stderr,
                 "proofs at %llu entries: inclusion p50 %.0f us, p99 %.0f us, mean %.1f us; "
                 "consistency p50 %.0f "
                 "us, p99 %.0f us; raw RocksDB point read %.2f us: an inclusion proof costs %.1f "
                 "point reads\n",
                 static_cast<unsigned long long>(n), inc.p50_us, inc.p99_us, inclusion_mean,
                 con.p50_us, con.p99_us, *get_us, inclusion_mean / *get_us);
    JsonLine line;
    line.add("bench", "proof")
        .add("entries", n)
        .add("inclusion_p50_us", inc.p50_us, 1)
        .add("inclusion_p99_us", inc.p99_us, 1)
        .add("consistency_p50_us", con.p50_us, 1)
        .add("consistency_p99_us", con.p99_us, 1)
        .add("baseline_get_us", *get_us, 2)
        .add("ratio", inclusion_mean / *get_us, 1);
    std::printf("%s\n", line.str().c_str());
    return 0;
}

}  // namespace auditorium::bench
