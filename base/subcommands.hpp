// A program made of subcommands (`auditorium <command>`, `auditorium-bench <benchmark>`): the
// table of names, the usage listing and the choice of the one named by argv[1]. Header only.
// Thread safety: used by main() before any thread starts.
#pragma once

#include <cstdio>
#include <map>
#include <string>

namespace auditorium {

template <class Run>
struct Subcommand {
    Run run;
    const char* summary;
};

template <class Run>
using SubcommandTable = std::map<std::string, Subcommand<Run>>;

// Lists the table on `out`; returns the exit status: 0 when asked for (stdout), 2 after a mistake.
// `noun` names a subcommand in the text ("command", "benchmark").
template <class Run>
int print_usage(std::FILE* out, const char* program, const char* noun,
                const SubcommandTable<Run>& table) {
    std::fprintf(out, "usage: %s <%s> [options]\n\n%ss:\n", program, noun, noun);
    for (const auto& [name, entry] : table)
        std::fprintf(out, "  %-10s %s\n", name.c_str(), entry.summary);
    std::fprintf(out, "\n'%s <%s> --help' describes a %s's options.\n", program, noun, noun);
    return out == stdout ? 0 : 2;
}

// The subcommand argv[1] names, or null with `exit_status` set after printing the usage (to
// stdout for --help, -h and help; to stderr, with the unknown name, otherwise).
template <class Run>
const Subcommand<Run>* choose_subcommand(int argc, char** argv, const char* program,
                                         const char* noun, const SubcommandTable<Run>& table,
                                         int& exit_status) {
    if (argc < 2) {
        exit_status = print_usage(stderr, program, noun, table);
        return nullptr;
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        exit_status = print_usage(stdout, program, noun, table);
        return nullptr;
    }
    const auto it = table.find(name);
    if (it == table.end()) {
        std::fprintf(stderr, "%s: unknown %s '%s'\n", program, noun, name.c_str());
        exit_status = print_usage(stderr, program, noun, table);
        return nullptr;
    }
    return &it->second;
}

}  // namespace auditorium
