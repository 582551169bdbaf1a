#include "eventstore/internal/erasure_register.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>

#include "base/big_endian.hpp"
#include "base/file.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/tree_head_json.hpp"

namespace auditorium::eventstore::internal::erasure_register {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

std::string sha256(std::string_view bytes) {
    std::string out(crypto_hash_sha256_BYTES, '\0');
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                       reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return out;
}

std::string encode_line(const Record& r) {
    json::object o;
    o["seq"] = r.seq;
    o["store_id"] = r.store_id.hex();
    o["subject"] = r.subject.hex();
    o["position"] = r.position;
    o["time_us"] = r.time_us;
    o["time"] = rfc3339(r.time_us);
    o["prev"] = to_hex(r.prev);
    o["key_id"] = signing_key_id_hex(r.key_id);
    o["signature"] = to_hex(r.signature);
    return json::serialize(o);
}

Result<std::string> hex_field(const json::object& o, std::string_view name, std::size_t bytes) {
    const auto* v = o.if_contains(name);
    auto raw =
        v != nullptr && v->is_string() ? from_hex(std::string_view(v->as_string())) : std::nullopt;
    if (!raw || raw->size() != bytes) {
        return corruption(std::string(name) + ": expected " + std::to_string(2 * bytes) +
                          " hex digits");
    }
    return *raw;
}

Result<std::uint64_t> uint_field(const json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (v != nullptr && v->is_uint64()) return v->as_uint64();
    if (v != nullptr && v->is_int64() && v->as_int64() >= 0)
        return static_cast<std::uint64_t>(v->as_int64());
    return corruption(std::string(name) + ": missing or not a non-negative integer");
}

Result<Record> parse_line(std::string_view line) {
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) return corruption("not a JSON object");
    const json::object& o = v.as_object();
    Record r;
    AUD_ASSIGN_OR_RETURN(r.seq, uint_field(o, "seq"));
    AUD_ASSIGN_OR_RETURN(std::string store, hex_field(o, "store_id", 16));
    r.store_id = *Id::from_bytes(store);
    AUD_ASSIGN_OR_RETURN(std::string subject, hex_field(o, "subject", 16));
    r.subject = *Id::from_bytes(subject);
    AUD_ASSIGN_OR_RETURN(r.position, uint_field(o, "position"));
    AUD_ASSIGN_OR_RETURN(std::uint64_t time, uint_field(o, "time_us"));
    r.time_us = static_cast<std::int64_t>(time);
    AUD_ASSIGN_OR_RETURN(r.prev, hex_field(o, "prev", 32));
    AUD_ASSIGN_OR_RETURN(std::string key_id, hex_field(o, "key_id", 8));
    std::memcpy(r.key_id.data(), key_id.data(), 8);
    AUD_ASSIGN_OR_RETURN(r.signature, hex_field(o, "signature", 64));
    return r;
}

// The complete lines of `text` (each without its newline) and whether a partial line follows.
std::vector<std::string_view> complete_lines(std::string_view text, bool& torn) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string_view::npos; start = nl + 1) {
        lines.push_back(text.substr(start, nl - start));
    }
    torn = start < text.size();
    return lines;
}

}  // namespace

std::string Record::message() const {
    std::string m(kLabel);
    m.push_back('\0');
    m.append(store_id.view());
    put_be64(m, seq);
    m.append(subject.view());
    put_be64(m, position);
    put_be64(m, static_cast<std::uint64_t>(time_us));
    m.append(prev);
    m.append(reinterpret_cast<const char*>(key_id.data()), key_id.size());
    return m;
}

Status append(const fs::path& file, const Id& store_id, const Id& subject, std::uint64_t position,
              std::int64_t time_us, const minisign::SigningKey& key) {
    const file::UniqueFd owned(
        ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!owned) return file::io_error("opening the erasure register", file);
    const int fd = owned.get();  // closing it releases the flock
    if (::flock(fd, LOCK_EX) != 0) return file::io_error("locking", file);
    AUD_ASSIGN_OR_RETURN(std::string text, file::read_file(file));
    bool torn = false;
    const auto lines = complete_lines(text, torn);
    std::size_t kept = text.size();
    if (torn) {
        // A line cut short by a crash: its erasure never returned, and is registered again when
        // the store reopens. Drop it so the chain continues from the last whole line.
        kept = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
        if (::ftruncate(fd, static_cast<off_t>(kept)) != 0) {
            return file::io_error("truncating a torn line of", file);
        }
    }
    Record r;
    r.seq = lines.size() + 1;
    r.prev = lines.empty() ? std::string(32, '\0') : sha256(lines.back());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto parsed = parse_line(lines[i]);
        if (!parsed) {
            return parsed.status().with_context("the erasure register " + file.string() +
                                                " is damaged at line " + std::to_string(i + 1));
        }
        if (parsed->subject == subject) return Status::ok();  // registered already
    }
    r.store_id = store_id;
    r.subject = subject;
    r.position = position;
    r.time_us = time_us;
    r.key_id = key.public_key().id;
    r.signature = minisign::sign(key, r.message());
    const std::string line = encode_line(r) + "\n";
    if (::pwrite(fd, line.data(), line.size(), static_cast<off_t>(kept)) !=
        static_cast<ssize_t>(line.size())) {
        return file::io_error("writing the erasure register", file);
    }
    AUD_RETURN_IF_ERROR(file::sync_fd(fd, file).with_context("the erasure register"));
    return file::sync_dir(file.parent_path());
}

Result<Contents> read(const fs::path& file, const Id& store_id, const KeyLookup& public_key) {
    AUD_ASSIGN_OR_RETURN(std::string text, file::read_file(file));
    Contents out;
    const auto lines = complete_lines(text, out.torn_tail);
    std::string prev(32, '\0');
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string where =
            "the erasure register " + file.string() + ", line " + std::to_string(i + 1);
        auto r = parse_line(lines[i]);
        if (!r) return r.status().with_context(where);
        if (r->seq != i + 1) {
            return corruption(where + ": sequence number " + std::to_string(r->seq) +
                              " (lines removed or reordered)");
        }
        if (r->prev != prev)
            return corruption(
                where + ": does not chain to the line before it (a line was changed or removed)");
        if (r->store_id != store_id)
            return corruption(where + ": belongs to another store (" + r->store_id.hex() + ")");
        AUD_ASSIGN_OR_RETURN(auto key, public_key(r->key_id));
        if (!key || key->size() != 32) {
            return corruption(where + ": signed by key " + signing_key_id_hex(r->key_id) +
                              ", which is not a trusted signing key of this ledger");
        }
        minisign::PublicKey pk;
        pk.id = r->key_id;
        std::memcpy(pk.key.data(), key->data(), pk.key.size());
        if (!minisign::verify(pk, r->message(), r->signature)) {
            return corruption(where + ": the signature does not verify (the line was changed)");
        }
        prev = sha256(lines[i]);
        out.records.push_back(std::move(r).value());
    }
    return out;
}

}  // namespace auditorium::eventstore::internal::erasure_register
