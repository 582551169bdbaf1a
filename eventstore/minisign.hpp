// The file formats of minisign (https://jedisct1.github.io/minisign/), so that an export signed
// here can be checked by anyone with the stock tool (`minisign -Vm FILE -P RW...`), and a file
// signed by the stock tool can be checked here.
//
// Formats. Base64 is RFC 4648 with padding (libsodium's ORIGINAL variant), one line each. Every
// line ends in "\n"; readers also accept "\r\n" and a missing final newline, as the tool does.
//   public key  base64("Ed" || key_id[8] || ed25519_public_key[32])        (the -P string)
//   .pub file   "untrusted comment: minisign public key <KEYID>\n" <public key> "\n"
//   .minisig    "untrusted comment: <text>\n"
//               base64(algorithm[2] || key_id[8] || signature[64]) "\n"
//               "trusted comment: <text>\n"
//               base64(global_signature[64]) "\n"
// algorithm "ED": signature = Ed25519(BLAKE2b-512(file)), the tool's default since 0.10 and the
// only kind produced here; "Ed" (legacy, `minisign -l`): signature = Ed25519(file).
// global_signature = Ed25519(signature || trusted comment text): it binds the trusted comment
// (a timestamp, a file name, a tree size) to the file's signature. The untrusted comment is not
// signed by anything.
//
// Key ids are 8 random bytes chosen at key generation. They are not derived from the key: they
// only let a verifier say "signed by another key" before checking anything. The tool prints one
// as the 16 uppercase hex digits of the little-endian 64-bit integer, so bytes 3b 9e .. 22 84
// print as "84220E..9E3B" (see key_id_hex).
//
// Comments are single lines of at most kMaxTrustedCommentBytes / kMaxUntrustedCommentBytes
// bytes: the tool reads lines into fixed buffers and cuts them at the first '\r' or '\n', so any
// longer comment, or one with a line break or NUL byte, would not verify there.
//
// Errors. Keys given to this module (a public key string or .pub file, secret key bytes) are
// configuration: anything malformed is InvalidArgument. A .minisig arrives with the file it
// vouches for, so a malformed one is Corruption, like a bad signature, since the caller cannot
// tell a mangled signature file from a forged one. Two well-formed cases are InvalidArgument
// because trying again differently can help: a signature by another key id (use that key), and
// a legacy "Ed" signature (re-sign without -l; see FileVerifier). Messages name what is wrong.
//
// Thread safety: the free functions are safe to call from any thread. A SigningKey is immutable
// once made; its const members may be used from any thread. FileSigner and FileVerifier are not
// thread-safe: each belongs to the one thread feeding it a file.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/status.hpp"

namespace auditorium::eventstore::minisign {

inline constexpr std::size_t kKeyIdBytes = 8;
inline constexpr std::size_t kPublicKeyBytes = 32;  // Ed25519 public key
inline constexpr std::size_t kSecretKeyBytes = 64;  // libsodium's form: seed[32] || pk[32]
inline constexpr std::size_t kSignatureBytes = 64;  // Ed25519 signature
inline constexpr std::size_t kPrehashBytes = 64;    // BLAKE2b-512

// The tool signs with `-t` comments of up to 8192 - sizeof "trusted comment: " - 1 bytes and reads
// untrusted comment lines into a 1024-byte buffer (prefix and newline included).
inline constexpr std::size_t kMaxTrustedCommentBytes = 8173;
inline constexpr std::size_t kMaxUntrustedCommentBytes = 1003;

// What the tool writes when no untrusted comment is given.
inline constexpr std::string_view kDefaultUntrustedComment = "signature from minisign secret key";

using KeyId = std::array<std::uint8_t, kKeyIdBytes>;
using Signature = std::array<std::uint8_t, kSignatureBytes>;

struct PublicKey {
    KeyId id{};
    std::array<std::uint8_t, kPublicKeyBytes> key{};

    friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

// A minisign key pair: an Ed25519 secret key with its key id and public half. The secret bytes
// are wiped when the key is destroyed or moved from. Not copyable, so that secrets are not
// duplicated by accident; movable.
class SigningKey {
public:
    // A fresh key pair and a random key id, from libsodium's CSPRNG. Throws std::runtime_error
    // only if libsodium cannot initialize (no entropy source): a start-up failure.
    static SigningKey generate();

    // The key whose libsodium secret key (seed || public key) is `secret`, under key id `id`.
    // InvalidArgument unless `secret` is 64 bytes whose public half is the one its seed derives:
    // signing with a mismatched public half would produce signatures that leak the secret.
    static Result<SigningKey> from_bytes(std::string_view secret, const KeyId& id);

