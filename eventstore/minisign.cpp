#include "eventstore/minisign.hpp"

#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>
#include <vector>

#include "base/base64.hpp"
#include "base/id.hpp"
#include "eventstore/sodium_init.hpp"

namespace auditorium::eventstore::minisign {
namespace {

constexpr std::string_view kUntrustedPrefix = "untrusted comment: ";
constexpr std::string_view kTrustedPrefix = "trusted comment: ";
constexpr std::string_view kPublicKeyComment = "minisign public key ";
constexpr std::string_view kKeyAlgorithm = "Ed";
constexpr std::string_view kPrehashedAlgorithm = "ED";
constexpr std::string_view kLegacyAlgorithm = "Ed";
constexpr std::size_t kAlgorithmBytes = 2;
constexpr std::size_t kEncodedKeyBytes = kAlgorithmBytes + kKeyIdBytes + kPublicKeyBytes;
constexpr std::size_t kEncodedSignatureBytes = kAlgorithmBytes + kKeyIdBytes + kSignatureBytes;

static_assert(kSecretKeyBytes == crypto_sign_SECRETKEYBYTES);
static_assert(kPublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kSignatureBytes == crypto_sign_BYTES);
static_assert(kPrehashBytes == crypto_generichash_BYTES_MAX);

// Aborts if libsodium cannot initialize: the tools refuse to start without it (sodium_init.hpp).
void ensure_sodium() { require_sodium(); }

const unsigned char* bytes_of(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

std::string_view view_of(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Decodes canonical padded base64 (no whitespace, zero pad bits) of exactly `expected` bytes.
// `what` names the field in the error, which carries `code`.
Result<std::string> from_base64(std::string_view text, std::size_t expected, std::string_view what,
                                StatusCode code) {
    auto bytes = base64_decode(text, expected);
    if (!bytes) return Status(code, std::string(what) + ": " + bytes.status().message());
    return bytes;
}

// Two bytes as minisign algorithm names are shown: quoted if printable, else in hex.
std::string describe_algorithm(std::string_view algorithm) {
    const bool printable = std::all_of(algorithm.begin(), algorithm.end(),
                                       [](char c) { return c >= 0x21 && c <= 0x7e; });
    if (printable) return "\"" + std::string(algorithm) + "\"";
    return "0x" + to_hex(algorithm);
}

// The lines of `text`, split at '\n', each without one trailing '\r'. A final "\n" does not
// start another line; empty lines at the end are dropped, so a file may end in blank lines.
std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
}

// A single line the tool can read back unchanged: no '\r', '\n' or NUL, at most `max` bytes.
Status check_comment(std::string_view comment, std::size_t max, std::string_view what) {
    if (comment.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
        return invalid_argument(std::string(what) +
                                " must be a single line: it contains '\\r', '\\n' or a NUL byte");
    }
    if (comment.size() > max) {
        return invalid_argument(std::string(what) + " is " + std::to_string(comment.size()) +
                                " bytes; minisign reads at most " + std::to_string(max));
    }
    return Status::ok();
}

// The parsed lines of a .minisig, before any check that needs a key.
struct SignatureFile {
    std::string algorithm;
    KeyId key_id{};
    Signature signature{};
    std::string trusted_comment;
    Signature global_signature{};
};

Status signature_line_error(int line, std::string_view what) {
    return corruption("signature file, line " + std::to_string(line) + ": " + std::string(what));
}

Result<SignatureFile> parse_signature_file(std::string_view text) {
    const std::vector<std::string_view> lines = split_lines(text);
    if (lines.size() != 4) {
        return corruption("signature file: expected 4 lines, found " +
                          std::to_string(lines.size()));
    }
    if (!lines[0].starts_with(kUntrustedPrefix)) {
        return signature_line_error(1, "does not start with \"untrusted comment: \"");
    }
    AUD_ASSIGN_OR_RETURN(
        const std::string encoded,
        from_base64(lines[1], kEncodedSignatureBytes, "signature file, line 2 (signature)",
                    StatusCode::kCorruption));
    if (!lines[2].starts_with(kTrustedPrefix)) {
        return signature_line_error(3, "does not start with \"trusted comment: \"");
    }
    const std::string_view comment = lines[2].substr(kTrustedPrefix.size());
    // The tool cuts lines at the first '\r' or NUL, so it would check another text than ours.
    if (comment.find_first_of(std::string_view("\r\0", 2)) != std::string_view::npos) {
        return signature_line_error(3, "trusted comment contains '\\r' or a NUL byte");
    }
    AUD_ASSIGN_OR_RETURN(
        const std::string global,
        from_base64(lines[3], kSignatureBytes, "signature file, line 4 (trusted comment signature)",
                    StatusCode::kCorruption));
    SignatureFile file;
    file.algorithm = encoded.substr(0, kAlgorithmBytes);
    std::memcpy(file.key_id.data(), encoded.data() + kAlgorithmBytes, kKeyIdBytes);
    std::memcpy(file.signature.data(), encoded.data() + kAlgorithmBytes + kKeyIdBytes,
                kSignatureBytes);
    file.trusted_comment = std::string(comment);
    std::memcpy(file.global_signature.data(), global.data(), kSignatureBytes);
    return file;
}

// The message the global signature covers: the file signature, then the trusted comment.
std::string global_message(const Signature& signature, std::string_view trusted_comment) {
    std::string message(view_of(signature.data(), signature.size()));
    message.append(trusted_comment);
    return message;
}

Signature to_signature(std::string_view bytes) {
    assert(bytes.size() == kSignatureBytes);
    Signature out;
    std::memcpy(out.data(), bytes.data(), out.size());
    return out;
}

bool verify_bytes(const PublicKey& key, std::string_view message, const Signature& signature) {
    return crypto_sign_verify_detached(signature.data(), bytes_of(message), message.size(),
                                       key.key.data()) == 0;
}

void hash_init(crypto_generichash_state& state) {
    crypto_generichash_init(&state, nullptr, 0, kPrehashBytes);
}

std::string hash_final(crypto_generichash_state& state) {
    std::string digest(kPrehashBytes, '\0');
    crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(digest.data()),
                             digest.size());
    return digest;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SigningKey

SigningKey SigningKey::generate() {
    ensure_sodium();
    SigningKey key;
    randombytes_buf(key.public_.id.data(), key.public_.id.size());
    crypto_sign_keypair(key.public_.key.data(), key.secret_.data());
    return key;
}

Result<SigningKey> SigningKey::from_bytes(std::string_view secret, const KeyId& id) {
    ensure_sodium();
    if (secret.size() != kSecretKeyBytes) {
        return invalid_argument("secret key: " + std::to_string(secret.size()) +
                                " bytes; expected " + std::to_string(kSecretKeyBytes));
    }
    SigningKey key;
    key.public_.id = id;
    // Rebuild the pair from the seed, then insist the stored public half is the derived one.
    crypto_sign_seed_keypair(key.public_.key.data(), key.secret_.data(), bytes_of(secret));
    if (sodium_memcmp(key.secret_.data(), secret.data(), kSecretKeyBytes) != 0) {
        return invalid_argument("secret key: its public half is not the one its seed derives");
    }
    return key;
}

SigningKey::SigningKey(SigningKey&& other) noexcept
    : secret_(other.secret_), public_(other.public_) {
    other.wipe();
}

SigningKey& SigningKey::operator=(SigningKey&& other) noexcept {
    if (this != &other) {
        secret_ = other.secret_;
        public_ = other.public_;
        other.wipe();
    }
    return *this;
}

SigningKey::~SigningKey() { wipe(); }

void SigningKey::wipe() noexcept {
    sodium_memzero(secret_.data(), secret_.size());
    public_ = PublicKey{};
}

std::string SigningKey::secret_bytes() const {
    return std::string(view_of(secret_.data(), secret_.size()));
}

// ---------------------------------------------------------------------------------------------
// Public keys

std::string key_id_hex(const KeyId& id) {
    const std::string most_significant_first(id.rbegin(), id.rend());  // the id is little-endian
    return to_hex_upper(most_significant_first);
}

std::string public_key_base64(const PublicKey& key) {
    std::string bytes(kKeyAlgorithm);
    bytes.append(view_of(key.id.data(), key.id.size()));
    bytes.append(view_of(key.key.data(), key.key.size()));
    return base64_encode(bytes);
}

std::string public_key_file(const PublicKey& key) {
    // The stock tool prints the id in this comment with "%" PRIX64, without zero padding (its
    // other messages pad to 16 digits): a key id starting with a zero nibble has fewer digits here.
    std::string id = key_id_hex(key.id);
    const auto first = id.find_first_not_of('0');
    id = first == std::string::npos ? "0" : id.substr(first);
    return std::string(kUntrustedPrefix) + std::string(kPublicKeyComment) + id + "\n" +
           public_key_base64(key) + "\n";
}

Result<PublicKey> parse_public_key(std::string_view base64_or_file) {
    const std::vector<std::string_view> lines = split_lines(base64_or_file);
    std::string_view encoded;
    if (lines.size() == 1) {
        encoded = lines[0];
    } else if (lines.size() == 2 && lines[0].starts_with(kUntrustedPrefix)) {
        encoded = lines[1];
    } else if (lines.size() == 2) {
        return invalid_argument(
            "public key file: line 1 does not start with \"untrusted comment: \"");
    } else {
        return invalid_argument("public key: expected a base64 key or a 2-line .pub file; found " +
                                std::to_string(lines.size()) + " lines");
    }
    AUD_ASSIGN_OR_RETURN(
        const std::string bytes,
        from_base64(encoded, kEncodedKeyBytes, "public key", StatusCode::kInvalidArgument));
    const std::string_view algorithm = std::string_view(bytes).substr(0, kAlgorithmBytes);
    if (algorithm != kKeyAlgorithm) {
        return invalid_argument("public key: unknown algorithm " + describe_algorithm(algorithm) +
                                "; expected \"Ed\"");
    }
    PublicKey key;
    std::memcpy(key.id.data(), bytes.data() + kAlgorithmBytes, kKeyIdBytes);
    std::memcpy(key.key.data(), bytes.data() + kAlgorithmBytes + kKeyIdBytes, kPublicKeyBytes);
    return key;
}

// ---------------------------------------------------------------------------------------------
// FileSigner

FileSigner::FileSigner(const SigningKey& key) : key_(&key) {
    ensure_sodium();
    hash_init(hash_);
}

void FileSigner::update(std::string_view bytes) {
    assert(!finished_);
    crypto_generichash_update(&hash_, bytes_of(bytes), bytes.size());
}

Result<std::string> FileSigner::finish(std::string_view trusted_comment,
                                       std::string_view untrusted_comment) {
    assert(!finished_);
    AUD_RETURN_IF_ERROR(check_comment(trusted_comment, kMaxTrustedCommentBytes, "trusted comment"));
    AUD_RETURN_IF_ERROR(
        check_comment(untrusted_comment, kMaxUntrustedCommentBytes, "untrusted comment"));
    finished_ = true;
    const std::string signature = sign(*key_, hash_final(hash_));
    const std::string global =
        sign(*key_, global_message(to_signature(signature), trusted_comment));

    const PublicKey& pk = key_->public_key();
    std::string encoded(kPrehashedAlgorithm);
    encoded.append(view_of(pk.id.data(), pk.id.size()));
    encoded.append(signature);

    std::string out;
    out.append(kUntrustedPrefix).append(untrusted_comment).append("\n");
    out.append(base64_encode(encoded)).append("\n");
    out.append(kTrustedPrefix).append(trusted_comment).append("\n");
    out.append(base64_encode(global)).append("\n");
    return out;
}

// ---------------------------------------------------------------------------------------------
// FileVerifier

FileVerifier::FileVerifier(const PublicKey& key, const Signature& signature,
                           std::string trusted_comment)
    : key_(key), signature_(signature), trusted_comment_(std::move(trusted_comment)) {
    hash_init(hash_);
}

Result<FileVerifier> FileVerifier::start(const PublicKey& key, std::string_view minisig_contents) {
    ensure_sodium();
    AUD_ASSIGN_OR_RETURN(SignatureFile file, parse_signature_file(minisig_contents));
    if (file.algorithm == kLegacyAlgorithm) {
        return invalid_argument(
            "signature file: legacy \"Ed\" signature (minisign -l) signs the whole file, which "
            "cannot be checked in constant memory; re-sign without -l");
    }
    if (file.algorithm != kPrehashedAlgorithm) {
        return corruption("signature file: unknown algorithm " +
                          describe_algorithm(file.algorithm) + "; expected \"ED\"");
    }
    if (file.key_id != key.id) {
        return invalid_argument("signature file: signed by key id " + key_id_hex(file.key_id) +
                                ", but the public key's id is " + key_id_hex(key.id));
    }
    if (!verify_bytes(key, global_message(file.signature, file.trusted_comment),
                      file.global_signature)) {
        return corruption("signature file: the trusted comment signature does not verify");
    }
    return FileVerifier(key, file.signature, std::move(file.trusted_comment));
}

void FileVerifier::update(std::string_view bytes) {
    assert(!finished_);
    crypto_generichash_update(&hash_, bytes_of(bytes), bytes.size());
}

Result<std::string> FileVerifier::finish() {
    assert(!finished_);
    finished_ = true;
    if (!verify_bytes(key_, hash_final(hash_), signature_)) {
        return corruption("file signature does not verify: the file is not the one signed");
    }
    return std::move(trusted_comment_);
}

// ---------------------------------------------------------------------------------------------
// Detached signatures

std::string sign(const SigningKey& key, std::string_view message) {
    std::string signature(kSignatureBytes, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                         bytes_of(message), message.size(), key.secret_.data());
    return signature;
}

bool verify(const PublicKey& key, std::string_view message, std::string_view signature) {
    ensure_sodium();
    if (signature.size() != kSignatureBytes) return false;
    return verify_bytes(key, message, to_signature(signature));
}

}  // namespace auditorium::eventstore::minisign
