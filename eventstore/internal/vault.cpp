#include "eventstore/internal/vault.hpp"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/big_endian.hpp"
#include "base/file.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/log_scan.hpp"
#include "eventstore/internal/public_random.hpp"
#include "eventstore/internal/rocks_logger.hpp"
#include "eventstore/internal/rocks_status.hpp"

namespace auditorium::eventstore::internal {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kWrapLabel = "auditorium/vault/v1";
constexpr std::string_view kCheckPlaintext = "auditorium vault master key check v1";
constexpr std::string_view kMetaStoreId = "store_id";
constexpr std::string_view kMetaCheck = "check";
constexpr char kWrapFormat = 0x01;

std::string aead_seal(const DataKey& key, std::string_view plain, std::string_view ad) {
    std::string out(1 + kNonceSize + plain.size() + kTagSize, '\0');
    out[0] = kWrapFormat;
    auto* nonce = reinterpret_cast<unsigned char*>(out.data() + 1);
    public_random(nonce, kNonceSize);
    unsigned long long n = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        nonce + kNonceSize, &n, reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
        reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce, key.data());
    return out;
}

std::optional<std::string> aead_open(const DataKey& key, std::string_view sealed,
                                     std::string_view ad) {
    if (sealed.size() < 1 + kNonceSize + kTagSize || sealed[0] != kWrapFormat) return std::nullopt;
    const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data() + 1);
    const auto* cipher = nonce + kNonceSize;
    const std::size_t cipher_size = sealed.size() - 1 - kNonceSize;
    std::string plain(cipher_size - kTagSize, '\0');
    unsigned long long n = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(plain.data()), &n, nullptr, cipher, cipher_size,
            reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce, key.data()) != 0) {
        return std::nullopt;
    }
    return plain;
}

std::string check_ad(const Id& store_id) {
    std::string ad(kWrapLabel);
    ad += "/check";
    ad.append(store_id.view());
    return ad;
}

}  // namespace

// ---- MasterKey ----

// Open first, then check what was opened (fstat): a check by name and an open by name could
// see two different files if someone swapped it in between. O_NOFOLLOW refuses a symbolic link.
Result<MasterKey> MasterKey::load(const fs::path& file) {
    const file::UniqueFd owned(
        ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!owned) {
        if (errno == ENOENT)
            return not_found("master key file " + file.string() + " does not exist");
        if (errno == ELOOP)
            return permission_denied("master key file " + file.string() + " is a symbolic link");
        return permission_denied("master key file " + file.string() + ": " +
                                 file::errno_text(errno));
    }
    const int fd = owned.get();
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return permission_denied("master key file " + file.string() + ": " +
                                 file::errno_text(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return permission_denied("master key file " + file.string() + " is not a regular file");
    }
    if (st.st_uid != ::geteuid()) {
        return permission_denied("master key file " + file.string() + " is owned by uid " +
                                 std::to_string(st.st_uid) + ", not by the running user (uid " +
                                 std::to_string(::geteuid()) + ")");
    }
    if ((st.st_mode & 07777) != 0600) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return permission_denied("master key file " + file.string() + " has mode " + mode +
                                 "; it must be 0600 (chmod 600 " + file.string() + ")");
    }
    if (st.st_size != static_cast<off_t>(kMasterKeySize)) {
        return permission_denied("master key file " + file.string() + " holds " +
                                 std::to_string(st.st_size) + " bytes, not " +
                                 std::to_string(kMasterKeySize));
    }
    std::array<std::uint8_t, kMasterKeySize> bytes{};
    const ssize_t n = ::read(fd, bytes.data(), bytes.size());
    if (n != static_cast<ssize_t>(bytes.size())) {
        sodium_memzero(bytes.data(), bytes.size());
        return permission_denied("reading master key " + file.string() + ": short read");
    }
    MasterKey key;
    key.key_ = DataKey(bytes.data());
    sodium_memzero(bytes.data(), bytes.size());
    return key;
}

