#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "base/subcommands.hpp"
#include "eventstore/sodium_init.hpp"
#include "tools/cli.hpp"

namespace {

using Command = int (*)(const auditorium::tools::Args&);

const auditorium::SubcommandTable<Command>& commands() {
    static const auditorium::SubcommandTable<Command> table = {
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

}  // namespace

int main(int argc, char** argv) {
    int status = 0;
    const auto* chosen =
        auditorium::choose_subcommand(argc, argv, "auditorium", "command", commands(), status);
    if (chosen == nullptr) return status;
    // Once, before any command: later uses of libsodium may then treat a failure as a broken
    // invariant (eventstore/sodium_init.hpp).
    if (auto s = auditorium::eventstore::init_sodium(); !s.is_ok())
        return auditorium::tools::report("start-up", s);
    return chosen->run(auditorium::tools::Args(argv + 2, argv + argc));
}
