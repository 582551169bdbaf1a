#include "eventstore/internal/reader.hpp"

#include <rocksdb/db.h>
#include <sodium.h>

#include <cstring>

#include "base/big_endian.hpp"
#include "eventstore/internal/entry_codec.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/months.hpp"
#include "eventstore/internal/rocks_status.hpp"
#include "eventstore/internal/sealer.hpp"
#include "eventstore/internal/vault.hpp"
#include "eventstore/minisign.hpp"

namespace auditorium::eventstore::internal {
namespace {

// One `streams` key: versions first..first+count-1 at positions first_position.. (layout.hpp).
struct StreamRun {
    StreamVersion first = 0;
    std::uint64_t count = 0;
    Position first_position = 0;
    StreamVersion last() const { return first + count - 1; }
};

// The run under the iterator if it belongs to the stream of `prefix`; nullopt past the stream.
Result<std::optional<StreamRun>> run_at(const rocksdb::Iterator& it, std::string_view prefix) {
    if (!it.Valid() || !it.key().starts_with(prefix)) return std::optional<StreamRun>();
    const std::string_view key = it.key().ToStringView();
    const std::string_view value = it.value().ToStringView();
    if (key.size() != prefix.size() + 8 || value.size() != 16) {
        return corruption("a malformed stream index record for " +
                          std::string(prefix.substr(0, prefix.size() - 1)));
    }
    StreamRun r{get_be64(key.substr(prefix.size())), get_be64(value.substr(8)), get_be64(value)};
    if (r.first == 0 || r.count == 0 || r.first_position == 0) {
        return corruption("an empty stream index record for " +
                          std::string(prefix.substr(0, prefix.size() - 1)));
    }
    return std::optional<StreamRun>(r);
}

}  // namespace

Result<StreamVersion> LedgerReader::stream_version(std::string_view stream,
                                                   const rocksdb::ReadOptions& ro) const {
    const std::string prefix = layout::stream_prefix(stream);
    std::unique_ptr<rocksdb::Iterator> it(db_.db().NewIterator(ro, db_.cf().streams));
    it->SeekForPrev(layout::stream_key(stream, UINT64_MAX));
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading stream " + std::string(stream)));
    AUD_ASSIGN_OR_RETURN(auto run, run_at(*it, prefix));
    return run ? run->last() : StreamVersion{0};
}

Result<Entry> LedgerReader::materialize(std::string_view bytes, Position expected_position) {
    const std::string where = "entry at position " + std::to_string(expected_position);
    if (layout::is_purged_value(bytes)) {
        if (get_be64(bytes.substr(layout::kPurgedMarker.size())) != expected_position) {
            return corruption(where + ": a purge marker for another position");
        }
        Entry purged;
        purged.position = expected_position;
        purged.purged = true;
        return purged;
    }
    auto decoded = decode_entry(bytes);
    if (!decoded) return decoded.status().with_context(where);
    DecodedEntry& d = *decoded;
    if (d.header.position != expected_position) {
        return corruption(where + " claims position " + std::to_string(d.header.position));
    }
    Entry e;
    e.position = d.header.position;
    e.stream = std::move(d.header.stream);
    e.version = d.header.version;
    e.event_id = d.header.event_id;
    e.type = std::move(d.header.type);
    e.schema_version = d.header.schema_version;
    e.recorded_at_us = d.header.recorded_at_us;
    e.actor = d.header.actor;
    e.subject = d.header.subject;
    e.correlation = d.header.correlation;
    e.causation = d.header.causation;
    e.clear = std::move(d.clear);
    e.canonical = std::string(bytes);
    // The binding reads the header fields back from the entry we are building.
    EntryHeader h{e.position, e.stream,         e.version,        e.event_id,
                  e.type,     e.schema_version, e.recorded_at_us, e.actor,
                  e.subject,  e.correlation,    e.causation};
    for (std::size_t i = 0; i < d.sections.size(); ++i) {
        const StoredSection& s = d.sections[i];
        Section out{s.subject, s.key_class, s.key_id, Section::State::kSealed, {}};
        if (!vault_) {  // an auditor's read: no keys
            e.sections.push_back(std::move(out));
            continue;
        }
        AUD_ASSIGN_OR_RETURN(auto key, vault_->key_for_opening(s.subject, s.key_class, s.key_id));
        if (key) {
            auto plain = internal::open(*key, binding_of(h, s.subject, s.key_class, s.key_id),
                                        s.commitment, s.nonce, s.ciphertext);
            if (!plain) {
                return plain.status().with_context(where + ", section " + std::to_string(i));
            }
            out.plaintext = std::move(plain).value();
            out.state = Section::State::kOpen;
        } else {
            // A retention key goes once its month has passed retention (purge); a ledger restored
            // from before that purge still holds the records it sealed, now unreadable by design.
            if (s.key_class == KeyClass::kRetained &&
                month_end_us(s.key_id) + config_.retention.count() <= config_.now_us()) {
                out.state = Section::State::kExpired;
                e.sections.push_back(std::move(out));
                continue;
            }
            AUD_ASSIGN_OR_RETURN(bool erased, s.key_class == KeyClass::kPersonal
                                                  ? subjects_.is_erased(s.subject)
                                                  : Result<bool>(false));
            if (!erased) {
                return data_loss(where + ", section " + std::to_string(i) + ": the " +
                                 std::string(key_class_name(s.key_class)) + " key of subject " +
                                 s.subject.hex() +
                                 " is missing from the vault and the ledger holds no erasure "
                                 "record for it");
            }
            out.state = Section::State::kErased;
        }
        e.sections.push_back(std::move(out));
    }
    return e;
}

Result<std::vector<Entry>> LedgerReader::read_all(Position from, std::size_t max) {
    std::vector<Entry> out;
    const Position last = durable_.head();
    if (from == 0) from = 1;
    if (from > last || max == 0) return out;
    const std::string upper = be64(last + 1);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_.db().NewIterator(ro, db_.cf().ledger));
    Position expected = from;
    for (it->Seek(be64(from)); it->Valid() && out.size() < max; it->Next(), ++expected) {
        const Position pos = get_be64(it->key().ToStringView());
        if (pos != expected) {
            return corruption("the ledger has no entry at position " + std::to_string(expected));
        }
        AUD_ASSIGN_OR_RETURN(Entry e, materialize(it->value().ToStringView(), pos));
        out.push_back(std::move(e));
    }
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading the ledger"));
    if (out.size() < max && expected <= last) {
        return corruption("the ledger has no entry at position " + std::to_string(expected));
    }
    return out;
}

