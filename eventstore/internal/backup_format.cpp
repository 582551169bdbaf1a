#include "eventstore/internal/backup_format.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstring>
#include <ctime>

#include "base/file.hpp"
#include "eventstore/minisign.hpp"
#include "eventstore/tree_head_json.hpp"

namespace auditorium::eventstore::internal::backup_format {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

json::array files_json(const std::vector<BackupFile>& files) {
    json::array out;
    for (const BackupFile& f : files) {
        json::object o;
        o["name"] = f.name;
        o["size"] = f.size;
        o["sha256"] = to_hex(f.sha256);
        out.push_back(std::move(o));
    }
    return out;
}

json::object common(std::string_view format, const std::string& id, std::int64_t created_at_us,
                    const Id& store_id, const SigningKeyId& key_id, const std::string& public_key) {
    json::object o;
    o["format"] = format;
    o["id"] = id;
    o["created_at_us"] = created_at_us;
    o["created_at"] = rfc3339(created_at_us);
    o["store_id"] = store_id.hex();
    minisign::PublicKey pk;
    pk.id = key_id;
    std::memcpy(pk.key.data(), public_key.data(), std::min(public_key.size(), pk.key.size()));
    o["public_key"] = minisign::public_key_base64(pk);
    return o;
}

// Field readers: Corruption naming the field (a manifest arrives with the backup it describes).
Result<std::string> string_field(const json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (v == nullptr || !v->is_string())
        return corruption("manifest: " + std::string(name) + ": missing or not a string");
    return std::string(v->as_string());
}

Result<std::int64_t> int_field(const json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (v != nullptr && v->is_uint64() && v->as_uint64() <= INT64_MAX)
        return static_cast<std::int64_t>(v->as_uint64());
    if (v != nullptr && v->is_int64() && v->as_int64() >= 0) return v->as_int64();
    return corruption("manifest: " + std::string(name) + ": missing or not a non-negative integer");
}

Result<json::object> parse_object(std::string_view text, std::string_view format) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return corruption("manifest: not a JSON object");
    json::object o = std::move(v.as_object());
    AUD_ASSIGN_OR_RETURN(std::string f, string_field(o, "format"));
    if (f != format)
        return corruption("manifest: format is \"" + f + "\", not \"" + std::string(format) + "\"");
    return o;
}

struct Common {
    std::string id;
    std::int64_t created_at_us = 0;
    Id store_id;
    SigningKeyId key_id{};
    std::string public_key;
    std::vector<BackupFile> files;
};

Result<Common> decode_common(const json::object& o) {
    Common c;
    AUD_ASSIGN_OR_RETURN(c.id, string_field(o, "id"));
    if (!valid_id(c.id)) return corruption("manifest: id \"" + c.id + "\" is malformed");
    AUD_ASSIGN_OR_RETURN(c.created_at_us, int_field(o, "created_at_us"));
    AUD_ASSIGN_OR_RETURN(std::string store, string_field(o, "store_id"));
    auto store_id = Id::from_hex(store);
    if (!store_id) return corruption("manifest: store_id: expected 32 hex digits");
    c.store_id = *store_id;
    AUD_ASSIGN_OR_RETURN(std::string key, string_field(o, "public_key"));
    auto pk = minisign::parse_public_key(key);
    if (!pk) return corruption("manifest: public_key: " + pk.status().message());
    c.key_id = pk->id;
    c.public_key.assign(reinterpret_cast<const char*>(pk->key.data()), pk->key.size());
    const auto* files = o.if_contains("files");
    if (files == nullptr || !files->is_array())
        return corruption("manifest: files: missing or not a list");
    for (const json::value& v : files->as_array()) {
        if (!v.is_object()) return corruption("manifest: files: an entry is not an object");
        BackupFile f;
        AUD_ASSIGN_OR_RETURN(f.name, string_field(v.as_object(), "name"));
        if (f.name.empty() || f.name.find('/') != std::string::npos || f.name[0] == '.') {
            return corruption("manifest: files: \"" + f.name + "\" is not a plain file name");
        }
        AUD_ASSIGN_OR_RETURN(std::int64_t size, int_field(v.as_object(), "size"));
        f.size = static_cast<std::uint64_t>(size);
        AUD_ASSIGN_OR_RETURN(std::string hash, string_field(v.as_object(), "sha256"));
        auto raw = from_hex(hash);
        if (!raw || raw->size() != 32)
            return corruption("manifest: files: " + f.name + ": sha256 is not 64 hex digits");
        f.sha256 = *raw;
        c.files.push_back(std::move(f));
    }
    return c;
}

}  // namespace