Result<MasterKey> MasterKey::create(const fs::path& file) {
    MasterKey key;
    key.key_ = DataKey::generate();
    // Exclusive (an existing file is never overwritten), 0600, fsynced with its directory, removed
    // again on failure. Every failure is Unavailable, an existing file included, as it always was.
    const Status written = file::write_new_file(
        file, std::string_view(reinterpret_cast<const char*>(key.key_.data()), kMasterKeySize));
    if (!written.is_ok()) {
        return unavailable("creating master key " + file.string() + ": " + written.message());
    }
    return key;
}

// ---- Vault ----

std::size_t Vault::CacheKeyHash::operator()(const CacheKey& k) const noexcept {
    return std::hash<Id>()(k.subject) ^ (std::size_t{k.key_class} << 40) ^ k.key_id;
}

DataKey Vault::master_key() const {
    ReaderLock lock(master_mu_);
    return master_.key();
}

std::string MasterKey::fingerprint() const {
    constexpr std::string_view kLabel = "auditorium/master-key-fingerprint/v1";
    unsigned char out[8];
    crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(kLabel.data()),
                       kLabel.size(), key_.data(), kDataKeySize);
    return to_hex(std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

Status Vault::rotate_master(const MasterKey& next) {
    AUD_RETURN_IF_ERROR(failure());
    WriterLock lock(master_mu_);
    rocksdb::WriteBatch batch;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    std::string ad_base(kWrapLabel);
    ad_base.append(store_id_.view());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const std::string key = it->key().ToString();
        if (key.empty() || (key[0] != layout::kVaultKeyTag && key[0] != layout::kVaultSecretTag))
            continue;
        auto plain = aead_open(master_.key(), it->value().ToStringView(), ad_base + key);
        if (!plain)
            return corruption("a vault record fails its tag check during master key rotation");
        batch.Put(key, aead_seal(next.key(), *plain, ad_base + key));
        sodium_memzero(plain->data(), plain->size());
    }
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading the vault"));
    batch.Put(layout::vault_meta_key(kMetaCheck),
              aead_seal(next.key(), kCheckPlaintext, check_ad(store_id_)));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    AUD_RETURN_IF_ERROR(write(wo, batch, "re-wrapping the vault"));
    master_ = next;
    // The old wrappings must not linger in files either.
    return force_off_disk(std::string(1, '\0'), std::string(1, '\xff'));
}

Vault::Vault(std::unique_ptr<rocksdb::DB> db, MasterKey master, const Id& store_id)
    : db_(std::move(db)), master_(std::move(master)), store_id_(store_id) {}

Vault::~Vault() {
    if (!db_) return;
    if (auto s = db_->Close(); !s.ok()) spdlog::warn("key vault: closing: {}", s.ToString());
}

Result<std::unique_ptr<Vault>> Vault::open(const Options& options, MasterKey master,
                                           const Id& store_id) {
    AUD_ASSIGN_OR_RETURN(auto files, log_scan::check_database_dir(options.dir, "key vault"));
    if (files.fresh && !options.create_if_missing) {
        return failed_precondition("key vault " + options.dir.string() + " is not initialized");
    }
    if (files.fresh) AUD_RETURN_IF_ERROR(file::make_private_dirs(options.dir));
    rocksdb::Options o;
    // Only a missing or empty directory becomes a new vault; RocksDB would make a new one beside
    // a lost CURRENT and delete the old keys as obsolete files.
    o.create_if_missing = files.fresh;
    o.info_log = make_rocks_logger("key vault");
    o.write_buffer_size = 4 << 20;
    o.keep_log_file_num = 2;
    o.recycle_log_file_num = 0;  // a recycled WAL could keep a destroyed key's bytes
    if (options.env != nullptr) o.env = options.env;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, options.dir.string(), &raw);
    if (!s.ok()) return from_rocks(s, "opening key vault " + options.dir.string());
    std::unique_ptr<rocksdb::DB> db(raw);

    std::string stored_id;
    s = db->Get(rocksdb::ReadOptions(), layout::vault_meta_key(kMetaStoreId), &stored_id);
    if (s.IsNotFound()) {
        if (!options.create_if_missing) {
            return failed_precondition("key vault " + options.dir.string() + " is not initialized");
        }
        rocksdb::WriteBatch batch;
        batch.Put(layout::vault_meta_key(kMetaStoreId), std::string(store_id.view()));
        batch.Put(layout::vault_meta_key(kMetaCheck),
                  aead_seal(master.key(), kCheckPlaintext, check_ad(store_id)));
        rocksdb::WriteOptions wo;
        wo.sync = true;
        s = db->Write(wo, &batch);
        if (!s.ok()) return from_rocks(s, "initializing key vault");
    } else if (!s.ok()) {
        return from_rocks(s, "reading key vault");
    }
    return check_and_make(std::move(db), std::move(master), store_id, options.dir.string());
}

