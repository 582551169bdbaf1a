// Small helpers shared by the benchmarks: latency percentiles, the JSON result line, peak memory,
// fresh directories, and running a body on N threads from a common start.
//
// Thread safety: free functions are thread-safe; JsonLine and LatencySummary are plain values.
#pragma once

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/status.hpp"

namespace auditorium::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}
inline std::uint32_t micros_between(Clock::time_point from, Clock::time_point to) {
    return static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(to - from).count());
}

// Percentiles of a set of latency samples, in microseconds, by the nearest-rank method.
struct LatencySummary {
    std::size_t count = 0;
    double p50_us = 0;
    double p90_us = 0;
    double p99_us = 0;
    double p999_us = 0;
    double max_us = 0;
};
// Sorts `samples_us` in place. An empty set gives all zeros.
LatencySummary summarize(std::vector<std::uint32_t>& samples_us);
// REQUIRES: `sorted` is sorted ascending and not empty; 0 < p <= 100.
double percentile(const std::vector<std::uint32_t>& sorted, double p);

// One JSON object on one line, fields in the order added. Keys and string values are ASCII
// identifiers chosen by the benchmark, so only '"' and '\\' are escaped.
class JsonLine {
public:
    JsonLine& add(std::string_view key, std::string_view value);
    JsonLine& add(std::string_view key, std::uint64_t value);
    // Fixed-point with `decimals` digits; non-finite values are written as null.
    JsonLine& add(std::string_view key, double value, int decimals);
    std::string str() const { return "{" + body_ + "}"; }

private:
    void key(std::string_view k);
    std::string body_;
};

// The process's peak resident set (VmHWM) in MiB, or -1 when /proc does not say.
double peak_rss_mib();

// CPU time the whole process has used so far (user + system, every thread), in seconds. On a
// shared VM whose speed moves from minute to minute, CPU per event is steadier than events/s.
double process_cpu_seconds();

// Makes `dir` ready for a fresh run: absent (fine), or an empty directory (fine), or else refused
// with FailedPrecondition naming it, unless `force`, which deletes everything under it.
Status prepare_fresh_dir(const std::filesystem::path& dir, bool force);

// Runs body(thread_index) on `threads` threads. Every thread first signals it is ready; the clock
// starts when all are, and stops when the last body returns. Returns the wall time in seconds.
double run_timed_threads(unsigned threads, const std::function<void(unsigned)>& body);

// Parses `args` against `desc` (which has --help) into `vm`: an exit code to stop with (help shown:
// 0; bad arguments: 2, the message on stderr after `name`), or nullopt to go on.
std::optional<int> parse_bench_options(const char* name,
                                       const boost::program_options::options_description& desc,
                                       const std::vector<std::string>& args,
                                       boost::program_options::variables_map& vm);

// The integer option `name` (declared as std::int64_t), or InvalidArgument naming it when it is
// outside lo..hi.
Result<std::int64_t> in_range(const boost::program_options::variables_map& vm, const char* name,
                              std::int64_t lo, std::int64_t hi);

// `total` split over `parts` as evenly as possible: part `index` gets this many.
std::uint64_t share_of(std::uint64_t total, unsigned parts, unsigned index);

}  // namespace auditorium::bench
