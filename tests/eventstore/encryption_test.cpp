// Encryption at rest, the key vault, crypto-shredding, and the refusals at open.
#include "eventstore/store.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "eventstore/internal/layout.hpp"
#include "tests/eventstore/raw_db.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {

const std::string kEmail = "ada.lovelace@example.org";
const std::string kName = "Ada Lovelace";

std::string registration_payload() {
    return R"({"email":")" + kEmail + R"(","name":")" + kName + R"("})";
}

}  // namespace

TEST_CASE("sealed sections read back, and neither the e-mail nor the name is anywhere on disk") {
    StoreDir dir;
    const Id person = random_id();
    const Id admin = random_id();
    {
        auto store = dir.open();
        const Position first = store->head() + 1;
        for (int i = 0; i < 50; ++i) {
            auto e = personal_event(person, registration_payload());
            // An admin act naming the person: the actor's section and the person's, each under its
            // own key.
            auto act = make_event("member.role_changed");
            act.actor = admin;
            act.subject = person;
            act.sections.push_back({admin, KeyClass::kRetained, "admin from 198.51.100.7"});
            act.sections.push_back({person, KeyClass::kPersonal, kName + " is now admin"});
            act.sections.push_back({Id(), KeyClass::kSystem, "workspace title"});
            must_append(*store, "registration-" + person.hex(), {std::move(e), std::move(act)});
        }
        auto all = store->read_all(first, 2).value();
        REQUIRE(all.size() == 2);
        REQUIRE(all[0].sections.size() == 1);
        CHECK(all[0].sections[0].state == Section::State::kOpen);
        CHECK(all[0].sections[0].plaintext == registration_payload());
        REQUIRE(all[1].sections.size() == 3);
        CHECK(all[1].sections[0].key_class == KeyClass::kRetained);
        CHECK(all[1].sections[0].key_id >= 202001);
        CHECK(all[1].sections[0].plaintext == "admin from 198.51.100.7");
        CHECK(all[1].sections[1].plaintext == kName + " is now admin");
        CHECK(all[1].sections[2].plaintext == "workspace title");
        CHECK_THAT(all[0].canonical, !Contains(kEmail));
    }
    // Closed: every WAL and SST is on disk. Neither appears in any file of either directory.
    CHECK(files_containing(dir.data(), kEmail).empty());
    CHECK(files_containing(dir.data(), kName).empty());
    CHECK(files_containing(dir.keys(), kEmail).empty());
    CHECK(files_containing(dir.keys(), kName).empty());
    // The search itself works: the clear stream name is there.
    CHECK_FALSE(files_containing(dir.data(), "registration-" + person.hex()).empty());
}