Status Vault::probe(const fs::path& dir, rocksdb::Env* env) {
    rocksdb::Options o;
    o.info_log = make_rocks_logger("key vault");
    if (env != nullptr) o.env = env;
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status s = rocksdb::DB::OpenForReadOnly(o, dir.string(), &raw);
    std::unique_ptr<rocksdb::DB> db(raw);
    if (!s.ok())
        return from_rocks(s, "opening key vault " + dir.string() + log_scan::name_damaged_sst(dir));
    return from_rocks(db->Close(), "closing key vault " + dir.string());
}

Result<std::unique_ptr<Vault>> Vault::open_secondary(const fs::path& dir, const fs::path& scratch,
                                                     MasterKey master, const Id& store_id) {
    AUD_ASSIGN_OR_RETURN(auto files, log_scan::check_database_dir(dir, "key vault"));
    if (files.fresh)
        return failed_precondition("key vault " + dir.string() + " is not initialized");
    AUD_RETURN_IF_ERROR(probe(dir, nullptr));
    rocksdb::Options o;
    o.max_open_files = -1;  // required by secondary instances
    o.info_log = make_rocks_logger("key vault");
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::OpenAsSecondary(o, dir.string(), scratch.string(), &raw);
    if (!s.ok()) return from_rocks(s, "opening key vault " + dir.string() + " read-only");
    std::unique_ptr<rocksdb::DB> db(raw);
    // A secondary opens at the primary's last MANIFEST; without the catch-up it may lack a subject
    // key written since, and a read would report that key lost.
    AUD_RETURN_IF_ERROR(
        from_rocks(db->TryCatchUpWithPrimary(), "catching up with key vault " + dir.string()));
    return check_and_make(std::move(db), std::move(master), store_id, dir.string());
}

Result<std::unique_ptr<Vault>> Vault::check_and_make(std::unique_ptr<rocksdb::DB> db,
                                                     MasterKey master, const Id& store_id,
                                                     const std::string& where) {
    std::string stored_id;
    rocksdb::Status s =
        db->Get(rocksdb::ReadOptions(), layout::vault_meta_key(kMetaStoreId), &stored_id);
    if (!s.ok()) return from_rocks(s, "reading key vault " + where);
    if (stored_id != store_id.view()) {
        return failed_precondition("key vault " + where + " belongs to another ledger (store id " +
                                   to_hex(stored_id) + ", ledger's " + store_id.hex() + ")");
    }
    std::string check;
    s = db->Get(rocksdb::ReadOptions(), layout::vault_meta_key(kMetaCheck), &check);
    if (!s.ok()) return from_rocks(s, "reading key vault check record");
    auto plain = aead_open(master.key(), check, check_ad(store_id));
    if (!plain || *plain != kCheckPlaintext) {
        return permission_denied("wrong master key: it does not open the key vault at " + where);
    }
    return std::unique_ptr<Vault>(new Vault(std::move(db), std::move(master), store_id));
}

