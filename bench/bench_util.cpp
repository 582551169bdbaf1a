#include "bench/bench_util.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <latch>
#include <thread>

namespace auditorium::bench {
namespace fs = std::filesystem;

double percentile(const std::vector<std::uint32_t>& sorted, double p) {
    assert(!sorted.empty() && p > 0 && p <= 100);
    const auto rank =
        static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

LatencySummary summarize(std::vector<std::uint32_t>& samples_us) {
    LatencySummary s;
    s.count = samples_us.size();
    if (samples_us.empty()) return s;
    std::sort(samples_us.begin(), samples_us.end());
    s.p50_us = percentile(samples_us, 50);
    s.p90_us = percentile(samples_us, 90);
    s.p99_us = percentile(samples_us, 99);
    s.p999_us = percentile(samples_us, 99.9);
    s.max_us = samples_us.back();
    return s;
}

void JsonLine::key(std::string_view k) {
    if (!body_.empty()) body_ += ',';
    body_ += '"';
    body_ += k;
    body_ += "\":";
}

JsonLine& JsonLine::add(std::string_view k, std::string_view value) {
    key(k);
    body_ += '"';
    for (char c : value) {
        if (c == '"' || c == '\\') body_ += '\\';
        body_ += c;
    }
    body_ += '"';
    return *this;
}

JsonLine& JsonLine::add(std::string_view k, std::uint64_t value) {
    key(k);
    body_ += std::to_string(value);
    return *this;
}

JsonLine& JsonLine::add(std::string_view k, double value, int decimals) {
    key(k);
    if (!std::isfinite(value)) {
        body_ += "null";
        return *this;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    body_ += buf;
    return *this;
}

double peak_rss_mib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // in kB
    }
    return -1;
}

double process_cpu_seconds() {
    rusage u{};
    if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

Status prepare_fresh_dir(const fs::path& dir, bool force) {
    std::error_code ec;
    const auto st = fs::symlink_status(dir, ec);
    if (!fs::exists(st)) return Status::ok();
    if (!fs::is_directory(st)) {
        if (!force) return failed_precondition(dir.string() + " exists and is not a directory");
    } else if (fs::is_empty(dir, ec) && !ec) {
        return Status::ok();
    } else if (!force) {
        return failed_precondition(dir.string() +
                                   " exists and is not empty; choose a fresh directory, or pass "
                                   "--force to delete what is in it");
    }
    fs::remove_all(dir, ec);
    if (ec) return unavailable("removing " + dir.string() + ": " + ec.message());
    return Status::ok();
}

double run_timed_threads(unsigned threads, const std::function<void(unsigned)>& body) {
    std::latch ready(threads);
    std::latch go(1);
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            ready.count_down();
            go.wait();
            body(t);
        });
    }
    ready.wait();
    const auto start = Clock::now();
    go.count_down();
    for (auto& th : pool) th.join();
    return seconds_between(start, Clock::now());
}

std::uint64_t share_of(std::uint64_t total, unsigned parts, unsigned index) {
    return total / parts + (index < total % parts ? 1 : 0);
}

std::optional<int> parse_bench_options(const char* name,
                                       const boost::program_options::options_description& desc,
                                       const std::vector<std::string>& args,
                                       boost::program_options::variables_map& vm) {
    namespace po = boost::program_options;
    try {
        po::store(po::command_line_parser(args).options(desc).run(), vm);
        if (vm.count("help")) {
            std::cout << desc << "\n";
            return 0;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        std::fprintf(stderr, "%s: %s (see --help)\n", name, e.what());
        return 2;
    }
    return std::nullopt;
}

Result<std::int64_t> in_range(const boost::program_options::variables_map& vm, const char* name,
                              std::int64_t lo, std::int64_t hi) {
    const auto v = vm[name].as<std::int64_t>();
    if (v < lo || v > hi) {
        return invalid_argument("--" + std::string(name) + " must be in " + std::to_string(lo) +
                                ".." + std::to_string(hi) + ", not " + std::to_string(v));
    }
    return v;
}

}  // namespace auditorium::bench
