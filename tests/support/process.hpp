// A child process for end-to-end tests: started from argv with its stdout and stderr captured
// (merged), read line by line until an expected line shows up, signalled, and reaped.
// Thread safety: one test thread owns it. The destructor kills (SIGKILL) and reaps a live child.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace auditorium::testing {

class Process {
public:
    explicit Process(std::vector<std::string> argv);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    // Reads output until a line contains `needle` (returned) or the child closes its output or the
    // timeout passes (nullopt). Everything read is kept in output().
    std::optional<std::string> wait_for_line(
        const std::string& needle, std::chrono::seconds timeout = std::chrono::seconds(60));
    // Sends `signal_number` to the child; false if kill() failed.
    bool signal(int signal_number);
    // Reads the rest of the output and reaps the child; returns its exit code, or 128 + signal.
    int wait();
    const std::string& output() const { return output_; }

private:
    bool read_some(std::chrono::steady_clock::time_point deadline);

    pid_t pid_ = -1;
    int fd_ = -1;
    std::string output_;
    std::size_t scanned_ = 0;
    bool reaped_ = false;
};

// Runs argv to completion; returns (exit code, merged output).
std::pair<int, std::string> run(std::vector<std::string> argv);

// A finished child's exit code (or 128 + signal) and what it wrote to each stream.
struct Outcome {
    int code = -1;
    std::string out;
    std::string err;
};

// Runs argv to completion with its stdout and stderr captured apart, for tests of which stream a
// message goes to. Standard input is read from `input`. A child still running after `timeout` is
// killed (SIGKILL, so code 137), so a command that should have stopped cannot hang the test.
Outcome run_apart(std::vector<std::string> argv, const std::filesystem::path& input = "/dev/null",
                  std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace auditorium::testing
