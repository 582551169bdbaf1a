// The vocabulary of the event store: streams, expected versions, the events an append carries and
// the entries a read returns. Plain values; thread safety as for any value type.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/id.hpp"
#include "base/result.hpp"
#include "base/status.hpp"

namespace auditorium::eventstore {

using Position = std::uint64_t;       // dense, from 1; 0 means "before the first entry"
using StreamVersion = std::uint64_t;  // per stream, from 1; 0 means "no stream"

// A stream name: "<type>-<pseudonym>", 1..200 characters of [a-z0-9._:-], starting with a letter.
// The part before the first '-' is the stream type (snapshots and retention are registered per
// type). Names are built from pseudonymous ids, never from e-mail addresses or names.
Status validate_stream_name(std::string_view stream);
std::string_view stream_type(std::string_view stream);

// What the appender believes the stream's current version to be.
class ExpectedVersion {
public:
    static ExpectedVersion any() { return ExpectedVersion(Kind::kAny, 0); }
    static ExpectedVersion no_stream() { return ExpectedVersion(Kind::kExact, 0); }
    static ExpectedVersion exact(StreamVersion v) { return ExpectedVersion(Kind::kExact, v); }

    bool is_any() const { return kind_ == Kind::kAny; }
    // REQUIRES: !is_any()
    StreamVersion version() const { return version_; }
    bool admits(StreamVersion actual) const { return is_any() || actual == version_; }
    std::string to_string() const;

private:
    enum class Kind { kAny, kExact };
    ExpectedVersion(Kind kind, StreamVersion v) : kind_(kind), version_(v) {}
    Kind kind_;
    StreamVersion version_;
};

// Which key seals a section, and so when it is destroyed.
enum class KeyClass : std::uint8_t {
    kSystem = 0,    // data about no person; the system key, never erased
    kPersonal = 1,  // ordinary personal data; destroyed at once by erase(subject)
    kRetained = 2,  // retained security records; one key per subject per month, kept two years
};
std::string_view key_class_name(KeyClass c);

// The subject of system sections.
inline const Id kSystemSubject{};

// A part of the payload about one person (or about no person, under the system key), in clear
// before sealing. An admin act naming another person carries one section for each.
struct SectionInput {
    Id subject;  // the person; Id() with KeyClass::kSystem for non-personal data
    KeyClass key_class = KeyClass::kPersonal;
    std::string plaintext;
};

// One event to append. Ids are random pseudonyms chosen by the caller; re-sending the same event
// ids is idempotent (see Store::append).
struct NewEvent {
    Id event_id;       // REQUIRES: not none
    std::string type;  // "registration.created": 1..100 of [a-z0-9._]
    std::uint16_t schema_version = 1;
    Id actor;    // who did it; none for the system itself
    Id subject;  // whose personal data it mainly holds; may be none
    Id correlation;
    Id causation;
    std::string clear;  // non-personal payload: pseudonyms, types, counts
    std::vector<SectionInput> sections;
};

// A sealed section as read back.
struct Section {
    enum class State : std::uint8_t {
        kOpen,     // plaintext holds the decrypted bytes
        kErased,   // the subject was erased: the ledger holds an erasure record for it
        kExpired,  // a retention key destroyed once its month passed retention (the next purge
                   // drops it)
        kSealed,   // not opened: the store was read without keys (an auditor's read)
    };
    Id subject;
    KeyClass key_class = KeyClass::kPersonal;
    std::uint32_t key_id = 0;
    State state = State::kSealed;
    std::string plaintext;
};

// An entry as read back from the ledger.
struct Entry {
    Position position = 0;
    std::string stream;
    StreamVersion version = 0;
    Id event_id;
    std::string type;
    std::uint16_t schema_version = 0;
    std::int64_t recorded_at_us = 0;  // microseconds since the Unix epoch, UTC; never decreasing
    Id actor;
    Id subject;
    Id correlation;
    Id causation;
    std::string clear;
    std::vector<Section> sections;
    std::string canonical;  // the stored entry bytes, exactly as hashed into the Merkle tree
    // Past retention and purged: only the position (and, from a stream read, the stream and
    // version) remain; the leaf hash stays in the tree. Every other field is empty.
    bool purged = false;
};

// What an append returns: the positions and stream versions given to its events, in order.
struct AppendResult {
    Position first_position = 0;
    Position last_position = 0;
    StreamVersion first_version = 0;
    StreamVersion last_version = 0;
    bool idempotent_replay = false;  // every event id was already stored; nothing was written
};

// The typed conflict of an append whose expected version did not match (Status code kAborted).
struct VersionConflict : StatusDetail {
    std::string stream;
    ExpectedVersion expected = ExpectedVersion::any();
    StreamVersion actual = 0;
};

// Builds a stream's snapshot for the purge: given every entry of the stream (opened; purged ones
// marked; earlier snapshots included), returns the event that lets its current state be rebuilt
// without the entries before it, or nullopt when nothing needs keeping. Each person's data goes
// into a section of its own under that person's key, like any event.
using SnapshotFunction = std::function<Result<std::optional<NewEvent>>(
    std::string_view stream, const std::vector<Entry>& entries)>;
using SnapshotRegistry = std::map<std::string, SnapshotFunction, std::less<>>;

// What a purge did.
struct PurgeReport {
    std::int64_t cutoff_us = 0;  // entries recorded before this were past retention
    std::uint64_t entries_purged = 0;
    std::uint64_t snapshots_appended = 0;
    std::uint64_t entries_held = 0;  // kept: they hold data of a subject under legal hold
    std::map<std::string, std::uint64_t> no_snapshot_function;  // stream type -> entries kept
    std::uint64_t retention_keys_destroyed = 0;
    Position record = 0;  // the store.purged record (0: nothing to do)
};

inline constexpr std::chrono::microseconds kMinimumRetention{std::int64_t{730} * 24 * 3600 *
                                                             1'000'000};

// A fresh 128-bit random id (libsodium's randombytes), for event ids and new subjects.
Id random_id();

}  // namespace auditorium::eventstore
