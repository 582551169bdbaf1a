#include <cstdio>
#include <map>
#include <string>
#include <utility>

#include "base/subcommands.hpp"
#include "bench/commands.hpp"

namespace {

using Command = int (*)(const auditorium::bench::Args&);

const auditorium::SubcommandTable<Command>& commands() {
    static const auditorium::SubcommandTable<Command> table = {
        {"append",
         {auditorium::bench::append_command,
          "concurrent appends to a fresh store vs raw RocksDB synced writes"}},
        {"proof",
         {auditorium::bench::proof_command,
          "inclusion and consistency proof latency at 10 million entries vs a RocksDB point read"}},
        {"replay",
         {auditorium::bench::replay_command,
          "rebuilding every read model from 1M domain events vs reading and decrypting them"}},
        {"seal",
         {auditorium::bench::seal_command,
          "per-event sealing, encoding and leaf hashing vs libsodium's AEAD and OpenSSL's "
          "SHA-256"}},
        {"verify",
         {auditorium::bench::verify_command,
          "hash-only verification vs OpenSSL SHA-256; export vs raw read; proof latency"}},
    };
    return table;
}

}  // namespace

int main(int argc, char** argv) {
    int status = 0;
    const auto* chosen = auditorium::choose_subcommand(argc, argv, "auditorium-bench", "benchmark",
                                                       commands(), status);
    if (chosen == nullptr) return status;
    return chosen->run(auditorium::bench::Args(argv + 2, argv + argc));
}
