// export_ledger_file: signed JSONL and CSV exports (formats in export.hpp).
#include <rocksdb/db.h>

#include <boost/json.hpp>

#include "base/base64.hpp"
#include "base/big_endian.hpp"
#include "base/file.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/rocks_status.hpp"
#include "eventstore/internal/store_jobs.hpp"
#include "eventstore/minisign.hpp"
#include "eventstore/tree_head_json.hpp"

namespace auditorium::eventstore::internal {
namespace json = boost::json;
namespace {

// Printable UTF-8 (tabs and newlines allowed): what can go into JSON as a string unchanged.
bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        if (c < 0x80) {
            if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return false;
        } else if ((c >> 5) == 0x6) {
            n = 1;
        } else if ((c >> 4) == 0xE) {
            n = 2;
        } else if ((c >> 3) == 0x1E) {
            n = 3;
        } else {
            return false;
        }
        if (i + n >= s.size() && n > 0) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        }
        i += n + 1;
    }
    return true;
}

// Text as a JSON string when it is text, else {"base64": ...}.
json::value bytes_value(std::string_view bytes) {
    if (valid_utf8(bytes)) return json::string(bytes);
    json::object o;
    o["base64"] = base64_encode(bytes);
    return o;
}

std::string csv_field(std::string_view v) {
    if (v.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(v);
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// The payload of an opened entry: its clear part and its sections, each open, erased or sealed.
json::value payload_value(const Entry& e) {
    json::object o;
    o["clear"] = bytes_value(e.clear);
    json::array sections;
    for (const auto& s : e.sections) {
        json::object so;
        so["subject"] = s.subject.hex();
        so["key_class"] = key_class_name(s.key_class);
        switch (s.state) {
            case Section::State::kErased: so["state"] = "erased"; break;
            case Section::State::kExpired: so["state"] = "expired"; break;
            case Section::State::kSealed: so["state"] = "sealed"; break;
            case Section::State::kOpen:
                so["state"] = "open";
                so["data"] = bytes_value(s.plaintext);
                break;
        }
        sections.push_back(std::move(so));
    }
    o["sections"] = std::move(sections);
    return json::value(std::move(o));
}

class Exporter {
public:
    Exporter(LedgerReader& reader, const StoreConfig& config, const ExportOptions& options)
        : reader_(reader), config_(config), options_(options) {}

    Result<ExportSummary> run() {
        if (!reader_.has_keys()) {
            return failed_precondition(
                "an export is signed with the ledger's key: open the store with its keys (--keys)");
        }
        AUD_ASSIGN_OR_RETURN(auto key, signing_key());
        AUD_ASSIGN_OR_RETURN(head_, reader_.newest_tree_head());
        const Position to = options_.to == 0 ? head_.size : options_.to;
        if (to > head_.size) {
            return invalid_argument("to: the newest signed tree head covers " +
                                    std::to_string(head_.size) + " entries, not " +
                                    std::to_string(to));
        }
        if (options_.from == 0 || (options_.from > to && to > 0)) {
            return invalid_argument("from: must be between 1 and " + std::to_string(to));
        }
        summary_.tree_size = head_.size;
        summary_.filtered = options_.from != 1 || to != head_.size || options_.since_us ||
                            options_.until_us || options_.type || options_.actor;
        // Both files are written beside their targets and renamed into place only once complete:
        // an export holds personal data, so it is never readable by others, and a failure
        // midway leaves the previous files (or none) instead of half an export.
        AUD_ASSIGN_OR_RETURN(file::AtomicFile body, file::AtomicFile::create(options_.out));
        out_ = &body;
        minisign::FileSigner signer(key);
        signer_ = &signer;
        const bool jsonl = options_.format == ExportOptions::Format::kJsonl;
        if (jsonl) {
            AUD_RETURN_IF_ERROR(emit(header(key.public_key())));
        } else {
            AUD_RETURN_IF_ERROR(
                emit("position,time,stream,version,type,event_id,actor,subject,leaf_hash" +
                     std::string(options_.decrypt ? ",payload" : "")));
        }
        AUD_RETURN_IF_ERROR(records(to, jsonl));
        if (jsonl) AUD_RETURN_IF_ERROR(emit("{\"tree_head\":" + tree_head_to_json(head_) + "}"));
        const std::string comment = "auditorium export store=" + config_.store_id.hex() +
                                    " tree_size=" + std::to_string(head_.size) +
                                    " records=" + std::to_string(summary_.records) +
                                    " filtered=" + (summary_.filtered ? "1" : "0") +
                                    " format=" + (jsonl ? "jsonl" : "csv") +
                                    (config_.dev ? " dev" : "");
        AUD_ASSIGN_OR_RETURN(std::string minisig,
                             signer.finish(comment, "auditorium ledger export"));
        AUD_ASSIGN_OR_RETURN(file::AtomicFile sig,
                             file::AtomicFile::create(options_.out.string() + ".minisig"));
        AUD_RETURN_IF_ERROR(sig.append(minisig));
        // Both synced before either is renamed, so only the two renames separate the new export
        // from its signature.
        AUD_RETURN_IF_ERROR(body.sync());
        AUD_RETURN_IF_ERROR(sig.sync());
        AUD_RETURN_IF_ERROR(body.commit());
        AUD_RETURN_IF_ERROR(sig.commit());
        return summary_;
    }

private:
    Result<minisign::SigningKey> signing_key() { return reader_.active_signing_key(); }

    std::string header(const minisign::PublicKey& key) {
        json::object filter;
        filter["from"] = options_.from;
        if (options_.to != 0) filter["to"] = options_.to;
        if (options_.since_us) filter["since"] = rfc3339(*options_.since_us);
        if (options_.until_us) filter["until"] = rfc3339(*options_.until_us);
        if (options_.type) filter["type"] = *options_.type;
        if (options_.actor) filter["actor"] = options_.actor->hex();
        json::object h;
        h["format"] = "auditorium/export/v1";
        h["store_id"] = config_.store_id.hex();
        h["dev"] = config_.dev;
        h["filtered"] = summary_.filtered;
        h["filter"] = std::move(filter);
        h["tree_size"] = head_.size;
        h["public_key"] = minisign::public_key_base64(key);
        h["key_id"] = signing_key_id_hex(head_.key_id);
        h["decrypted"] = options_.decrypt;
        return json::serialize(h);
    }

    bool wanted(const DecodedEntry& d) const {
        const EntryHeader& h = d.header;
        if (options_.since_us && h.recorded_at_us < *options_.since_us) return false;
        if (options_.until_us && h.recorded_at_us >= *options_.until_us) return false;
        if (options_.type && h.type != *options_.type) return false;
        if (options_.actor && h.actor != *options_.actor) return false;
        return true;
    }

    Status records(Position to, bool jsonl) {
        if (to == 0) return Status::ok();
        const std::string upper = layout::position_key(to + 1);
        rocksdb::Slice upper_slice(upper);
        rocksdb::ReadOptions ro;
        ro.iterate_upper_bound = &upper_slice;
        std::unique_ptr<rocksdb::Iterator> it(
            reader_.db().db().NewIterator(ro, reader_.db().cf().ledger));
        for (it->Seek(layout::position_key(options_.from)); it->Valid(); it->Next()) {
            const Position p = get_be64(it->key().ToStringView());
            const std::string_view bytes = it->value().ToStringView();
            if (layout::is_purged_value(bytes)) {
                // Purged: nothing but the leaf hash remains, and no filter can tell whether it
                // matches, so only a complete export lists it.
                if (summary_.filtered) continue;
                AUD_ASSIGN_OR_RETURN(std::string leaf, reader_.leaf_hash(p));
                AUD_RETURN_IF_ERROR(
                    emit(jsonl ? "{\"position\":" + std::to_string(p) +
                                     ",\"purged\":true,\"leaf_hash\":\"" + to_hex(leaf) + "\"}"
                               : std::to_string(p) + ",,,,purged,,,," + to_hex(leaf)));
                ++summary_.records;
                continue;
            }
            auto d = decode_entry(bytes);
            if (!d) return d.status().with_context("position " + std::to_string(p));
            if (!wanted(*d)) continue;
            AUD_ASSIGN_OR_RETURN(std::string line,
                                 jsonl ? json_record(p, bytes, *d) : csv_record(p, bytes, *d));
            AUD_RETURN_IF_ERROR(emit(line));
            ++summary_.records;
        }
        return from_rocks(it->status(), "reading the ledger");
    }

    Result<json::value> payload(Position p, std::string_view bytes) {
        AUD_ASSIGN_OR_RETURN(Entry e, reader_.materialize(bytes, p));
        return payload_value(e);
    }

    Result<std::string> json_record(Position p, std::string_view bytes, const DecodedEntry& d) {
        const EntryHeader& h = d.header;
        json::object r;
        r["position"] = p;
        r["stream"] = h.stream;
        r["version"] = h.version;
        r["type"] = h.type;
        r["time"] = rfc3339(h.recorded_at_us);
        r["time_us"] = h.recorded_at_us;
        r["event_id"] = h.event_id.hex();
        r["actor"] = h.actor.hex();
        r["subject"] = h.subject.hex();
        r["leaf_hash"] = merkle::to_hex(merkle::leaf_hash(bytes));
        r["entry"] = base64_encode(bytes);
        if (summary_.filtered) {
            AUD_ASSIGN_OR_RETURN(auto proof, reader_.inclusion_proof(p, head_.size));
            json::array list;
            for (const auto& hash : proof) list.emplace_back(to_hex(hash));
            r["proof"] = std::move(list);
        }
        if (options_.decrypt) {
            AUD_ASSIGN_OR_RETURN(r["payload"], payload(p, bytes));
        }
        return json::serialize(r);
    }

    Result<std::string> csv_record(Position p, std::string_view bytes, const DecodedEntry& d) {
        const EntryHeader& h = d.header;
        std::string line = std::to_string(p) + "," + rfc3339(h.recorded_at_us) + "," +
                           csv_field(h.stream) + "," + std::to_string(h.version) + "," +
                           csv_field(h.type) + "," + h.event_id.hex() + "," + h.actor.hex() + "," +
                           h.subject.hex() + "," + merkle::to_hex(merkle::leaf_hash(bytes));
        if (options_.decrypt) {
            AUD_ASSIGN_OR_RETURN(json::value v, payload(p, bytes));
            line += "," + csv_field(json::serialize(v));
        }
        return line;
    }

    Status emit(const std::string& line) {
        signer_->update(line);
        signer_->update("\n");
        AUD_RETURN_IF_ERROR(out_->append(line));
        return out_->append("\n");
    }

    LedgerReader& reader_;
    const StoreConfig& config_;
    const ExportOptions& options_;
    SignedTreeHead head_;
    ExportSummary summary_;
    file::AtomicFile* out_ = nullptr;  // run()'s, while it runs
    minisign::FileSigner* signer_ = nullptr;
};

}  // namespace

Result<ExportSummary> export_ledger_file(LedgerReader& reader, const StoreConfig& config,
                                         const ExportOptions& options) {
    return Exporter(reader, config, options).run();
}

}  // namespace auditorium::eventstore::internal

namespace auditorium::eventstore {

std::string entry_to_json(const Entry& e) {
    namespace json = boost::json;
    json::object r;
    r["position"] = e.position;
    if (e.purged) {
        r["purged"] = true;
        return json::serialize(r);
    }
    r["stream"] = e.stream;
    r["version"] = e.version;
    r["type"] = e.type;
    r["time"] = rfc3339(e.recorded_at_us);
    r["event_id"] = e.event_id.hex();
    r["actor"] = e.actor.hex();
    r["subject"] = e.subject.hex();
    r["payload"] = internal::payload_value(e);
    return json::serialize(r);
}

}  // namespace auditorium::eventstore
