// verify_export: the offline check of a JSONL export (contract in export.hpp).
#include <sodium.h>

#include <boost/json.hpp>
#include <cstring>

#include "base/base64.hpp"
#include "eventstore/export.hpp"
#include "eventstore/internal/entry_codec.hpp"
#include "eventstore/internal/merkle.hpp"
#include "eventstore/minisign.hpp"
#include "eventstore/sodium_init.hpp"
#include "eventstore/tree_head_json.hpp"

namespace auditorium::eventstore {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxLine = 64 << 20;

// An export's "entry" field: damaged text is a damaged export.
Result<std::string> entry_bytes(std::string_view text, Position position) {
    auto bytes = base64_decode(text);
    if (!bytes)
        return corruption("position " + std::to_string(position) + ": entry is " +
                          bytes.status().message());
    return bytes;
}

Result<merkle::Hash> hex_hash(const json::value* v) {
    if (v == nullptr || !v->is_string()) return corruption("a hash is missing");
    auto raw = from_hex(std::string_view(v->as_string()));
    if (!raw || raw->size() != 32) return corruption("a hash is not 64 hex digits");
    return merkle::from_string(*raw);
}

Result<std::uint64_t> uint_field(const json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (v != nullptr && v->is_uint64()) return v->as_uint64();
    if (v != nullptr && v->is_int64() && v->as_int64() >= 0)
        return static_cast<std::uint64_t>(v->as_int64());
    return corruption(std::string(name) + " is missing or not a non-negative integer");
}

// The last non-empty line of a seekable stream, read from its end; the stream is rewound after.
// The end is scanned backwards in chunks for the line's bounds, and the line is then read once:
// time and memory are linear in the line's length (at most kMaxLine), whatever the stream holds.
Result<std::string> last_line(std::istream& in) {
    in.clear();
    in.seekg(0, std::ios::end);
    const std::streamoff end = in.tellg();
    if (end <= 0) return corruption("the export is empty");
    constexpr std::streamoff kChunk = 4096;
    std::string chunk(static_cast<std::size_t>(kChunk), '\0');
    std::streamoff line_end = -1;  // one past the last byte that is not '\n'; -1: none yet
    std::streamoff line_start = 0;
    for (std::streamoff pos = end; pos > 0;) {
        const std::streamoff step = std::min(kChunk, pos);
        pos -= step;
        in.seekg(pos);
        in.read(chunk.data(), step);
        if (in.gcount() != step) return corruption("the export cannot be read back from its end");
        bool found = false;
        for (std::streamoff i = step; i-- > 0 && !found;) {
            if (chunk[static_cast<std::size_t>(i)] != '\n') {
                if (line_end < 0) line_end = pos + i + 1;
            } else if (line_end >= 0) {
                line_start = pos + i + 1;
                found = true;
            }
        }
        if (found) break;
        if (line_end - pos > static_cast<std::streamoff>(kMaxLine)) {
            return corruption("the last line is too long");
        }
    }
    std::string tail;
    if (line_end > line_start) {
        if (line_end - line_start > static_cast<std::streamoff>(kMaxLine)) {
            return corruption("the last line is too long");
        }
        tail.resize(static_cast<std::size_t>(line_end - line_start));
        in.seekg(line_start);
        in.read(tail.data(), line_end - line_start);
        if (in.gcount() != line_end - line_start) {
            return corruption("the export cannot be read back from its end");
        }
    }
    in.clear();
    in.seekg(0);
    return tail;
}

class ExportChecker {
public:
    ExportChecker(std::string_view minisig, const std::string& public_key)
        : minisig_(minisig), pinned_key_(public_key) {}

    Result<ExportCheck> run(std::istream& in) {
        AUD_ASSIGN_OR_RETURN(std::string tail, last_line(in));
        AUD_RETURN_IF_ERROR(read_tree_head(tail));
        std::string line;
        std::uint64_t number = 0;
        bool saw_tree_head = false;
        while (std::getline(in, line)) {
            ++number;
            if (verifier_) {
                verifier_->update(line);
                if (!in.eof()) verifier_->update("\n");
            }
            if (saw_tree_head)
                return corruption("line " + std::to_string(number) + ": text after the tree head");
            Status s = number == 1 ? header(line) : (line == tail ? Status::ok() : record(line));
            if (line == tail && number > 1) saw_tree_head = true;
            if (!s.is_ok()) return s.with_context("line " + std::to_string(number));
        }
        if (!saw_tree_head) return corruption("the export does not end with its tree head");
        if (!check_.filtered) {
            if (check_.records != head_.size) {
                return corruption("an unfiltered export of a tree of size " +
                                  std::to_string(head_.size) + " holds " +
                                  std::to_string(check_.records) + " records");
            }
            if (frontier_.root() != *merkle::from_string(head_.root)) {
                return corruption("the root rebuilt from the records does not match the tree head");
            }
        }
        AUD_ASSIGN_OR_RETURN(check_.trusted_comment, verifier_->finish());
        check_.tree_size = head_.size;
        check_.root = head_.root;
        return check_;
    }

private:
    Status read_tree_head(const std::string& tail) {
        boost::system::error_code ec;
        json::value v = json::parse(tail, ec);
        const json::object* line = ec ? nullptr : v.if_object();
        const json::value* head = line != nullptr ? line->if_contains("tree_head") : nullptr;
        if (head == nullptr) return corruption("the last line is not the export's tree head");
        AUD_ASSIGN_OR_RETURN(head_, tree_head_from_json(json::serialize(*head)));
        return Status::ok();
    }