Paths paths(const fs::path& target, Kind kind, std::string_view id) {
    const fs::path dir = target / (kind == Kind::kLedger ? kLedgerDir : kVaultDir);
    Paths p;
    p.dir = dir / std::string(id);
    p.manifest = dir / (std::string(id) + std::string(kManifestSuffix));
    p.signature =
        dir / (std::string(id) + std::string(kManifestSuffix) + std::string(kSignatureSuffix));
    p.partial = dir / ("." + std::string(id) + std::string(kPartialSuffix));
    return p;
}

std::string make_id(std::int64_t now_us) {
    const std::time_t seconds = static_cast<std::time_t>(now_us / 1'000'000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char date[32];
    const std::size_t n = std::strftime(date, sizeof date, "%Y%m%dT%H%M%S", &tm);
    unsigned char random[4];
    randombytes_buf(random, sizeof random);
    char rest[40];
    std::snprintf(rest, sizeof rest, ".%06lldZ-", static_cast<long long>(now_us % 1'000'000));
    return std::string(date, n) + rest +
           to_hex(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
}

bool valid_id(std::string_view id) {
    if (id.empty() || id.size() > 64 || id[0] == '.') return false;
    for (char c : id) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                        (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

std::string encode(const BackupManifest& m) {
    json::object o =
        common(kLedgerManifestFormat, m.id, m.created_at_us, m.store_id, m.key_id, m.public_key);
    o["dev"] = m.dev;
    o["tree_head"] = json::parse(tree_head_to_json(m.head));
    o["vault_id"] = m.vault_id;
    o["files"] = files_json(m.files);
    return json::serialize(o) + "\n";
}

std::string encode(const VaultManifest& m) {
    json::object o =
        common(kVaultManifestFormat, m.id, m.created_at_us, m.store_id, m.key_id, m.public_key);
    o["files"] = files_json(m.files);
    return json::serialize(o) + "\n";
}

Result<BackupManifest> decode_ledger_manifest(std::string_view text) {
    AUD_ASSIGN_OR_RETURN(json::object o, parse_object(text, kLedgerManifestFormat));
    AUD_ASSIGN_OR_RETURN(Common c, decode_common(o));
    BackupManifest m;
    m.id = std::move(c.id);
    m.created_at_us = c.created_at_us;
    m.store_id = c.store_id;
    m.key_id = c.key_id;
    m.public_key = std::move(c.public_key);
    m.files = std::move(c.files);
    const auto* dev = o.if_contains("dev");
    if (dev == nullptr || !dev->is_bool())
        return corruption("manifest: dev: missing or not a boolean");
    m.dev = dev->as_bool();
    AUD_ASSIGN_OR_RETURN(m.vault_id, string_field(o, "vault_id"));
    const auto* head = o.if_contains("tree_head");
    if (head == nullptr || !head->is_object())
        return corruption("manifest: tree_head: missing or not an object");
    auto parsed = tree_head_from_json(json::serialize(*head));
    if (!parsed) return corruption("manifest: tree_head: " + parsed.status().message());
    m.head = std::move(parsed).value();
    if (m.head.store_id != m.store_id)
        return corruption("manifest: the tree head belongs to another store");
    return m;
}

Result<VaultManifest> decode_vault_manifest(std::string_view text) {
    AUD_ASSIGN_OR_RETURN(json::object o, parse_object(text, kVaultManifestFormat));
    AUD_ASSIGN_OR_RETURN(Common c, decode_common(o));
    return VaultManifest{std::move(c.id), c.created_at_us,         c.store_id,
                         c.key_id,        std::move(c.public_key), std::move(c.files)};
}

std::string trusted_comment(const BackupManifest& m) {
    return "auditorium backup ledger id=" + m.id + " store=" + m.store_id.hex() +
           " tree_size=" + std::to_string(m.head.size) + (m.dev ? " dev" : "");
}

std::string trusted_comment(const VaultManifest& m) {
    return "auditorium backup vault id=" + m.id + " store=" + m.store_id.hex();
}

Result<std::vector<std::pair<std::string, std::string>>> list_manifests(const fs::path& target,
                                                                        Kind kind) {
    std::vector<std::pair<std::string, std::string>> out;
    const fs::path dir = target / (kind == Kind::kLedger ? kLedgerDir : kVaultDir);
    std::error_code ec;
    if (!fs::exists(dir, ec)) return out;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= kManifestSuffix.size() || !name.ends_with(kManifestSuffix)) continue;
        const std::string id = name.substr(0, name.size() - kManifestSuffix.size());
        if (!valid_id(id)) continue;
        AUD_ASSIGN_OR_RETURN(std::string text, file::read_file(it->path()));
        out.emplace_back(id, std::move(text));
    }
    if (ec) return unavailable("listing " + dir.string() + ": " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace auditorium::eventstore::internal::backup_format
