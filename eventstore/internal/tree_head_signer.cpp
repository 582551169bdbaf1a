#include "eventstore/internal/tree_head_signer.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "base/big_endian.hpp"
#include "eventstore/internal/head_witness.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/rocks_status.hpp"
#include "eventstore/internal/vault.hpp"
#include "eventstore/minisign.hpp"

namespace auditorium::eventstore::internal {
namespace {

std::string secret_name(const SigningKeyId& id) { return "signing:" + signing_key_id_hex(id); }

// A `meta` row publishing a public key: the key, 1 when active, and when it was made.
std::string key_row(std::string_view public_key, bool active, std::int64_t created_at_us) {
    std::string value(public_key);
    value.push_back(active ? '\x01' : '\x00');
    put_be64(value, static_cast<std::uint64_t>(created_at_us));
    return value;
}

std::string key_row_name(const SigningKeyId& id) {
    return std::string(layout::kMetaSigningKeyPrefix) + signing_key_id_hex(id);
}

}  // namespace

TreeHeadSigner::~TreeHeadSigner() {
    stop();
    MutexLock lock(mu_);
    sodium_memzero(secret_.data(), secret_.size());
}

Status TreeHeadSigner::load_or_make_key() {
    MutexLock lock(mu_);
    AUD_ASSIGN_OR_RETURN(auto keys, reader_.signing_keys());
    for (const auto& k : keys) {
        if (!k.active) continue;
        AUD_ASSIGN_OR_RETURN(auto seed, vault_.load_secret(secret_name(k.id)));
        if (!seed)
            return data_loss("the vault lacks the secret of signing key " +
                             signing_key_id_hex(k.id));
        std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
        crypto_sign_seed_keypair(pk.data(), secret_.data(), seed->data());
        if (std::string_view(reinterpret_cast<const char*>(pk.data()), pk.size()) != k.key) {
            return corruption("signing key " + signing_key_id_hex(k.id) +
                              " in the vault does not match the ledger's public key");
        }
        id_ = k.id;
        public_key_ = k.key;
        return Status::ok();
    }
    const DataKey seed = DataKey::generate();
    randombytes_buf(id_.data(), id_.size());
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    crypto_sign_seed_keypair(pk.data(), secret_.data(), seed.data());
    public_key_.assign(reinterpret_cast<const char*>(pk.data()), pk.size());
    AUD_RETURN_IF_ERROR(vault_.store_secret(secret_name(id_), seed));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return from_rocks(db_.db().Put(wo, db_.cf().meta, key_row_name(id_),
                                   key_row(public_key_, true, config_.now_us())),
                      "publishing the signing key");
}

Result<TreeHeadSigner::Rotation> TreeHeadSigner::rotate() {
    MutexLock lock(mu_);
    Rotation out;
    out.old_id = id_;
    const DataKey seed = DataKey::generate();
    randombytes_buf(out.new_id.data(), out.new_id.size());
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
    crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
    out.public_key.assign(reinterpret_cast<const char*>(pk.data()), pk.size());
    AUD_RETURN_IF_ERROR(vault_.store_secret(secret_name(out.new_id), seed));
    AUD_ASSIGN_OR_RETURN(auto keys, reader_.signing_keys());
    rocksdb::WriteBatch batch;
    for (const auto& k : keys) {
        if (k.active)
            batch.Put(db_.cf().meta, key_row_name(k.id), key_row(k.key, false, k.created_at_us));
    }
    batch.Put(db_.cf().meta, key_row_name(out.new_id),
              key_row(out.public_key, true, config_.now_us()));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    Status written = from_rocks(db_.db().Write(wo, &batch), "publishing the new signing key");
    if (!written.is_ok()) {
        sodium_memzero(sk.data(), sk.size());
        return written;
    }
    id_ = out.new_id;
    public_key_ = out.public_key;
    secret_ = sk;
    sodium_memzero(sk.data(), sk.size());
    return out;
}

Result<SignedTreeHead> TreeHeadSigner::sign() {
    MutexLock lock(mu_);
    const AuditLedger::TreeHead th = durable_.tree_head();
    AUD_ASSIGN_OR_RETURN(auto newest, reader_.tree_heads(th.size, 1));
    if (!newest.empty() && newest.front().size == th.size) return newest.front();
    SignedTreeHead h;
    h.store_id = config_.store_id;
    h.size = th.size;
    h.root = th.root;
    h.time_us = config_.now_us();
    h.key_id = id_;
    h.dev = config_.dev;
    const std::string m = h.message();
    h.signature.resize(crypto_sign_BYTES);
    crypto_sign_detached(reinterpret_cast<unsigned char*>(h.signature.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(m.data()), m.size(),
                         secret_.data());
    AUD_RETURN_IF_ERROR(store_head(h, true));
    return h;
}

// Positions never change, so the live store computes the root a backup's checkpoint holds.
Result<SignedTreeHead> TreeHeadSigner::head_at(Position size, const minisign::SigningKey& key) {
    MutexLock lock(mu_);
    AUD_ASSIGN_OR_RETURN(auto stored, reader_.tree_heads(size, 1));
    if (!stored.empty() && stored.front().size == size) return stored.front();
    SignedTreeHead h;
    h.store_id = config_.store_id;
    h.size = size;
    AUD_ASSIGN_OR_RETURN(h.root, reader_.root_at(size));
    h.time_us = config_.now_us();
    h.key_id = key.public_key().id;
    h.dev = config_.dev;
    h.signature = minisign::sign(key, h.message());
    AUD_RETURN_IF_ERROR(store_head(h, false).with_context("storing the backup's signed tree head"));
    return h;
}

Status TreeHeadSigner::store_head(const SignedTreeHead& h, bool witness) {
    std::string key = be64(h.size);
    put_be64(key, static_cast<std::uint64_t>(h.time_us));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    AUD_RETURN_IF_ERROR(from_rocks(db_.db().Put(wo, db_.cf().tree_heads, key, encode_tree_head(h)),
                                   "storing a signed tree head"));
    if (!witness) return Status::ok();
    return head_witness::write(config_.keys_dir, h);
}

void TreeHeadSigner::start() {
    thread_ = std::thread([this] { run(); });
}

void TreeHeadSigner::stop() {
    if (!thread_.joinable()) return;
    {
        MutexLock lock(stop_mu_);
        stop_ = true;
    }
    stop_cv_.notify_all();
    thread_.join();
}

void TreeHeadSigner::run() {
    std::uint64_t signed_size = durable_.tree_head().size;
    for (;;) {
        {
            MutexLock lock(stop_mu_);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
            while (!stop_ && stop_cv_.wait_until(lock, deadline)) {
            }
            if (stop_) return;
        }
        if (durable_.tree_head().size == signed_size) continue;
        auto h = sign();
        if (h) {
            signed_size = h->size;
        } else {
            spdlog::warn("event store: signing a tree head failed: {}", h.status().to_string());
        }
    }
}

}  // namespace auditorium::eventstore::internal
