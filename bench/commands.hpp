// The `auditorium-bench` subcommands: one function per benchmark, chosen by the table in main.cpp.
//
// Every benchmark measures its baseline in the same run, on the same machine and disk. Each returns
// the process exit code (0 ran, 1 the run failed, 2 bad arguments or a refused directory), writes
// a human-readable report to stderr and, as its last line on stdout, one JSON object that
// scripts/bench.sh collects.
#pragma once

#include <string>
#include <vector>

namespace auditorium::bench {

using Args = std::vector<std::string>;

// Concurrent appends to a fresh store, against raw RocksDB synced writes (append_bench.cpp).
int append_command(const Args& args);

// Hash-only ledger verification vs OpenSSL SHA-256, export vs raw read, proof latency
// (verify_bench.cpp).
int verify_command(const Args& args);

// Inclusion and consistency proof latency on a large ledger (10 million entries by default),
// against one raw RocksDB point read (verify_bench.cpp).
int proof_command(const Args& args);

// Rebuilding every read model from a ledger of domain events, against reading and decrypting the
// same entries without folding (replay_bench.cpp).
int replay_command(const Args& args);

// The CPU an append spends per event before the write (bind, seal, commit, encode, leaf hash),
// against libsodium's AEAD and OpenSSL's SHA-256 alone (seal_bench.cpp).
int seal_command(const Args& args);

}  // namespace auditorium::bench
