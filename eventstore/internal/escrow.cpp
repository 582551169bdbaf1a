// Master key escrow (backup.hpp): the master key sealed under a passphrase, so that backups can
// be restored after the machine holding the key file is lost. Format (one line of JSON):
//   {"format":"auditorium/master-key-escrow/v1","store_id":"<32 hex>","created_at_us":N,
//    "created_at":"..","kdf":{"algorithm":"argon2id13","opslimit":N,"memlimit":N,
//    "salt":"<32 hex>"},"aead":{"algorithm":"xchacha20poly1305-ietf","nonce":"<48 hex>",
//    "ciphertext":"<96 hex>"}}
// The key is Argon2id(passphrase, salt, opslimit, memlimit), 32 bytes; the associated data is
//   "auditorium/master-key-escrow/v1" 0x00 || store id (16) || BE64(opslimit) || BE64(memlimit)
//   || salt (16)
// so no parameter can be changed without the tag failing.
#include <sodium.h>

#include <boost/json.hpp>
#include <chrono>

#include "base/big_endian.hpp"
#include "base/file.hpp"
#include "eventstore/backup.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/vault.hpp"
#include "eventstore/secret.hpp"
#include "eventstore/sodium_init.hpp"
#include "eventstore/tree_head_json.hpp"

namespace auditorium::eventstore {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

constexpr std::string_view kFormat = "auditorium/master-key-escrow/v1";
constexpr std::string_view kKdf = "argon2id13";
constexpr std::string_view kAead = "xchacha20poly1305-ietf";
// Refused when reading, so a damaged or hostile file cannot ask for absurd work.
constexpr std::uint64_t kMaxMemlimit = std::uint64_t{4} << 30;
constexpr std::uint64_t kMaxOpslimit = 64;

struct Params {
    Id store_id;
    std::uint64_t opslimit = 0;
    std::uint64_t memlimit = 0;
    std::string salt;  // crypto_pwhash_SALTBYTES
};

std::string associated_data(const Params& p) {
    std::string ad(kFormat);
    ad.push_back('\0');
    ad.append(p.store_id.view());
    put_be64(ad, p.opslimit);
    put_be64(ad, p.memlimit);
    ad.append(p.salt);
    return ad;
}

// The 32-byte sealing key, wiped when its holder goes.
Result<Secret> derive(std::string_view passphrase, const Params& p) {
    Secret key = Secret::zeros(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
    if (crypto_pwhash(reinterpret_cast<unsigned char*>(key.data()), key.size(), passphrase.data(),
                      passphrase.size(), reinterpret_cast<const unsigned char*>(p.salt.data()),
                      p.opslimit, static_cast<std::size_t>(p.memlimit),
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return unavailable("Argon2id failed (out of memory?)");
    }
    return key;
}

Result<std::string> hex_field(const json::object& o, std::string_view name, std::size_t bytes) {
    const auto* v = o.if_contains(name);
    auto raw =
        v != nullptr && v->is_string() ? from_hex(std::string_view(v->as_string())) : std::nullopt;
    if (!raw || (bytes != 0 && raw->size() != bytes))
        return corruption("escrow file: " + std::string(name) + ": malformed");
    return *raw;
}

Result<std::uint64_t> uint_field(const json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (v != nullptr && v->is_uint64()) return v->as_uint64();
    if (v != nullptr && v->is_int64() && v->as_int64() >= 0)
        return static_cast<std::uint64_t>(v->as_int64());
    return corruption("escrow file: " + std::string(name) + ": missing or not a number");
}

Result<const json::object*> object_field(const json::object& o, std::string_view name,
                                         std::string_view algorithm) {
    const auto* v = o.if_contains(name);
    if (v == nullptr || !v->is_object())
        return corruption("escrow file: " + std::string(name) + ": missing");
    const auto* a = v->as_object().if_contains("algorithm");
    if (a == nullptr || !a->is_string() || a->as_string() != algorithm) {
        return corruption("escrow file: " + std::string(name) + ": the algorithm is not " +
                          std::string(algorithm));
    }
    return &v->as_object();
}

}  // namespace

Status escrow_master_key(const fs::path& keys_dir, const Id& store_id, std::string_view passphrase,
                         const fs::path& out) {
    AUD_RETURN_IF_ERROR(init_sodium());
    if (passphrase.size() < kMinEscrowPassphraseBytes) {
        return invalid_argument("passphrase: at least " +
                                std::to_string(kMinEscrowPassphraseBytes) +
                                " characters are required");
    }
    AUD_ASSIGN_OR_RETURN(auto master, internal::MasterKey::load(keys_dir / layout::kMasterKeyFile));
    Params p;
    p.store_id = store_id;
    p.opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
    p.memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
    p.salt.assign(crypto_pwhash_SALTBYTES, '\0');
    randombytes_buf(p.salt.data(), p.salt.size());
    AUD_ASSIGN_OR_RETURN(Secret key, derive(passphrase, p));
    std::string nonce(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, '\0');
    randombytes_buf(nonce.data(), nonce.size());
    std::string cipher(internal::kMasterKeySize + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    const std::string ad = associated_data(p);
    unsigned long long n = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char*>(cipher.data()), &n, master.key().data(),
        internal::kMasterKeySize, reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
        nullptr, reinterpret_cast<const unsigned char*>(nonce.data()),
        reinterpret_cast<const unsigned char*>(key.data()));

    const std::int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    json::object kdf;
    kdf["algorithm"] = kKdf;
    kdf["opslimit"] = p.opslimit;
    kdf["memlimit"] = p.memlimit;
    kdf["salt"] = to_hex(p.salt);
    json::object aead;
    aead["algorithm"] = kAead;
    aead["nonce"] = to_hex(nonce);
    aead["ciphertext"] = to_hex(cipher);
    json::object o;
    o["format"] = kFormat;
    o["store_id"] = store_id.hex();
    o["created_at_us"] = now;
    o["created_at"] = rfc3339(now);
    o["kdf"] = std::move(kdf);
    o["aead"] = std::move(aead);
    return file::write_new_file_atomic(out, json::serialize(o) + "\n");
}

Result<EscrowInfo> unescrow_master_key(const fs::path& escrow, std::string_view passphrase,
                                       const fs::path& key_file) {
    AUD_RETURN_IF_ERROR(init_sodium());
    AUD_ASSIGN_OR_RETURN(std::string text, file::read_file(escrow));
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object())
        return corruption("escrow file " + escrow.string() + ": not a JSON object");
    const json::object& o = v.as_object();
    const auto* format = o.if_contains("format");
    if (format == nullptr || !format->is_string() || format->as_string() != kFormat) {
        return corruption("escrow file " + escrow.string() + ": format is not " +
                          std::string(kFormat));
    }
    Params p;
    EscrowInfo info;
    AUD_ASSIGN_OR_RETURN(std::string store, hex_field(o, "store_id", 16));
    p.store_id = *Id::from_bytes(store);
    info.store_id = p.store_id;
    AUD_ASSIGN_OR_RETURN(std::uint64_t created, uint_field(o, "created_at_us"));
    info.created_at_us = static_cast<std::int64_t>(created);
    AUD_ASSIGN_OR_RETURN(const json::object* kdf, object_field(o, "kdf", kKdf));
    AUD_ASSIGN_OR_RETURN(p.opslimit, uint_field(*kdf, "opslimit"));
    AUD_ASSIGN_OR_RETURN(p.memlimit, uint_field(*kdf, "memlimit"));
    AUD_ASSIGN_OR_RETURN(p.salt, hex_field(*kdf, "salt", crypto_pwhash_SALTBYTES));
    if (p.opslimit < crypto_pwhash_OPSLIMIT_MIN || p.opslimit > kMaxOpslimit ||
        p.memlimit < crypto_pwhash_MEMLIMIT_MIN || p.memlimit > kMaxMemlimit) {
        return corruption("escrow file " + escrow.string() + ": Argon2id limits out of range");
    }
    AUD_ASSIGN_OR_RETURN(const json::object* aead, object_field(o, "aead", kAead));
    AUD_ASSIGN_OR_RETURN(std::string nonce,
                         hex_field(*aead, "nonce", crypto_aead_xchacha20poly1305_ietf_NPUBBYTES));
    AUD_ASSIGN_OR_RETURN(
        std::string cipher,
        hex_field(*aead, "ciphertext",
                  internal::kMasterKeySize + crypto_aead_xchacha20poly1305_ietf_ABYTES));
    AUD_ASSIGN_OR_RETURN(Secret key, derive(passphrase, p));
    Secret master = Secret::zeros(internal::kMasterKeySize);
    const std::string ad = associated_data(p);
    unsigned long long n = 0;
    const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
        reinterpret_cast<unsigned char*>(master.data()), &n, nullptr,
        reinterpret_cast<const unsigned char*>(cipher.data()), cipher.size(),
        reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
        reinterpret_cast<const unsigned char*>(nonce.data()),
        reinterpret_cast<const unsigned char*>(key.data()));
    if (rc != 0) {
        return permission_denied("the passphrase does not open " + escrow.string() +
                                 " (wrong passphrase, or the file was changed)");
    }
    AUD_RETURN_IF_ERROR(file::write_new_file_atomic(key_file, master.view()));
    return info;
}

}  // namespace auditorium::eventstore
