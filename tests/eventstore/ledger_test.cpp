// The audit ledger: signed tree heads, proofs, verification and read-only access.
#include "eventstore/store.hpp"

#include <sodium.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <map>

#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/merkle.hpp"
#include "tests/eventstore/raw_db.hpp"
#include "tests/support/status.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {

merkle::Hash as_hash(const std::string& bytes) { return merkle::from_string(bytes).value(); }

std::vector<merkle::Hash> as_hashes(const std::vector<std::string>& v) {
    std::vector<merkle::Hash> out;
    for (const auto& h : v) out.push_back(as_hash(h));
    return out;
}

void fill(Store& store, int appends) {
    for (int i = 0; i < appends; ++i) {
        must_append(store, "event-" + std::to_string(i % 5),
                    {make_event(), personal_event(random_id(), "p")});
    }
}

std::string active_key(Store& store) {
    for (const auto& k : store.signing_keys().value()) {
        if (k.active) return k.key;
    }
    FAIL("no active signing key");
    return {};
}

Result<Store::VerifyReport> verify(const StoreDir& dir, Store::VerifyOptions options = {}) {
    auto o = dir.options(false);
    o.read_only = true;
    o.with_keys = false;
    auto store = Store::open(o);
    if (!store) return store.status();
    return (*store)->verify(options);
}

}  // namespace

TEST_CASE("an open store signs a tree head that verifies under its public key") {
    StoreDir dir;
    auto store = dir.open();
    const Position at_open = store->head();  // the store's settings record
    fill(*store, 10);
    auto head = store->sign_tree_head();
    REQUIRE(head.is_ok());
    CHECK(head->size == at_open + 20);
    CHECK(head->root == store->tree_head().root);
    CHECK(head->store_id == store->store_id());
    CHECK_FALSE(head->dev);
    CHECK(verify_tree_head(*head, active_key(*store)).is_ok());
    // Signing again at the same size returns the stored head.
    CHECK(store->sign_tree_head()->signature == head->signature);
    auto heads = store->tree_heads(0, 100).value();
    REQUIRE(heads.size() >= 2);  // the one made at open, and this one
    CHECK(heads.front().size == at_open);
    CHECK(heads.back().size == at_open + 20);
    // A changed field breaks the signature.
    SignedTreeHead forged = *head;
    forged.size = head->size + 1;
    CHECK(verify_tree_head(forged, active_key(*store)).code() == StatusCode::kCorruption);
}

TEST_CASE("a dev store says so in its tree heads") {
    StoreDir dir;
    auto o = dir.options();
    o.dev = true;
    auto store = std::move(Store::open(o)).value();
    CHECK(store->is_dev());
    CHECK(store->sign_tree_head()->dev);
}