std::string Vault::wrap_named(const DataKey& key, std::string_view vault_key) const {
    std::string ad(kWrapLabel);
    ad.append(store_id_.view());
    ad += vault_key;
    return aead_seal(master_key(),
                     std::string_view(reinterpret_cast<const char*>(key.data()), kDataKeySize), ad);
}

std::string Vault::wrap(const DataKey& key, const Id& subject, KeyClass c, std::uint32_t id) const {
    return wrap_named(key, layout::vault_key(subject, static_cast<std::uint8_t>(c), id));
}

Status Vault::store_secret(std::string_view name, const DataKey& secret) {
    const std::string k = layout::vault_secret_key(name);
    return write_synced(k, wrap_named(secret, k), false);
}

Result<std::optional<DataKey>> Vault::load_secret(std::string_view name) {
    const std::string k = layout::vault_secret_key(name);
    std::string wrapped;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), k, &wrapped);
    if (s.IsNotFound()) return std::optional<DataKey>();
    if (!s.ok()) return from_rocks(s, "reading the vault");
    std::string ad(kWrapLabel);
    ad.append(store_id_.view());
    ad += k;
    auto plain = aead_open(master_key(), wrapped, ad);
    if (!plain || plain->size() != kDataKeySize) {
        return corruption("vault secret " + std::string(name) + " fails its tag check");
    }
    DataKey key(reinterpret_cast<const std::uint8_t*>(plain->data()));
    sodium_memzero(plain->data(), plain->size());
    return std::optional<DataKey>(key);
}

Result<DataKey> Vault::unwrap(std::string_view wrapped, const Id& subject, KeyClass c,
                              std::uint32_t id) const {
    std::string ad(kWrapLabel);
    ad.append(store_id_.view());
    ad += layout::vault_key(subject, static_cast<std::uint8_t>(c), id);
    auto plain = aead_open(master_key(), wrapped, ad);
    if (!plain || plain->size() != kDataKeySize) {
        return corruption("wrapped key of subject " + subject.hex() + " fails its tag check");
    }
    DataKey key(reinterpret_cast<const std::uint8_t*>(plain->data()));
    sodium_memzero(plain->data(), plain->size());
    return key;
}

Vault::CacheShard& Vault::shard(const Id& subject) {
    return cache_[std::hash<Id>()(subject) % kStripes];
}

std::optional<DataKey> Vault::cached(const CacheKey& k) {
    CacheShard& s = shard(k.subject);
    MutexLock lock(s.mu);
    auto it = s.keys.find(k);
    if (it == s.keys.end()) return std::nullopt;
    return it->second;
}

bool Vault::is_destroyed(const Id& subject, std::uint8_t key_class) {
    if (key_class != static_cast<std::uint8_t>(KeyClass::kPersonal)) return false;
    CacheShard& s = shard(subject);
    MutexLock lock(s.mu);
    return s.destroyed.contains(subject);
}

void Vault::remember(const CacheKey& k, const DataKey& key) {
    CacheShard& s = shard(k.subject);
    MutexLock lock(s.mu);
    if (k.key_class == static_cast<std::uint8_t>(KeyClass::kPersonal) &&
        s.destroyed.contains(k.subject)) {
        return;  // read before the destruction: handed to no one (key_for_opening checks)
    }
    // A crude bound: the cache only saves unwrapping; dropping a shard is always correct.
    if (s.keys.size() >= kCacheLimit / kStripes) s.keys.clear();
    s.keys.insert_or_assign(k, key);
}

Mutex& Vault::stripe(const Id& subject) { return stripes_[std::hash<Id>()(subject) % kStripes]; }

Status Vault::write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch& batch,
                    std::string_view what) {
    MutexLock turn(gate_turnstile_);
    ReaderLock gate(write_gate_);
    turn.unlock();
    return remember_failure(from_rocks(db_->Write(options, &batch), std::string(what)));
}

Status Vault::remember_failure(Status s) {
    if (s.is_ok()) return s;
    MutexLock lock(failure_mu_);
    if (failure_.is_ok()) failure_ = s;
    return s;
}