    Status header(const std::string& line) {
        boost::system::error_code ec;
        json::value v = json::parse(line, ec);
        if (ec || !v.is_object()) return corruption("the header is not a JSON object");
        const json::object& h = v.as_object();
        const auto* format = h.if_contains("format");
        if (format == nullptr || !format->is_string() ||
            format->as_string() != "auditorium/export/v1") {
            return corruption("not an auditorium/export/v1 export");
        }
        const auto* filtered = h.if_contains("filtered");
        if (filtered == nullptr || !filtered->is_bool()) return corruption("filtered is missing");
        check_.filtered = filtered->as_bool();
        AUD_ASSIGN_OR_RETURN(std::uint64_t size, uint_field(h, "tree_size"));
        if (size != head_.size)
            return corruption("the header's tree size differs from the tree head's");
        const auto* store_id = h.if_contains("store_id");
        if (store_id == nullptr || !store_id->is_string() ||
            store_id->as_string() != head_.store_id.hex()) {
            return corruption("the header's store id differs from the tree head's");
        }
        const auto* dev = h.if_contains("dev");
        if (dev == nullptr || !dev->is_bool() || dev->as_bool() != head_.dev) {
            return corruption("the header's dev flag differs from the tree head's");
        }
        const auto* key = h.if_contains("public_key");
        if (key == nullptr || !key->is_string()) return corruption("public_key is missing");
        AUD_ASSIGN_OR_RETURN(auto export_key,
                             minisign::parse_public_key(std::string_view(key->as_string())));
        minisign::PublicKey trusted = export_key;
        if (pinned_key_.empty()) {
            check_.key_from_export = true;
        } else if (pinned_key_.size() != 32) {
            return invalid_argument("the pinned public key must be 32 bytes");
        } else {
            std::memcpy(trusted.key.data(), pinned_key_.data(), 32);
            if (!(trusted == export_key)) {
                return corruption("the export is signed by another key than the pinned one");
            }
        }
        AUD_RETURN_IF_ERROR(
            verify_tree_head(
                head_, std::string_view(reinterpret_cast<const char*>(trusted.key.data()), 32))
                .with_context("the export's tree head"));
        auto verifier = minisign::FileVerifier::start(trusted, minisig_);
        if (!verifier) return verifier.status().with_context("the export's .minisig");
        verifier_.emplace(std::move(verifier).value());
        verifier_->update(line);
        verifier_->update("\n");
        return Status::ok();
    }

    Status record(const std::string& line) {
        boost::system::error_code ec;
        json::value v = json::parse(line, ec);
        if (ec || !v.is_object()) return corruption("a record is not a JSON object");
        const json::object& r = v.as_object();
        AUD_ASSIGN_OR_RETURN(std::uint64_t position, uint_field(r, "position"));
        if (position == 0 || position > head_.size) {
            return corruption("position " + std::to_string(position) + " is outside the tree head");
        }
        if (position <= last_position_) return corruption("positions are not increasing");
        last_position_ = position;
        AUD_ASSIGN_OR_RETURN(merkle::Hash leaf, hex_hash(r.if_contains("leaf_hash")));
        const auto* entry = r.if_contains("entry");
        if (entry != nullptr) {
            if (!entry->is_string()) return corruption("entry is not a string");
            AUD_ASSIGN_OR_RETURN(std::string bytes,
                                 entry_bytes(std::string_view(entry->as_string()), position));
            if (merkle::leaf_hash(bytes) != leaf) {
                return corruption("position " + std::to_string(position) +
                                  ": entry bytes do not match the leaf hash");
            }
            auto decoded = internal::decode_entry(bytes);
            if (!decoded)
                return decoded.status().with_context("position " + std::to_string(position));
            if (decoded->header.position != position) {
                return corruption("position " + std::to_string(position) +
                                  ": the entry claims position " +
                                  std::to_string(decoded->header.position));
            }
        }
        if (check_.filtered) {
            const auto* proof = r.if_contains("proof");
            if (proof == nullptr || !proof->is_array())
                return corruption("a filtered record lacks its proof");
            std::vector<merkle::Hash> path;
            for (const auto& h : proof->as_array()) {
                AUD_ASSIGN_OR_RETURN(merkle::Hash hash, hex_hash(&h));
                path.push_back(hash);
            }
            if (!merkle::verify_inclusion(position - 1, head_.size, leaf, path,
                                          *merkle::from_string(head_.root))) {
                return corruption("position " + std::to_string(position) +
                                  ": the inclusion proof does not verify");
            }
        } else {
            if (position != frontier_.size() + 1) {
                return corruption("position " + std::to_string(frontier_.size() + 1) +
                                  " is missing");
            }
            frontier_.push(leaf, completed_);
        }
        ++check_.records;
        return Status::ok();
    }

    std::string_view minisig_;
    const std::string& pinned_key_;
    SignedTreeHead head_;
    std::optional<minisign::FileVerifier> verifier_;
    merkle::Frontier frontier_;
    std::vector<merkle::Hash> completed_;
    std::uint64_t last_position_ = 0;
    ExportCheck check_;
};

}  // namespace

Result<ExportCheck> verify_export(std::istream& body, std::string_view minisig,
                                  const std::string& public_key) {
    AUD_RETURN_IF_ERROR(init_sodium());
    AUD_RETURN_IF_ERROR(merkle::check_sha256());
    return ExportChecker(minisig, public_key).run(body);
}

}  // namespace auditorium::eventstore