TEST_CASE("the store's proofs verify with the RFC 9162 verifiers, and bad ranges are refused") {
    StoreDir dir;
    auto store = dir.open();
    fill(*store, 37);
    const std::uint64_t n = store->head();
    for (std::uint64_t size : {std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{32}, n}) {
        const auto root = as_hash(store->root_at(size).value());
        for (Position p = 1; p <= size; ++p) {
            const auto proof = as_hashes(store->inclusion_proof(p, size).value());
            REQUIRE(merkle::verify_inclusion(p - 1, size, as_hash(store->leaf_hash(p).value()),
                                             proof, root));
        }
        for (std::uint64_t m = 1; m <= size; ++m) {
            const auto proof = as_hashes(store->consistency_proof(m, size).value());
            REQUIRE(merkle::verify_consistency(m, size, as_hash(store->root_at(m).value()), root,
                                               proof));
        }
    }
    CHECK(as_hash(store->root_at(n).value()) == as_hash(store->tree_head().root));
    CHECK(store->inclusion_proof(0, n).status().code() == StatusCode::kInvalidArgument);
    CHECK(store->inclusion_proof(5, 4).status().code() == StatusCode::kInvalidArgument);
    CHECK(store->inclusion_proof(1, n + 1).status().code() == StatusCode::kInvalidArgument);
    CHECK(store->consistency_proof(0, n).status().code() == StatusCode::kInvalidArgument);
    CHECK(store->consistency_proof(5, 4).status().code() == StatusCode::kInvalidArgument);
    CHECK(store->leaf_hash(n + 1).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("proofs hold across tree pieces written by appends of any size") {
    // The tree is stored in pieces of at most 256 leaves, one commit each; appends that straddle
    // piece boundaries, and single ones between them, must give the same proofs as any RFC 9162
    // tree, from a store reopened from disk.
    StoreDir dir;
    {
        auto store = dir.open();
        REQUIRE(store->head() ==
                1);  // its settings record: with 254 more the first piece is full less one
        for (const std::size_t size : {254, 1, 2, 300, 1, 1, 513, 7}) {
            std::vector<NewEvent> events;
            for (std::size_t i = 0; i < size; ++i) events.push_back(make_event());
            must_append(*store, "event-" + std::to_string(size), std::move(events));
        }
    }
    // Leaf hashes recomputed from the stored entries themselves, not read from the tree.
    std::map<Position, merkle::Hash> leaves;
    {
        RawDb raw(dir.data().string());
        for (const Position p : {1, 255, 256, 257, 258, 559, 1080}) {
            leaves[p] = merkle::leaf_hash(raw.get("ledger", layout::position_key(p)));
        }
    }
    auto store = dir.open();
    const std::uint64_t n = store->head();
    REQUIRE(n == 1080);
    for (const auto& [p, leaf] : leaves) CHECK(as_hash(store->leaf_hash(p).value()) == leaf);
    for (const std::uint64_t size :
         {std::uint64_t{256}, std::uint64_t{257}, std::uint64_t{559}, n}) {
        const auto root = as_hash(store->root_at(size).value());
        for (Position p = 1; p <= size; p += (p % 97 == 0 ? 1 : 13)) {
            const auto proof = as_hashes(store->inclusion_proof(p, size).value());
            REQUIRE(merkle::verify_inclusion(p - 1, size, as_hash(store->leaf_hash(p).value()),
                                             proof, root));
        }
        for (std::uint64_t m : {std::uint64_t{1}, std::uint64_t{255}, std::uint64_t{256}, size}) {
            if (m > size) continue;
            const auto proof = as_hashes(store->consistency_proof(m, size).value());
            REQUIRE(merkle::verify_consistency(m, size, as_hash(store->root_at(m).value()), root,
                                               proof));
        }
    }
    CHECK(as_hash(store->root_at(n).value()) == as_hash(store->tree_head().root));
    store.reset();
    auto report = verify(dir);
    REQUIRE_OK(report);
    CHECK(report->entries == n);

    // Nodes of level 8 and up are also kept under computed keys for proofs; verify checks both
    // copies, so a changed or missing one is named.
    {
        RawDb raw(dir.data().string());
        std::string upper = raw.get("tree_upper", layout::position_key(512));
        CHECK(upper.size() == 2 * 32);  // leaf 512 completes levels 0..9
        upper[33] ^= 1;
        raw.put("tree_upper", layout::position_key(512), upper);
    }
    auto changed = verify(dir);
    REQUIRE_FALSE(changed.is_ok());
    CHECK_THAT(changed.status().message(),
               Contains("position 512: the stored upper Merkle nodes do not match"));
    {
        RawDb raw(dir.data().string());
        raw.remove("tree_upper", layout::position_key(512));
    }
    auto missing = verify(dir);
    REQUIRE_FALSE(missing.is_ok());
    CHECK_THAT(missing.status().message(),
               Contains("position 512: its upper Merkle nodes are missing"));
}

TEST_CASE("a read-only store reads beside a running writer and catches up when reopened") {
    StoreDir dir;
    auto writer = dir.open();
    fill(*writer, 3);
    auto o = dir.options(false);
    o.read_only = true;
    o.with_keys = false;
    const Position written = writer->head();
    auto reader = std::move(Store::open(o)).value();
    CHECK(reader->head() == written);
    auto entries = reader->read_all(1, 10).value();
    REQUIRE(entries.size() == written);
    const Entry personal = entry_of(*reader, "event-0", 2);
    CHECK(personal.sections.at(0).state == Section::State::kSealed);  // no keys: sealed
    CHECK(reader->append("event-x", ExpectedVersion::any(), {make_event()}).status().code() ==
          StatusCode::kFailedPrecondition);
    fill(*writer, 2);
    o.with_keys = true;
    auto with_keys = std::move(Store::open(o)).value();
    CHECK(with_keys->head() == written + 4);
    CHECK(entry_of(*with_keys, "event-0", 2).sections.at(0).plaintext == "p");
    CHECK(with_keys->verify({}).value().sections_opened == 5);
}

TEST_CASE("verify passes on an intact ledger and counts its tree heads") {
    StoreDir dir;
    {
        auto store = dir.open();
        fill(*store, 20);
        REQUIRE(store->sign_tree_head().is_ok());
        fill(*store, 3);
    }
    auto report = verify(dir);
    REQUIRE_OK(report);
    CHECK(report->entries == 1 + 46);  // the settings record and the entries appended
    CHECK(report->tree_heads >= 3);    // at open (1), on demand (41), at close (47)
}

TEST_CASE("verify names the position of a changed byte, a missing entry or swapped entries") {
    const auto tampered = [](auto&& tamper, const std::string& expected) {
        StoreDir dir;
        {
            auto store = dir.open();
            fill(*store, 10);
        }
        {
            RawDb raw(dir.data().string());
            tamper(raw);
        }
        auto report = verify(dir);
        INFO(report.status().to_string());
        REQUIRE_FALSE(report.is_ok());
        CHECK_THAT(report.status().message(), Contains(expected));
    };
    using layout::position_key;
    tampered(
        [](RawDb& raw) {
            std::string bytes = raw.get("ledger", position_key(7));
            bytes[bytes.size() / 2] ^= 0x20;
            raw.put("ledger", position_key(7), bytes);
        },
        "position 7");
    tampered([](RawDb& raw) { raw.remove("ledger", position_key(4)); },
             "position 4: entry missing");
    tampered(
        [](RawDb& raw) {
            const std::string a = raw.get("ledger", position_key(2));
            const std::string b = raw.get("ledger", position_key(3));
            raw.put("ledger", position_key(2), b);
            raw.put("ledger", position_key(3), a);
        },
        "position 2: entry claims position 3");
    tampered([](RawDb& raw) { raw.remove("ledger", position_key(20)); }, "position 20");
}

TEST_CASE("verify names the position of a damaged, missing or padded Merkle piece") {
    const auto tampered = [](auto&& tamper, const std::string& expected) {
        StoreDir dir;
        {
            auto store = dir.open();
            // Pieces at 1 (the settings record) and 2, then one per append of two: 3, 5, 7, ... 19.
            REQUIRE(store->head() == 1);
            must_append(*store, "event-one", {make_event()});
            fill(*store, 9);
        }
        {
            RawDb raw(dir.data().string());
            tamper(raw);
        }
        auto report = verify(dir);
        INFO(report.status().to_string());
        REQUIRE_FALSE(report.is_ok());
        CHECK_THAT(report.status().message(), Contains(expected));
    };
    using layout::position_key;
    tampered(
        [](RawDb& raw) {
            std::string piece = raw.get("tree", position_key(7));
            piece[40] ^= 1;  // leaf 8's hash: leaf 7 owns one slot, leaf 8 two
            raw.put("tree", position_key(7), piece);
        },
        "position 8");
    tampered([](RawDb& raw) { raw.remove("tree", position_key(5)); },
             "position 5: its Merkle nodes are missing");
    tampered(
        [](RawDb& raw) {
            raw.put("tree", position_key(9),
                    raw.get("tree", position_key(9)) + std::string(16, 'x'));
        },
        "position 10: its Merkle piece holds more hashes");
    // Padding as long as the next leaf's hashes is read as that leaf's: it cannot match the entry.
    tampered(
        [](RawDb& raw) {
            raw.put("tree", position_key(9),
                    raw.get("tree", position_key(9)) + std::string(32, 'x'));
        },
        "position 11: the entry's bytes do not match its leaf hash");
    tampered([](RawDb& raw) { raw.put("tree", position_key(21), std::string(32, 'x')); },
             "position 21: Merkle nodes stored past the last entry");
    tampered([](RawDb& raw) { raw.remove("tree", position_key(2)); },
             "position 2: its Merkle nodes are missing");
}

TEST_CASE("verify rejects a forged tree head and one whose root does not match") {
    StoreDir dir;
    Position size = 0;
    {
        auto store = dir.open();
        fill(*store, 5);
        size = store->head();
    }
    std::string key;
    std::string value;
    {
        RawDb raw(dir.data().string());
        auto heads = raw.scan("tree_heads", "");
        REQUIRE_FALSE(heads.empty());
        key = heads.back().first;
        value = heads.back().second;
        std::string forged = value;
        forged[forged.size() - 1] ^= 1;  // the signature
        raw.put("tree_heads", key, forged);
    }
    auto forged = verify(dir);
    REQUIRE_FALSE(forged.is_ok());
    CHECK_THAT(forged.status().message(), Contains("tree head of size " + std::to_string(size)));
    CHECK_THAT(forged.status().message(), Contains("does not verify"));
    std::string original_key;
    {
        // A well-signed head for a root the ledger does not have, by a key the forger also
        // published in the ledger's metadata.
        RawDb raw(dir.data().string());
        original_key = raw.scan("meta", "signing_key:").at(0).second.substr(0, 32);
        auto head = decode_tree_head(value).value();
        head.root[0] ^= 1;
        std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
        std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
        crypto_sign_keypair(pk.data(), sk.data());
        head.key_id = {1, 2, 3, 4, 5, 6, 7, 8};
        const std::string m = head.message();
        head.signature.resize(64);
        crypto_sign_detached(reinterpret_cast<unsigned char*>(head.signature.data()), nullptr,
                             reinterpret_cast<const unsigned char*>(m.data()), m.size(), sk.data());
        raw.put("tree_heads", key, encode_tree_head(head));
        std::string record(reinterpret_cast<const char*>(pk.data()), pk.size());
        record.push_back('\x01');
        record.append(8, '\0');
        raw.put("meta", "signing_key:" + signing_key_id_hex(head.key_id), record);
    }
    // The forger's key is in the metadata but no ledgered record announces it: verify says so
    // before it gets to the head (its root would not match either).
    auto mismatched = verify(dir);
    REQUIRE_FALSE(mismatched.is_ok());
    CHECK_THAT(mismatched.status().message(),
               Contains("signing_key:0102030405060708") && Contains("announced"));
    // An auditor who pinned the ledger's real key rejects the forger's key outright.
    Store::VerifyOptions pinned;
    pinned.trusted_public_key = original_key;
    auto untrusted = verify(dir, pinned);
    REQUIRE_FALSE(untrusted.is_ok());
    CHECK_THAT(untrusted.status().message(), Contains("signing_key:0102030405060708"));
}

TEST_CASE("a history rewritten by someone holding the signing key is caught by a saved tree head") {
    StoreDir original;
    TempDir fork_parent;
    {
        auto store = original.open();
        fill(*store, 5);
    }
    // The forger copies the ledger and its keys (signing key included) at size 10 ...
    std::filesystem::copy(original.dir.path(), fork_parent.path(),
                          std::filesystem::copy_options::recursive);
    SignedTreeHead saved;
    {
        auto store = original.open();
        fill(*store, 5);
        saved = store->sign_tree_head().value();  // the auditor saves this one (size 20)
    }
    eventstore::StoreOptions forged_options;
    forged_options.data_dir = fork_parent / "data";
    {
        // ... and writes a different history after position 10, signing it properly.
        auto forged = std::move(Store::open(forged_options)).value();
        fill(*forged, 7);
    }
    forged_options.read_only = true;
    forged_options.with_keys = false;
    auto forged = std::move(Store::open(forged_options)).value();
    CHECK(forged->verify({}).is_ok());  // self-consistent, properly signed
    Store::VerifyOptions with_saved;
    with_saved.previous = saved;
    auto caught = forged->verify(with_saved);
    REQUIRE_FALSE(caught.is_ok());
    CHECK_THAT(caught.status().message(), Contains("not a consistent extension"));
    CHECK(verify(original, with_saved).is_ok());
}

TEST_CASE("a rotated signing key signs new heads while the retired one still verifies the old") {
    StoreDir dir;
    Id actor = random_id();
    {
        auto store = dir.open();
        fill(*store, 3);
        const auto before = store->sign_tree_head().value();
        const auto rotated = store->rotate_signing_key(actor);
        REQUIRE(rotated.is_ok());
        auto record = store->read_all(*rotated, 1).value().at(0);
        CHECK(record.type == "store.signing_key_rotated");
        CHECK(record.actor == actor);
        fill(*store, 2);
        const auto after = store->sign_tree_head().value();
        CHECK(after.key_id != before.key_id);
        const auto keys = store->signing_keys().value();
        REQUIRE(keys.size() == 2);
        int active = 0;
        for (const auto& k : keys) {
            active += k.active ? 1 : 0;
            if (k.id == before.key_id) CHECK(verify_tree_head(before, k.key).is_ok());
            if (k.id == after.key_id) CHECK(verify_tree_head(after, k.key).is_ok());
        }
        CHECK(active == 1);
    }
    const auto report = verify(dir);
    REQUIRE_OK(report);
    CHECK(report->tree_heads >= 3);  // at open, before the rotation, after it
    // Reopened, the store signs with the new key.
    auto store = dir.open();
    fill(*store, 1);
    const auto head = store->sign_tree_head().value();
    for (const auto& k : store->signing_keys().value()) {
        if (k.active) CHECK(k.id == head.key_id);
    }
}

namespace {
std::string read_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void write_key(const std::filesystem::path& p, const std::string& bytes) {
    {
        std::ofstream out(p, std::ios::binary | std::ios::trunc);
        out << bytes;
    }
    std::filesystem::permissions(
        p, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}
}  // namespace

TEST_CASE("a rotated master key re-wraps the vault: the old key no longer opens it") {
    StoreDir dir;
    const Id person = random_id();
    const auto key_file = dir.keys() / "master.key";
    std::string old_key;
    {
        auto store = dir.open();
        must_append(*store, "registration-a", {personal_event(person, "kept readable")});
        old_key = read_bytes(key_file);
        auto rotated = store->rotate_master_key(random_id());
        REQUIRE_OK(rotated);
        auto record = store->read_all(*rotated, 1);
        REQUIRE_OK(record);
        CHECK(record->at(0).type == "store.master_key_rotated");
        CHECK(entry_of(*store, "registration-a").sections.at(0).plaintext == "kept readable");
        must_append(*store, "registration-a", {personal_event(person, "after")});
    }
    const std::string new_key = read_bytes(key_file);
    CHECK(new_key != old_key);
    CHECK_FALSE(std::filesystem::exists(dir.keys() / "master.key.next"));
    {
        auto store = dir.open();
        CHECK(entry_of(*store, "registration-a", 2).sections.at(0).plaintext == "after");
    }
    write_key(key_file, old_key);
    auto refused = Store::open(dir.options());
    CHECK(refused.status().code() == StatusCode::kPermissionDenied);
    write_key(key_file, new_key);
    CHECK(Store::open(dir.options()).is_ok());
}

TEST_CASE("a master key rotation interrupted before or after re-wrapping is resolved at open") {
    StoreDir dir;
    const auto key_file = dir.keys() / "master.key";
    const auto next_file = dir.keys() / "master.key.next";
    std::string old_key;
    {
        auto store = dir.open();
        must_append(*store, "registration-a", {personal_event(random_id(), "data")});
        old_key = read_bytes(key_file);
    }
    // Before: a new key file was written, the vault not yet re-wrapped.
    write_key(next_file, std::string(32, '\x42'));
    {
        auto store = dir.open();
        CHECK(entry_of(*store, "registration-a").sections.at(0).plaintext == "data");
    }
    CHECK_FALSE(std::filesystem::exists(next_file));
    CHECK(read_bytes(key_file) == old_key);
    // After: re-wrapped, but the new key file not yet renamed into place.
    std::string new_key;
    {
        auto store = dir.open();
        REQUIRE(store->rotate_master_key(random_id()).is_ok());
        new_key = read_bytes(key_file);
    }
    std::filesystem::rename(key_file, next_file);
    write_key(key_file, old_key);
    {
        auto store = dir.open();
        CHECK(entry_of(*store, "registration-a").sections.at(0).plaintext == "data");
    }
    CHECK_FALSE(std::filesystem::exists(next_file));
    CHECK(read_bytes(key_file) == new_key);
}