Result<std::vector<Entry>> LedgerReader::read_stream(std::string_view stream, StreamVersion from,
                                                     Log::Direction direction, std::size_t max,
                                                     const rocksdb::ReadOptions& ro) {
    AUD_RETURN_IF_ERROR(validate_stream_name(stream));
    std::vector<Entry> out;
    const Position last = durable_.head();
    const std::string prefix = layout::stream_prefix(stream);
    std::unique_ptr<rocksdb::Iterator> runs(db_.db().NewIterator(ro, db_.cf().streams));
    std::unique_ptr<rocksdb::Iterator> ledger(db_.db().NewIterator(ro, db_.cf().ledger));
    const bool forward = direction == Log::Direction::kForward;
    // The run holding `from`, or the next one in the reading direction.
    runs->SeekForPrev(layout::stream_key(stream, from));
    if (forward) {
        AUD_ASSIGN_OR_RETURN(auto run, run_at(*runs, prefix));
        if (!run || run->last() < from) runs->Seek(layout::stream_key(stream, from));
    }
    for (; out.size() < max; forward ? runs->Next() : runs->Prev()) {
        AUD_RETURN_IF_ERROR(from_rocks(runs->status(), "reading stream " + std::string(stream)));
        AUD_ASSIGN_OR_RETURN(auto run, run_at(*runs, prefix));
        if (!run) break;
        const StreamVersion begin =
            forward ? std::max(from, run->first) : std::min(from, run->last());
        const std::uint64_t available = forward ? run->last() - begin + 1 : begin - run->first + 1;
        const std::uint64_t take = std::min<std::uint64_t>(available, max - out.size());
        for (std::uint64_t i = 0; i < take; ++i) {
            const StreamVersion version = forward ? begin + i : begin - i;
            const Position pos = run->first_position + (version - run->first);
            if (pos > last) {  // committed but not yet announced: not visible yet
                if (forward) return out;
                continue;
            }
            if (i == 0 || !forward) {
                ledger->Seek(be64(pos));
            } else {
                ledger->Next();
            }
            if (!ledger->Valid() || get_be64(ledger->key().ToStringView()) != pos) {
                AUD_RETURN_IF_ERROR(from_rocks(ledger->status(), "reading the ledger"));
                return corruption("stream " + std::string(stream) + " refers to missing position " +
                                  std::to_string(pos));
            }
            AUD_ASSIGN_OR_RETURN(Entry e, materialize(ledger->value().ToStringView(), pos));
            if (e.purged) {
                e.stream = std::string(stream);
                e.version = version;
            }
            out.push_back(std::move(e));
        }
    }
    return out;
}