TEST_CASE("erasure makes the subject's sections read as erased and leaves others readable") {
    StoreDir dir;
    auto store = dir.open();
    const Id gone = random_id();
    const Id stays = random_id();
    const Position first =
        must_append(*store, "registration-a", {personal_event(gone, "gone's data")}).first_position;
    must_append(*store, "registration-b", {personal_event(stays, "stays' data")});
    const Id officer = random_id();
    auto erased_at = store->erase(gone, officer);
    REQUIRE(erased_at.is_ok());
    CHECK(*erased_at == first + 2);
    CHECK(store->is_erased(gone).value());
    CHECK_FALSE(store->is_erased(stays).value());

    auto all = store->read_all(first, 10).value();
    REQUIRE(all.size() == 3);
    CHECK(all[0].sections[0].state == Section::State::kErased);
    CHECK(all[0].sections[0].plaintext.empty());
    CHECK(all[1].sections[0].state == Section::State::kOpen);
    CHECK(all[1].sections[0].plaintext == "stays' data");
    CHECK(all[2].type == "store.subject_erased");
    CHECK(all[2].subject == gone);
    CHECK(all[2].actor == officer);
    // Erasing again returns the original record; no new personal data may be sealed for it.
    CHECK(store->erase(gone, officer).value() == first + 2);
    auto again =
        store->append("registration-a", ExpectedVersion::any(), {personal_event(gone, "new")});
    CHECK(again.status().code() == StatusCode::kFailedPrecondition);
    CHECK(store->head() == first + 2);
    CHECK(store->erase(Id(), officer).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("after erasure no vault file holds the erased wrapped key") {
    StoreDir dir;
    const Id gone = random_id();
    const Id stays = random_id();
    Position first = 0;
    {
        auto store = dir.open();
        first = must_append(*store, "registration-a", {personal_event(gone, "x")}).first_position;
        must_append(*store, "registration-b", {personal_event(stays, "y")});
    }
    std::string wrapped_gone;
    std::string wrapped_stays;
    {
        RawDb vault((dir.keys() / "vault").string());
        wrapped_gone = vault.get("default", layout::vault_key(gone, 1, 1));
        wrapped_stays = vault.get("default", layout::vault_key(stays, 1, 1));
    }
    REQUIRE(wrapped_gone.size() > 32);
    // Before: the wrapped key is in some vault file (WAL or SST), so the search can see it.
    CHECK_FALSE(files_containing(dir.keys(), wrapped_gone).empty());
    {
        auto store = dir.open();
        REQUIRE(store->erase(gone, random_id()).is_ok());
        // Checked while the store is still open, then again after closing.
        CHECK(files_containing(dir.keys(), wrapped_gone).empty());
        auto y = store->read_all(first + 1, 1).value();
        REQUIRE(y.size() == 1);
        REQUIRE(y[0].sections.size() == 1);
        CHECK(y[0].sections[0].plaintext == "y");
    }
    CHECK(files_containing(dir.keys(), wrapped_gone).empty());
    CHECK_FALSE(files_containing(dir.keys(), wrapped_stays).empty());
    auto store = dir.open();
    auto x = store->read_all(first, 1).value();
    REQUIRE(x.size() == 1);
    REQUIRE(x[0].sections.size() == 1);
    CHECK(x[0].sections[0].state == Section::State::kErased);
}

TEST_CASE("a key missing without an erasure record is data loss naming the entry, not an erasure") {
    StoreDir dir;
    const Id person = random_id();
    Position personal = 0;
    {
        auto store = dir.open();
        must_append(*store, "event-a", {make_event()});
        personal =
            must_append(*store, "registration-a", {personal_event(person, "x")}).first_position;
    }
    {
        RawDb vault((dir.keys() / "vault").string());
        vault.remove("default", layout::vault_key(person, 1, 1));
    }
    auto store = dir.open();
    auto r = store->read_all(1, 10);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kDataLoss);
    CHECK_THAT(r.status().message(), Contains("position " + std::to_string(personal)));
    CHECK_THAT(r.status().message(), Contains(person.hex()));
    CHECK(store->read_all(1, personal - 1).is_ok());
}

TEST_CASE("a changed byte in a sealed section is corruption naming its position") {
    StoreDir dir;
    const Id person = random_id();
    {
        auto store = dir.open();
        must_append(*store, "registration-a", {personal_event(person, "first")});
        must_append(*store, "registration-a", {personal_event(person, "second payload")});
    }
    const std::string key = layout::position_key(2);
    {
        RawDb ledger(dir.data().string());
        std::string bytes = ledger.get("ledger", key);
        const auto at = bytes.find("registration-a");
        REQUIRE(at != std::string::npos);
        // Flip the last byte: inside the last vector written, the section's ciphertext tag.
        bytes[bytes.size() - 30] ^= 0x01;
        ledger.put("ledger", key, bytes);
    }
    auto store = dir.open();
    auto r = store->read_all(1, 10);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kCorruption);
    CHECK_THAT(r.status().message(), Contains("position 2"));
}

TEST_CASE("entries swapped between positions are corruption") {
    StoreDir dir;
    Position first = 0;
    {
        auto store = dir.open();
        first = must_append(*store, "event-a", {make_event(), make_event()}).first_position;
    }
    const auto swap = [&](Position a, Position b) {
        RawDb ledger(dir.data().string());
        const std::string at_a = ledger.get("ledger", layout::position_key(a));
        const std::string at_b = ledger.get("ledger", layout::position_key(b));
        ledger.put("ledger", layout::position_key(a), at_b);
        ledger.put("ledger", layout::position_key(b), at_a);
    };
    swap(first, first + 1);
    {
        auto store = dir.open();
        auto r = store->read_all(1, 10);
        CHECK(r.status().code() == StatusCode::kCorruption);
        CHECK_THAT(r.status().message(), Contains("claims position " + std::to_string(first + 1)));
    }
    // The store's settings record swapped away: the open itself reads it, and refuses.
    swap(first, first + 1);
    swap(1, first);
    auto refused = Store::open(dir.options(false));
    CHECK(refused.status().code() == StatusCode::kCorruption);
    CHECK_THAT(refused.status().message(),
               Contains("entry at position 1 claims position " + std::to_string(first)));
}

TEST_CASE("a wrong master key is refused at open and nothing is written") {
    StoreDir dir;
    Position head = 0;
    {
        auto store = dir.open();
        head = must_append(*store, "event-a", {make_event()}).last_position;
    }
    const auto key_file = dir.keys() / "master.key";
    std::string original;
    {
        std::ifstream in(key_file, std::ios::binary);
        original.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    {
        std::string wrong = original;
        wrong[0] ^= 0x55;
        std::ofstream out(key_file, std::ios::binary | std::ios::trunc);
        out << wrong;
    }
    auto r = Store::open(dir.options());
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kPermissionDenied);
    CHECK_THAT(r.status().message(), Contains("wrong master key"));
    {
        std::ofstream out(key_file, std::ios::binary | std::ios::trunc);
        out << original;
    }
    auto store = dir.open();
    CHECK(store->head() == head);
}

