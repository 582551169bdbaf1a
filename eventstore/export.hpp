// Signed ledger exports, for compliance officers to hand out and for anyone to check offline.
//
// JSONL (docs/ledger-format.md, "Exports"): a header line, one line per entry, and a last line
// holding the signed tree head that covers the export:
//   {"format":"auditorium/export/v1","store_id":..,"dev":..,"filtered":..,"filter":{..},
//    "tree_size":N,"public_key":"RW..","key_id":".."}
//   {"position":P,"stream":..,"version":..,"type":..,"time":..,"time_us":..,"event_id":..,
//    "actor":..,"subject":..,"leaf_hash":..,"entry":"<base64 entry bytes>"[,"proof":[..]]
//    [,"payload":{..}]}
//   {"tree_head":{..}}
// An unfiltered export holds every entry 1..N, so the root can be rebuilt from the records; a
// filtered one carries each record's inclusion proof against the tree head. CSV is the spreadsheet
// view: signed, not self-verifying. Every export FILE is signed in minisign's format as
// FILE.minisig by the ledger's signing key (`minisign -Vm FILE -P <key>` verifies it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>

#include "base/id.hpp"
#include "base/result.hpp"
#include "eventstore/types.hpp"

namespace auditorium::eventstore {

struct ExportOptions {
    std::filesystem::path out;  // FILE; the signature goes to FILE.minisig
    enum class Format { kJsonl, kCsv } format = Format::kJsonl;
    Position from = 1;
    Position to = 0;                       // 0: up to the newest signed tree head
    std::optional<std::int64_t> since_us;  // recorded at or after
    std::optional<std::int64_t> until_us;  // recorded before
    std::optional<std::string> type;
    std::optional<Id> actor;
    bool decrypt = false;  // add each entry's payload, opened (needs the keys)
};

struct ExportSummary {
    std::uint64_t records = 0;
    std::uint64_t tree_size = 0;
    bool filtered = false;
};

// What an offline check of a JSONL export found.
struct ExportCheck {
    std::uint64_t records = 0;
    std::uint64_t tree_size = 0;
    bool filtered = false;
    std::string root;              // 32 bytes, from the signed tree head
    std::string trusted_comment;   // from FILE.minisig
    bool key_from_export = false;  // no key was pinned: the export's own key was trusted
};

// Checks a JSONL export with no store: every record's leaf hash and entry bytes, the rebuilt root
// (unfiltered) or each inclusion proof (filtered), the tree head's signature, and the minisign
// signature in `minisig`. `public_key` (32 bytes) pins the signer; empty trusts the export's own
// header (and says so). `body` must be seekable (the tree head is read first, from the end).
// Corruption naming the line at fault; constant memory.
Result<ExportCheck> verify_export(std::istream& body, std::string_view minisig,
                                  const std::string& public_key);

// An entry as read (`auditorium ledger entries` prints one per line):
//   {"position":P,"stream":..,"version":..,"type":..,"time":..,"event_id":..,"actor":..,"subject":..,
//    "payload":{"clear":..,"sections":[{"subject":..,"key_class":..,"state":"open","data":..}|
//                                      {..,"state":"erased"}|{..,"state":"sealed"}]}}
// A purged entry is {"position":P,"purged":true}. Clear parts and section data that are text are
// JSON strings, anything else {"base64":..}; ids are hex (all zeros when absent), as in exports.
std::string entry_to_json(const Entry& entry);

}  // namespace auditorium::eventstore
