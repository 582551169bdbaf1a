#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "eventstore/sodium_init.hpp"
#include "tools/cli.hpp"

namespace {

using Command = int (*)(const auditorium::tools::Args&);

const std::map<std::string, std::pair<Command, const char*>>& commands() {
    static const std::map<std::string, std::pair<Command, const char*>> table = {
        {"serve",
         {auditorium::tools::serve_command,
          "open (or create) the store and serve until SIGINT/SIGTERM"}},
        {"ledger",
         {auditorium::tools::ledger_command,
          "the auditor's tools: verify, proof, digest, export, replay (read-only, beside serve); "
          "purge"}},
        {"privacy",
         {auditorium::tools::privacy_command,
          "erasure requests and legal holds (through a running server's admin socket)"}},
        {"keys",
         {auditorium::tools::keys_command,
          "show the ledger's signing key; escrow the master key under a passphrase"}},
        {"projections",
         {auditorium::tools::projections_command,
          "the read models beside a running server: digest (compare with `ledger replay`)"}},
        {"backup",
         {auditorium::tools::backup_command,
          "create, verify and restore backups (signed, with an erasure register)"}},
    };
    return table;
}

int usage(std::FILE* out) {
    std::fprintf(out, "usage: auditorium <command> [options]\n\ncommands:\n");
    for (const auto& [name, entry] : commands())
        std::fprintf(out, "  %-10s %s\n", name.c_str(), entry.second);
    std::fprintf(out, "\n'auditorium <command> --help' describes a command's options.\n");
    return out == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage(stderr);
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") return usage(stdout);
    const auto it = commands().find(name);
    if (it == commands().end()) {
        std::fprintf(stderr, "auditorium: unknown command '%s'\n", name.c_str());
        return usage(stderr);
    }
    // Once, before any command: later uses of libsodium may then treat a failure as a broken
    // invariant (eventstore/sodium_init.hpp).
    if (auto s = auditorium::eventstore::init_sodium(); !s.is_ok())
        return auditorium::tools::report("start-up", s);
    return it->second.first(auditorium::tools::Args(argv + 2, argv + argc));
}