Result<std::vector<AuditLedger::SigningPublicKey>> LedgerReader::signing_keys() {
    std::vector<AuditLedger::SigningPublicKey> out;
    const std::string prefix(layout::kMetaSigningKeyPrefix);
    std::unique_ptr<rocksdb::Iterator> it(
        db_.db().NewIterator(rocksdb::ReadOptions(), db_.cf().meta));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        const auto hex = from_hex(it->key().ToStringView().substr(prefix.size()));
        const std::string_view v = it->value().ToStringView();
        if (!hex || hex->size() != 8 || v.size() != 32 + 1 + 8) {
            return corruption("malformed signing key record in the ledger's metadata");
        }
        AuditLedger::SigningPublicKey k;
        std::memcpy(k.id.data(), hex->data(), 8);
        k.key = std::string(v.substr(0, 32));
        k.active = v[32] == 1;
        k.created_at_us = static_cast<std::int64_t>(get_be64(v.substr(33)));
        out.push_back(std::move(k));
    }
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading signing keys"));
    return out;
}

Result<std::vector<SignedTreeHead>> LedgerReader::tree_heads(std::uint64_t from_size,
                                                             std::size_t max) {
    std::vector<SignedTreeHead> out;
    std::unique_ptr<rocksdb::Iterator> it(
        db_.db().NewIterator(rocksdb::ReadOptions(), db_.cf().tree_heads));
    for (it->Seek(be64(from_size)); it->Valid() && out.size() < max; it->Next()) {
        auto h = decode_tree_head(it->value().ToStringView());
        if (!h) return h.status();
        out.push_back(std::move(h).value());
    }
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading tree heads"));
    return out;
}

merkle::NodeLookup LedgerReader::lookup(std::uint64_t tree_size) {
    std::shared_ptr<TreePieces> pieces = tree_pieces(rocksdb::ReadOptions());
    return [pieces, tree_size](unsigned level, std::uint64_t index) -> Result<merkle::Hash> {
        if (merkle::locate(level, index).leaf_index >= tree_size) {
            return internal_error("a proof asked for a node outside the tree");
        }
        return pieces->node(level, index);
    };
}

namespace {
std::vector<std::string> hashes_to_strings(const std::vector<merkle::Hash>& hashes) {
    std::vector<std::string> out;
    out.reserve(hashes.size());
    for (const auto& h : hashes) out.push_back(merkle::to_string(h));
    return out;
}
}  // namespace

Result<std::vector<std::string>> LedgerReader::inclusion_proof(Position position,
                                                               std::uint64_t tree_size) {
    if (tree_size > durable_.head()) {
        return invalid_argument("size: the ledger holds " + std::to_string(durable_.head()) +
                                " entries, not " + std::to_string(tree_size));
    }
    if (position == 0 || position > tree_size) {
        return invalid_argument("position: " + std::to_string(position) +
                                " is not in a tree of size " + std::to_string(tree_size));
    }
    AUD_ASSIGN_OR_RETURN(auto proof,
                         merkle::inclusion_proof(position - 1, tree_size, lookup(tree_size)));
    return hashes_to_strings(proof);
}

Result<std::vector<std::string>> LedgerReader::consistency_proof(std::uint64_t from_size,
                                                                 std::uint64_t to_size) {
    if (to_size > durable_.head()) {
        return invalid_argument("to: the ledger holds " + std::to_string(durable_.head()) +
                                " entries, not " + std::to_string(to_size));
    }
    if (from_size == 0 || from_size > to_size) {
        return invalid_argument("from: must be between 1 and " + std::to_string(to_size));
    }
    AUD_ASSIGN_OR_RETURN(auto proof,
                         merkle::consistency_proof(from_size, to_size, lookup(to_size)));
    return hashes_to_strings(proof);
}

