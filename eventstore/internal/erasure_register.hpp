// The erasure register: `<target>/erasures.log` in every backup target, one line per erased
// subject, written (and fsynced, with its directory) before the subject's key is destroyed, so
// that a restore of a backup taken before the erasure erases the subject again. docs/backups.md
// describes it for operators; this header is the format's code twin.
//
// A line is JSON, newline-terminated:
//   {"seq":N,"store_id":"<32 hex>","subject":"<32 hex>","position":P,"time_us":T,
//    "time":"<RFC 3339>","prev":"<64 hex>","key_id":"<16 hex>","signature":"<128 hex>"}
// seq counts lines from 1; position is that of the erasure record in the live ledger; prev is the
// SHA-256 of the previous line's bytes (without its newline), 32 zero bytes on the first line.
// The signature is Ed25519 by the ledger's signing key (key_id) over
//   "auditorium/erasure-register/v1" 0x00 || store id (16) || BE64(seq) || subject (16)
//   || BE64(position) || BE64(time_us) || prev (32) || key id (8)
// so a changed, inserted, removed or reordered line breaks a signature or the chain. Only a cut
// at the end is not visible in one file: every target holds its own register, and a restore
// reads all of them. An unterminated last line is a write cut short by a crash: the writer drops
// it (that erasure never returned and is registered again when the store reopens) and a reader
// ignores it, with a warning.
//
// Thread safety: append() takes an exclusive flock() on the file, so writers in several threads
// or processes keep the chain whole; read() needs no lock.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "eventstore/minisign.hpp"
#include "eventstore/tree_head.hpp"

namespace auditorium::eventstore::internal::erasure_register {

inline constexpr std::string_view kLabel = "auditorium/erasure-register/v1";

struct Record {
    std::uint64_t seq = 0;
    Id store_id;
    Id subject;
    std::uint64_t position = 0;
    std::int64_t time_us = 0;
    std::string prev;  // 32 bytes
    SigningKeyId key_id{};
    std::string signature;  // 64 bytes

    std::string message() const;  // the signed bytes
};

// Appends the erasure of `subject` to the register `file` (created 0600 if missing), signed by
// `key`, unless the subject is registered there already. Durable when it returns.
// Corruption when a complete line of the file does not parse (the chain cannot be continued).
Status append(const std::filesystem::path& file, const Id& store_id, const Id& subject,
              std::uint64_t position, std::int64_t time_us, const minisign::SigningKey& key);

struct Contents {
    std::vector<Record> records;
    bool torn_tail = false;  // an unterminated last line was ignored
};

// The trusted public key (32 bytes, Ed25519) of a signing key id, or nullopt for an unknown one.
using KeyLookup = std::function<Result<std::optional<std::string>>(const SigningKeyId& id)>;

// Reads and checks a register: every line parses, belongs to `store_id`, continues the chain and
// carries a valid signature by a key `public_key` knows. NotFound when the file does not exist;
// Corruption naming the line at fault.
Result<Contents> read(const std::filesystem::path& file, const Id& store_id,
                      const KeyLookup& public_key);

}  // namespace auditorium::eventstore::internal::erasure_register
