// The `auditorium` command line: one function per subcommand, chosen by a table in main.cpp.
// Each returns the process exit code; errors go to stderr as one line naming the problem.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "eventstore/store.hpp"

namespace auditorium::tools {

using Args = std::vector<std::string>;

int serve_command(const Args& args);

// Shared by every command that touches a store: --data DIR, --keys DIR (default: keys beside data).
struct StoreLocation {
    std::filesystem::path data;
    std::filesystem::path keys;
};

// Prints "auditorium: <context>: <status>" on stderr and returns the exit code for it.
int report(const std::string& context, const Status& status);

}  // namespace auditorium::tools