Result<std::string> LedgerReader::root_at(std::uint64_t tree_size) {
    if (tree_size > durable_.head()) {
        return invalid_argument("size: the ledger holds " + std::to_string(durable_.head()) +
                                " entries, not " + std::to_string(tree_size));
    }
    AUD_ASSIGN_OR_RETURN(auto root, merkle::root_at(tree_size, lookup(tree_size)));
    return merkle::to_string(root);
}

Result<std::string> LedgerReader::leaf_hash(Position position) {
    if (position == 0 || position > durable_.head()) {
        return invalid_argument("position: " + std::to_string(position) + " is not in the ledger");
    }
    AUD_ASSIGN_OR_RETURN(auto h, tree_pieces(rocksdb::ReadOptions())->node(0, position - 1));
    return merkle::to_string(h);
}

std::unique_ptr<TreePieces> LedgerReader::tree_pieces(const rocksdb::ReadOptions& ro) const {
    return std::make_unique<TreePieces>(db_.db(), *db_.cf().tree, *db_.cf().tree_upper, ro);
}

Result<SignedTreeHead> LedgerReader::newest_tree_head() {
    std::unique_ptr<rocksdb::Iterator> it(
        db_.db().NewIterator(rocksdb::ReadOptions(), db_.cf().tree_heads));
    it->SeekToLast();
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading tree heads"));
    if (!it->Valid()) return not_found("the ledger has no signed tree head yet");
    return decode_tree_head(it->value().ToStringView());
}

Result<minisign::SigningKey> LedgerReader::active_signing_key() {
    if (!vault_) {
        return failed_precondition(
            "signing needs the ledger's signing key: open the store with its keys (--keys)");
    }
    AUD_ASSIGN_OR_RETURN(auto keys, signing_keys());
    for (const auto& k : keys) {
        if (!k.active) continue;
        AUD_ASSIGN_OR_RETURN(auto seed, vault_->load_secret("signing:" + signing_key_id_hex(k.id)));
        if (!seed) return data_loss("the vault lacks the active signing key's secret");
        std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
        std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
        crypto_sign_seed_keypair(pk.data(), sk.data(), seed->data());
        auto key = minisign::SigningKey::from_bytes(
            std::string_view(reinterpret_cast<const char*>(sk.data()), sk.size()), k.id);
        sodium_memzero(sk.data(), sk.size());
        return key;
    }
    return failed_precondition("the ledger has no active signing key");
}

Result<std::optional<std::string>> LedgerReader::signing_key_from_vault(const SigningKeyId& id) {
    if (!vault_) return failed_precondition("the store is open without its keys");
    AUD_ASSIGN_OR_RETURN(auto seed, vault_->load_secret("signing:" + signing_key_id_hex(id)));
    if (!seed) return std::optional<std::string>();
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
    crypto_sign_seed_keypair(pk.data(), sk.data(), seed->data());
    sodium_memzero(sk.data(), sk.size());
    return std::optional<std::string>(
        std::string(reinterpret_cast<const char*>(pk.data()), pk.size()));
}

namespace {

class RocksSubscription final : public Subscription {
public:
    RocksSubscription(LedgerReader& reader, DurableHead& durable, Position from)
        : reader_(reader), durable_(durable), last_(from == 0 ? 0 : from - 1) {}

    Result<std::vector<Entry>> next(std::size_t max,
                                    std::chrono::steady_clock::time_point deadline) override {
        if (durable_.head() <= last_ && durable_.wait_for(last_ + 1, deadline) <= last_) {
            return std::vector<Entry>();
        }
        AUD_ASSIGN_OR_RETURN(auto entries, reader_.read_all(last_ + 1, max));
        if (!entries.empty()) last_ = entries.back().position;
        return entries;
    }
    Position last_position() const override { return last_; }

private:
    LedgerReader& reader_;
    DurableHead& durable_;
    Position last_;
};

}  // namespace

std::unique_ptr<Subscription> LedgerReader::subscribe(Position from) {
    return std::make_unique<RocksSubscription>(*this, durable_, from);
}

}  // namespace auditorium::eventstore::internal