TEST_CASE("a master key file with a loose mode or another owner is refused, naming the file") {
    StoreDir dir;
    { auto store = dir.open(); }
    const auto key_file = dir.keys() / "master.key";
    REQUIRE(::chmod(key_file.c_str(), 0644) == 0);
    auto loose = Store::open(dir.options());
    CHECK(loose.status().code() == StatusCode::kPermissionDenied);
    CHECK_THAT(loose.status().message(), Contains(key_file.string()));
    CHECK_THAT(loose.status().message(), Contains("0644"));
    REQUIRE(::chmod(key_file.c_str(), 0600) == 0);
    if (::geteuid() == 0) {  // only root can give a file away; CI runs as root
        REQUIRE(::chown(key_file.c_str(), 4242, 4242) == 0);
        auto foreign = Store::open(dir.options());
        CHECK(foreign.status().code() == StatusCode::kPermissionDenied);
        CHECK_THAT(foreign.status().message(), Contains("owned by uid 4242"));
        REQUIRE(::chown(key_file.c_str(), 0, 0) == 0);
    }
    CHECK(Store::open(dir.options()).is_ok());
}

TEST_CASE("a ledger whose keys are missing, or a vault of another ledger, is refused") {
    StoreDir one;
    StoreDir two;
    { auto store = one.open(); }
    { auto store = two.open(); }
    // Another ledger's keys.
    auto o = one.options(false);
    o.keys_dir = two.keys();
    auto mixed = Store::open(o);
    CHECK(mixed.status().code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(mixed.status().message(), Contains("another ledger"));
    // No keys at all.
    std::filesystem::remove_all(one.keys());
    auto keyless = Store::open(one.options(false));
    CHECK(keyless.status().code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(keyless.status().message(), Contains("master.key"));
    // A missing ledger without create.
    StoreDir none;
    CHECK(Store::open(none.options(false)).status().code() == StatusCode::kNotFound);
}

TEST_CASE("a crash between the erasure record and the key's destruction is finished at open") {
    StoreDir dir;
    const Id person = random_id();
    Position personal = 0;
    {
        auto store = dir.open();
        personal =
            must_append(*store, "registration-a", {personal_event(person, "x")}).first_position;
        REQUIRE(store->erase(person, random_id()).is_ok());
    }
    const std::string key = layout::vault_key(person, 1, 1);
    // Simulate the crash: the key is back (as if never destroyed) and the marker is still there.
    std::string fake_wrapped;
    {
        RawDb vault((dir.keys() / "vault").string());
        fake_wrapped = std::string(57, '\x01') + "pending";
        vault.put("default", key, fake_wrapped);
        vault.put("default", layout::vault_pending_shred_key(person), "");
    }
    {
        auto store = dir.open();
        auto x = store->read_all(personal, 1).value();
        REQUIRE(x.size() == 1);
        REQUIRE(x[0].sections.size() == 1);
        CHECK(x[0].sections[0].state == Section::State::kErased);
    }
    RawDb vault((dir.keys() / "vault").string());
    CHECK(vault.scan("default", layout::vault_key_prefix(person)).empty());
    CHECK(vault.scan("default", layout::vault_pending_shred_key(person)).empty());
}

TEST_CASE("a blind index is stable across reopen and master key rotation, and separates purposes") {
    StoreDir dir;
    std::string first;
    {
        auto store = dir.open();
        first = store->blind_index("registration-email", "ada@example.org").value();
        CHECK(first.size() == 32);
        CHECK(store->blind_index("registration-email", "ada@example.org").value() == first);
        CHECK(store->blind_index("registration-email", "ada@example.net").value() != first);
        CHECK(store->blind_index("another-purpose", "ada@example.org").value() != first);
        // The purpose and the value are separated: ("a", "bc") is not ("ab", "c").
        CHECK(store->blind_index("a", "bc").value() != store->blind_index("ab", "c").value());
        REQUIRE(store->rotate_master_key(random_id()).is_ok());
        CHECK(store->blind_index("registration-email", "ada@example.org").value() == first);
    }
    auto reopened = dir.open();
    CHECK(reopened->blind_index("registration-email", "ada@example.org").value() == first);
    // Without the keys there is no index to compute.
    auto o = dir.options(false);
    o.read_only = true;
    o.with_keys = false;
    auto keyless = std::move(Store::open(o)).value();
    CHECK(keyless->blind_index("registration-email", "ada@example.org").status().code() ==
          StatusCode::kFailedPrecondition);
    // Nothing of the address is on disk.
    reopened.reset();
    CHECK(files_containing(dir.data(), "ada@example.org").empty());
    CHECK(files_containing(dir.keys(), "ada@example.org").empty());
}