Status Vault::failure() {
    MutexLock lock(failure_mu_);
    return failure_;
}

Result<DataKey> Vault::key_for_sealing(const Id& subject, KeyClass key_class, std::uint32_t key_id,
                                       const RefuseNewKey& refuse_new_key) {
    const CacheKey ck{subject, static_cast<std::uint8_t>(key_class), key_id};
    if (auto hit = cached(ck)) return *hit;
    MutexLock lock(stripe(subject));
    if (is_destroyed(subject, ck.key_class)) {
        return failed_precondition("subject " + subject.hex() +
                                   " was erased; no new personal data may be sealed for it");
    }
    AUD_ASSIGN_OR_RETURN(auto existing, key_for_opening(subject, key_class, key_id));
    if (existing) return *existing;
    AUD_RETURN_IF_ERROR(refuse_new_key(subject, key_class));
    AUD_RETURN_IF_ERROR(failure());
    DataKey key = DataKey::generate();
    const std::string k = layout::vault_key(subject, ck.key_class, key_id);
    // Not synced here: sync_if_dirty() makes it durable, once for many keys, before any entry
    // sealed under it is committed.
    rocksdb::WriteBatch batch;
    batch.Put(k, wrap(key, subject, key_class, key_id));
    AUD_RETURN_IF_ERROR(write(rocksdb::WriteOptions(), batch, "storing a new key in the vault"));
    created_.fetch_add(1, std::memory_order_release);
    remember(ck, key);
    return key;
}

Result<std::optional<DataKey>> Vault::key_for_opening(const Id& subject, KeyClass key_class,
                                                      std::uint32_t key_id) {
    const CacheKey ck{subject, static_cast<std::uint8_t>(key_class), key_id};
    if (auto hit = cached(ck)) return std::optional<DataKey>(*hit);
    std::string wrapped;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(),
                                 layout::vault_key(subject, ck.key_class, key_id), &wrapped);
    if (s.IsNotFound()) return std::optional<DataKey>();
    if (!s.ok()) return from_rocks(s, "reading the vault");
    AUD_ASSIGN_OR_RETURN(DataKey key, unwrap(wrapped, subject, key_class, key_id));
    // Read before an erasure that has begun since: the key is gone as far as anyone is told.
    if (is_destroyed(subject, ck.key_class)) return std::optional<DataKey>();
    remember(ck, key);
    return std::optional<DataKey>(key);
}

Status Vault::sync_if_dirty() {
    MutexLock lock(sync_mu_);
    const std::uint64_t created = created_.load(std::memory_order_acquire);
    AUD_RETURN_IF_ERROR(failure());
    if (created == synced_) return Status::ok();
    MutexLock turn(
        gate_turnstile_);  // new writes wait here, so a stream of them cannot starve the sync
    WriterLock gate(write_gate_);  // no write in flight: one that fails now is seen below
    turn.unlock();
    AUD_RETURN_IF_ERROR(failure());
    AUD_RETURN_IF_ERROR(remember_failure(from_rocks(db_->SyncWAL(), "syncing the key vault")));
    synced_ = created;
    return Status::ok();
}

Status Vault::write_synced(std::string_view key, std::string_view value, bool remove) {
    AUD_RETURN_IF_ERROR(failure());
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::WriteBatch batch;
    if (remove) {
        batch.Delete(key);
    } else {
        batch.Put(key, value);
    }
    return write(wo, batch, "writing the key vault");
}

Status Vault::mark_pending_shred(const Id& subject) {
    return write_synced(layout::vault_pending_shred_key(subject), "", false);
}

Status Vault::clear_pending_shred(const Id& subject) {
    return write_synced(layout::vault_pending_shred_key(subject), "", true);
}

