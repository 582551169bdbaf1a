#include <cstdio>
#include <map>
#include <string>
#include <utility>

#include "bench/commands.hpp"

namespace {

using Command = int (*)(const auditorium::bench::Args&);

const std::map<std::string, std::pair<Command, const char*>>& commands() {
    static const std::map<std::string, std::pair<Command, const char*>> table = {
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

int usage(std::FILE* out) {
    std::fprintf(out, "usage: auditorium-bench <benchmark> [options]\n\nbenchmarks:\n");
    for (const auto& [name, entry] : commands())
        std::fprintf(out, "  %-10s %s\n", name.c_str(), entry.second);
    std::fprintf(out, "\n'auditorium-bench <benchmark> --help' describes a benchmark's options.\n");
    return out == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage(stderr);
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") return usage(stdout);
    const auto it = commands().find(name);
    if (it == commands().end()) {
        std::fprintf(stderr, "auditorium-bench: unknown benchmark '%s'\n", name.c_str());
        return usage(stderr);
    }
    return it->second.first(auditorium::bench::Args(argv + 2, argv + argc));
}