    SigningKey(SigningKey&& other) noexcept;
    SigningKey& operator=(SigningKey&& other) noexcept;
    SigningKey(const SigningKey&) = delete;
    SigningKey& operator=(const SigningKey&) = delete;
    ~SigningKey();

    const PublicKey& public_key() const { return public_; }

    // The 64 secret bytes, for the caller to store (encrypted) and give back to from_bytes. The
    // caller owns the copy and should wipe it (sodium_memzero) once stored.
    std::string secret_bytes() const;

private:
    SigningKey() = default;
    void wipe() noexcept;

    friend std::string sign(const SigningKey& key, std::string_view message);

    // Invariant: secret_ is seed || public_.key (all zeros once moved from).
    std::array<std::uint8_t, kSecretKeyBytes> secret_{};
    PublicKey public_{};
};

// The key id as minisign prints it: 16 uppercase hex digits of the little-endian integer.
std::string key_id_hex(const KeyId& id);

// The "RW..." string that `minisign -Vm FILE -P <string>` takes.
std::string public_key_base64(const PublicKey& key);

// The .pub file the tool writes for this key, byte for byte:
// "untrusted comment: minisign public key <KEYID>\n<base64>\n".
std::string public_key_file(const PublicKey& key);

// Reads a public key given either as the bare base64 string or as a whole .pub file (whose first
// line must start with "untrusted comment: "; the comment itself is not trusted and is ignored).
// A trailing newline is accepted. InvalidArgument, naming the fault, for anything else: not
// base64, the wrong length, an algorithm other than "Ed", extra lines.
Result<PublicKey> parse_public_key(std::string_view base64_or_file);

// Signs a file in the prehashed ("ED") format, reading it as a stream: memory stays constant
// whatever the file's size. Feed the file's bytes in order with update(), then call finish().
class FileSigner {
public:
    // `key` is borrowed: it must outlive this signer.
    explicit FileSigner(const SigningKey& key);
    FileSigner(const FileSigner&) = delete;
    FileSigner& operator=(const FileSigner&) = delete;

    // REQUIRES: finish() has not succeeded yet.
    void update(std::string_view bytes);

    // The contents of the .minisig file for the bytes fed so far. The trusted comment is signed;
    // the untrusted one is not. InvalidArgument if a comment contains '\r', '\n' or a NUL byte
    // or is longer than the tool accepts; the signer is then unchanged, so the caller may retry
    // with other comments.
    // REQUIRES: finish() has not succeeded yet.
    Result<std::string> finish(std::string_view trusted_comment,
                               std::string_view untrusted_comment = kDefaultUntrustedComment);

private:
    const SigningKey* key_;  // borrowed; see the constructor
    crypto_generichash_state hash_;
    bool finished_ = false;
};

// Checks a .minisig against a public key and a file read as a stream, in constant memory.
// start() checks everything that does not depend on the file: the format, the algorithm, the
// key id and the global signature (so the trusted comment is known to be authentic, though not
// yet known to belong to this file). Feed the file with update(); finish() checks the file's
// signature and only then returns the trusted comment.
//
// Legacy "Ed" signatures sign the whole file, which Ed25519 must then hold in memory; rather
// than break the constant-memory promise they are refused (InvalidArgument). The stock tool has
// produced prehashed signatures by default since version 0.10.
class FileVerifier {
public:
    // Errors: Corruption if `minisig_contents` is malformed (each line is checked: prefixes,
    // base64, lengths), names an unknown algorithm, or its trusted comment does not verify;
    // InvalidArgument for a legacy signature or a key id other than `key`'s (both ids named).
    static Result<FileVerifier> start(const PublicKey& key, std::string_view minisig_contents);

    FileVerifier(FileVerifier&&) = default;
    FileVerifier& operator=(FileVerifier&&) = default;

    // REQUIRES: finish() has not been called.
    void update(std::string_view bytes);

    // The verified trusted comment, or Corruption if the bytes fed are not the signed file.
    // REQUIRES: called at most once.
    Result<std::string> finish();

private:
    FileVerifier(const PublicKey& key, const Signature& signature, std::string trusted_comment);

    PublicKey key_;
    Signature signature_;
    std::string trusted_comment_;
    crypto_generichash_state hash_;
    bool finished_ = false;
};

// Plain detached Ed25519, for other signed byte strings (signed tree heads): the 64 signature
// bytes. The same key also signs files, so `message` should start with a tag naming its format,
// keeping a signature on one kind of message from passing as one on another.
std::string sign(const SigningKey& key, std::string_view message);

// True iff `signature` is a 64-byte Ed25519 signature by `key` on `message`. Any other length is
// simply false. The key id plays no part.
bool verify(const PublicKey& key, std::string_view message, std::string_view signature);

}  // namespace auditorium::eventstore::minisign