Result<std::vector<Id>> Vault::pending_shreds() {
    std::vector<Id> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    const std::string prefix(1, layout::kVaultPendingShredTag);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        auto id = Id::from_bytes(std::string_view(it->key().data() + 1, it->key().size() - 1));
        if (!id) return corruption("malformed pending-erasure marker in the vault");
        out.push_back(*id);
    }
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "listing pending erasures"));
    return out;
}

Status Vault::destroy_personal_keys(const Id& subject) {
    std::string prefix = layout::vault_key_prefix(subject);
    prefix.push_back(static_cast<char>(KeyClass::kPersonal));
    std::string end = prefix;
    end.push_back(static_cast<char>(0xFF));
    AUD_RETURN_IF_ERROR(failure());
    {
        MutexLock lock(stripe(subject));
        {
            // First, so that no read finishing from now on hands the key out or caches it.
            CacheShard& cache = shard(subject);
            MutexLock cache_lock(cache.mu);
            cache.destroyed.insert(subject);
            std::erase_if(cache.keys, [&](const auto& kv) {
                return kv.first.subject == subject &&
                       kv.first.key_class == static_cast<std::uint8_t>(KeyClass::kPersonal);
            });
        }
        rocksdb::WriteBatch batch;
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
        for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
            batch.Delete(it->key());
        }
        AUD_RETURN_IF_ERROR(from_rocks(it->status(), "listing keys to destroy"));
        rocksdb::WriteOptions wo;
        wo.sync = true;
        AUD_RETURN_IF_ERROR(write(wo, batch, "destroying keys"));
    }
    return force_off_disk(prefix, end);
}

Status Vault::force_off_disk(const std::string& begin, const std::string& end) {
    // The flush retires the WAL that held the wrapped bytes; the compaction rewrites every SST
    // overlapping the range without them.
    rocksdb::FlushOptions fo;
    fo.wait = true;
    AUD_RETURN_IF_ERROR(from_rocks(db_->Flush(fo), "flushing the vault after destroying keys"));
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    const rocksdb::Slice b(begin);
    const rocksdb::Slice e(end);
    return from_rocks(db_->CompactRange(co, &b, &e), "compacting the vault after destroying keys");
}

Result<std::vector<Vault::RetainedKey>> Vault::retained_keys() {
    std::vector<RetainedKey> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    const std::string prefix(1, layout::kVaultKeyTag);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        const std::string_view k = it->key().ToStringView();
        if (k.size() != 1 + 16 + 1 + 4) return corruption("malformed key record in the vault");
        if (static_cast<std::uint8_t>(k[17]) != static_cast<std::uint8_t>(KeyClass::kRetained))
            continue;
        out.push_back(RetainedKey{*Id::from_bytes(k.substr(1, 16)), get_be32(k.substr(18))});
    }
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "listing retention keys"));
    return out;
}

Status Vault::destroy_retained_keys(const std::vector<RetainedKey>& keys) {
    if (keys.empty()) return Status::ok();
    AUD_RETURN_IF_ERROR(failure());
    rocksdb::WriteBatch batch;
    for (const auto& k : keys) {
        batch.Delete(
            layout::vault_key(k.subject, static_cast<std::uint8_t>(KeyClass::kRetained), k.month));
        CacheShard& cache = shard(k.subject);
        MutexLock lock(cache.mu);
        cache.keys.erase(
            CacheKey{k.subject, static_cast<std::uint8_t>(KeyClass::kRetained), k.month});
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    AUD_RETURN_IF_ERROR(write(wo, batch, "destroying retention keys"));
    return force_off_disk(std::string(1, layout::kVaultKeyTag),
                          std::string(1, layout::kVaultKeyTag + 1));
}

Status Vault::checkpoint(const fs::path& dir) {
    rocksdb::Checkpoint* raw = nullptr;
    AUD_RETURN_IF_ERROR(
        from_rocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "checkpointing the key vault"));
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    return from_rocks(checkpoint->CreateCheckpoint(dir.string()),
                      "checkpointing the key vault into " + dir.string());
}

}  // namespace auditorium::eventstore::internal
