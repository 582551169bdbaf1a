// Backups: online backups beside appenders, verification, restores that apply the erasure
// register, vault expiry, tampering, and master key escrow. Real RocksDB, no mocks.
#include "eventstore/backup.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "eventstore/internal/erasure_register.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/store.hpp"
#include "eventstore/tree_head_json.hpp"
#include "tests/eventstore/raw_db.hpp"
#include "tests/support/status.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::testing;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kDayUs = std::int64_t{24} * 3600 * 1'000'000;
const auto kLongWait = std::chrono::seconds(60);

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
}

// A live store with one backup target, and a place to restore into.
struct Site {
    StoreDir live;
    TempDir elsewhere;
    fs::path target = elsewhere / "target";
    fs::path restored = elsewhere / "restored";

    Site() { fs::create_directories(target); }

    StoreOptions options(bool create = true) const {
        auto o = live.options(create);
        o.backup_targets = {target};
        return o;
    }
    std::unique_ptr<Store> open(bool create = true) const {
        auto store = Store::open(options(create));
        REQUIRE_OK(store);
        return std::move(store).value();
    }
    RestoreOptions restore_options(const std::string& id = "") const {
        RestoreOptions o;
        o.targets = {target};
        o.id = id;
        o.data_dir = restored / "data";
        o.master_key_file = live.keys() / "master.key";
        return o;
    }
    std::unique_ptr<Store> open_restored() const {
        StoreOptions o;
        o.data_dir = restored / "data";
        auto store = Store::open(o);
        REQUIRE_OK(store);
        return std::move(store).value();
    }
};

BackupManifest must_back_up(Store& store, BackupOptions o) {
    auto m = store.create_backup(o);
    REQUIRE_OK(m);
    return std::move(m).value();
}

RestoreReport must_restore(const RestoreOptions& o) {
    auto r = restore_backup(o);
    REQUIRE_OK(r);
    return std::move(r).value();
}

std::string active_key(Store& store) {
    for (const auto& k : store.signing_keys().value()) {
        if (k.active) return k.key;
    }
    FAIL("no active signing key");
    return {};
}

// Nothing of a failed restore is left: no data directory (or an empty one), no vault, no
// scratch directory beside it.
void nothing_restored(const Site& site) {
    std::error_code ec;
    const fs::path data = site.restored / "data";
    CHECK((!fs::exists(data) || fs::is_empty(data)));
    CHECK_FALSE(fs::exists(site.restored / "keys" / "vault"));
    if (fs::exists(site.restored)) {
        for (const auto& e : fs::directory_iterator(site.restored)) {
            CHECK_THAT(e.path().filename().string(), !Contains(".restoring"));
        }
    }
}

std::vector<std::string> lines_of(const fs::path& file) {
    std::vector<std::string> out;
    std::istringstream in(slurp(file));
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST_CASE(
    "a backup taken while 16 threads append verifies, and its restore holds exactly its tree "
    "head") {
    Site site;
    auto store = site.open();
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    std::vector<std::thread> appenders;
    for (int i = 0; i < 16; ++i) {
        appenders.emplace_back([&, i] {
            const Id person = random_id();
            for (int n = 0; !stop.load(); ++n) {
                auto r = store->append("load-" + std::to_string(i), ExpectedVersion::any(),
                                       {personal_event(person, "data " + std::to_string(n))});
                if (!r) {
                    ++failures;
                    return;
                }
            }
        });
    }
    REQUIRE(store->wait_for(400, std::chrono::steady_clock::now() + kLongWait) >= 400);
    const BackupManifest m = must_back_up(*store, {site.target});
    // The appenders went on while and after the backup was taken.
    CHECK(store->wait_for(m.head.size + 64, std::chrono::steady_clock::now() + kLongWait) >=
          m.head.size + 64);
    stop = true;
    for (auto& t : appenders) t.join();
    CHECK(failures == 0);
    CHECK(m.head.size >= 400);
    CHECK(m.head.root == store->root_at(m.head.size).value());
    CHECK(verify_tree_head(m.head, active_key(*store)).is_ok());
    CHECK(m.vault_id == m.id);

    BackupVerifyOptions vo;
    vo.target = site.target;
    vo.trusted_public_key = active_key(*store);
    auto check = verify_backup(vo);
    REQUIRE_OK(check);
    CHECK(check->entries == m.head.size);
    CHECK(check->root == m.head.root);
    CHECK(check->vault_present);
    CHECK_FALSE(check->key_from_backup);

    const RestoreReport r = must_restore(site.restore_options());
    CHECK(r.manifest.id == m.id);
    auto restored = site.open_restored();
    const Position record = m.head.size + 1;
    CHECK(r.restore_record == record);
    CHECK(r.size == record);
    CHECK(restored->head() == record);
    CHECK(restored->root_at(m.head.size).value() == m.head.root);
    const Entry first = entry_of(*restored, "load-0");
    REQUIRE(first.sections.size() == 1);
    CHECK_THAT(first.sections[0].plaintext, Contains("data "));
    CHECK(restored->read_all(record, 1).value().at(0).type == kRestoreType);
    // The live store goes on, untouched by the restore.
    CHECK(store->head() > m.head.size);
}

TEST_CASE("the restore record is in the restored ledger and names the backup's tree head") {
    Site site;
    BackupManifest m;
    {
        auto store = site.open();
        for (int i = 0; i < 5; ++i)
            must_append(*store, "event-" + std::to_string(i), {make_event()});
        m = must_back_up(*store, {site.target});
        must_append(*store, "event-later", {make_event()});
    }
    must_restore(site.restore_options());
    auto restored = site.open_restored();
    const auto records =
        restored->read_stream(kRestoreStream, 1, Store::Direction::kForward, 10).value();
    REQUIRE(records.size() == 1);
    const Entry& e = records[0];
    CHECK(e.type == kRestoreType);
    CHECK(e.position == m.head.size + 1);
    const auto clear = boost::json::parse(e.clear).as_object();
    CHECK(clear.at("backup_id").as_string() == m.id);
    CHECK(clear.at("vault_backup_id").as_string() == m.vault_id);
    CHECK(clear.at("erasures_applied").to_number<int>() == 0);
    auto head = tree_head_from_json(boost::json::serialize(clear.at("tree_head")));
    REQUIRE(head.is_ok());
    CHECK(head->size == m.head.size);
    CHECK(head->root == m.head.root);
    CHECK(head->signature == m.head.signature);
    CHECK(verify_tree_head(*head, active_key(*restored)).is_ok());
    // The record is covered by a signed tree head, and the public append cannot forge one.
    CHECK(restored->tree_heads(e.position, 1).value().size() == 1);
    CHECK(
        restored
            ->append("store-fake", ExpectedVersion::any(), {make_event(std::string(kRestoreType))})
            .status()
            .code() == StatusCode::kInvalidArgument);
}

TEST_CASE(
    "an erasure after a backup is applied at its restore: the subject stays erased and no trace of "
    "its key remains") {
    Site site;
    const Id gone = random_id();
    const Id stays = random_id();
    BackupManifest m;
    {
        auto store = site.open();
        must_append(*store, "registration-a", {personal_event(gone, "gone's data")});
        must_append(*store, "registration-b", {personal_event(stays, "stays' data")});
        m = must_back_up(*store, {site.target});
    }
    std::string wrapped_gone, wrapped_stays;
    {
        RawDb vault((site.live.keys() / "vault").string());
        wrapped_gone = vault.get("default", layout::vault_key(gone, 1, 1));
        wrapped_stays = vault.get("default", layout::vault_key(stays, 1, 1));
    }
    // The vault backup holds the wrapped key: that is what the register is for.
    REQUIRE_FALSE(files_containing(site.target / "vault", wrapped_gone).empty());
    {
        auto store = site.open(false);
        REQUIRE(store->erase(gone, random_id()).is_ok());
    }
    const auto lines = lines_of(site.target / "erasures.log");
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Contains(gone.hex()));

    const RestoreReport r = must_restore(site.restore_options(m.id));
    REQUIRE(r.erasures_applied == std::vector<Id>{gone});
    CHECK(r.registered == 1);
    auto restored = site.open_restored();
    CHECK(restored->is_erased(gone).value());
    const Entry gone_entry = entry_of(*restored, "registration-a");
    const Entry stays_entry = entry_of(*restored, "registration-b");
    REQUIRE(gone_entry.sections.size() == 1);
    REQUIRE(stays_entry.sections.size() == 1);
    CHECK(gone_entry.sections[0].state == Section::State::kErased);
    CHECK(stays_entry.sections[0].state == Section::State::kOpen);
    CHECK(stays_entry.sections[0].plaintext == "stays' data");
    CHECK(restored->verify({}).is_ok());
    restored.reset();
    CHECK(files_containing(site.restored / "keys", wrapped_gone).empty());
    CHECK(files_containing(site.restored / "data", wrapped_gone).empty());
    // The search works: the other subject's wrapped key is there.
    CHECK_FALSE(files_containing(site.restored / "keys", wrapped_stays).empty());
}

TEST_CASE("a subject held in the backup but erased after the hold's release is erased at restore") {
    Site site;
    const Id person = random_id();
    BackupManifest m;
    {
        auto store = site.open();
        must_append(*store, "person-a", {personal_event(person, "held data")});
        REQUIRE(store->set_legal_hold(person, random_id(), true).is_ok());
        m = must_back_up(*store, {site.target});
        REQUIRE(store->set_legal_hold(person, random_id(), false).is_ok());
        REQUIRE(store->erase(person, random_id()).is_ok());
        REQUIRE(store->is_erased(person).value());
    }
    const auto r = must_restore(site.restore_options(m.id));
    CHECK(r.erasures_applied == std::vector<Id>{person});
    auto restored = site.open_restored();
    CHECK(restored->is_held(person).value());  // as the backup has it
    CHECK(restored->is_erased(person).value());
    CHECK(entry_of(*restored, "person-a").sections.at(0).state == Section::State::kErased);
}

TEST_CASE(
    "a backup taken before key rotations restores, its registers and vault signed by the new "
    "keys") {
    Site site;
    const Id person = random_id();
    BackupManifest before;
    {
        auto store = site.open();
        must_append(*store, "person-a", {personal_event(person, "data")});
        must_append(*store, "person-b", {personal_event(random_id(), "other data")});
        before = must_back_up(*store, {site.target});
        REQUIRE(store->rotate_signing_key(random_id()).is_ok());
        REQUIRE(store->rotate_master_key(random_id()).is_ok());
        REQUIRE(store->erase(person, random_id()).is_ok());  // registered under the new signing key
        must_back_up(*store, {site.target});  // its vault: new signing key, new master key
    }
    // The master key file now holds the new key: the newest vault backup opens with it, and the
    // keys the old ledger does not know are trusted from their seeds in that vault.
    const auto r = must_restore(site.restore_options(before.id));
    CHECK(r.erasures_applied == std::vector<Id>{person});
    auto restored = site.open_restored();
    CHECK(entry_of(*restored, "person-a").sections.at(0).state == Section::State::kErased);
    CHECK(entry_of(*restored, "person-b").sections.at(0).plaintext == "other data");
    // Pinned to the old key only, the register signed by the new key is not trusted.
    restored.reset();
    fs::remove_all(site.restored);
    auto o = site.restore_options(before.id);
    o.trusted_public_key = before.public_key;
    auto pinned = restore_backup(o);
    REQUIRE_FALSE(pinned.is_ok());
    CHECK_THAT(pinned.status().message(), Contains("not a trusted signing key"));
    nothing_restored(site);
}

TEST_CASE(
    "an erasure is registered, signed and chained, in every backup target before its key is "
    "destroyed") {
    Site site;
    const fs::path second = site.elsewhere / "second";
    fs::create_directories(second);
    auto o = site.options();
    o.backup_targets.push_back(second);
    const Id a = random_id(), b = random_id(), c = random_id();
    {
        auto store = std::move(Store::open(o)).value();
        for (const Id& s : {a, b, c})
            must_append(*store, "person-" + s.hex(), {personal_event(s, "x")});
        REQUIRE(store->erase(a, random_id()).is_ok());
        REQUIRE(store->erase(b, random_id()).is_ok());
        REQUIRE(store->erase(a, random_id()).is_ok());  // again: registered once
        std::map<SigningKeyId, std::string> keys;
        for (const auto& k : store->signing_keys().value()) keys[k.id] = k.key;
        const auto lookup = [&](const SigningKeyId& id) -> Result<std::optional<std::string>> {
            if (keys.count(id)) return std::optional<std::string>(keys.at(id));
            return std::optional<std::string>();
        };
        for (const fs::path& t : {site.target, second}) {
            auto contents =
                internal::erasure_register::read(t / "erasures.log", store->store_id(), lookup);
            REQUIRE_OK(contents);
            REQUIRE(contents->records.size() == 2);
            CHECK(contents->records[0].subject == a);
            CHECK(contents->records[1].subject == b);
            CHECK(contents->records[1].seq == 2);
        }
        // A target that is gone: the erasure is recorded in the ledger but not finished, and the
        // key stays until it can be registered everywhere.
        fs::rename(second, site.elsewhere / "unmounted");
        auto erased = store->erase(c, random_id());
        REQUIRE_FALSE(erased.is_ok());
        CHECK(erased.status().code() == StatusCode::kUnavailable);
        CHECK_THAT(erased.status().message(), Contains("not available"));
    }
    fs::rename(site.elsewhere / "unmounted", second);
    // Reopening finishes the erasure: registered in both targets, then the key is destroyed.
    auto store = std::move(Store::open(o)).value();
    CHECK_THAT(slurp(second / "erasures.log"), Contains(c.hex()));
    CHECK_THAT(slurp(site.target / "erasures.log"), Contains(c.hex()));
    const auto entries =
        store->read_stream("person-" + c.hex(), 1, Store::Direction::kForward, 1).value();
    CHECK(entries.at(0).sections.at(0).state == Section::State::kErased);
}

TEST_CASE(
    "vault backups past their keeping time are gone after the next backup, by the store's clock") {
    Site site;
    std::atomic<std::int64_t> now{std::int64_t{1'800'000'000} * 1'000'000};
    auto o = site.options();
    o.clock = [&] { return now.load(); };
    auto store = std::move(Store::open(o)).value();
    BackupOptions bo{site.target, 2, std::chrono::hours(24 * 30)};
    const auto backup = [&] {
        must_append(*store, "event-a", {personal_event(random_id(), "p")});
        return must_back_up(*store, bo);
    };
    const auto first = backup();
    now += 2 * kDayUs;
    const auto second = backup();
    now += 29 * kDayUs;  // first: 31 days old; second: 29
    const auto third = backup();
    CHECK_FALSE(fs::exists(site.target / "vault" / first.id));
    CHECK_FALSE(fs::exists(site.target / "vault" / (first.id + ".manifest.json")));
    CHECK(fs::exists(site.target / "vault" / second.id));
    CHECK(fs::exists(site.target / "vault" / third.id));
    // Ledger backups: the newest `keep`.
    auto ledgers = list_backups(site.target).value();
    REQUIRE(ledgers.size() == 2);
    CHECK(ledgers[0].id == second.id);
    CHECK(ledgers[1].id == third.id);
    now += 2 * kDayUs;  // second: 31 days old
    const auto fourth = backup();
    CHECK_FALSE(fs::exists(site.target / "vault" / second.id));
    CHECK(fs::exists(site.target / "vault" / third.id));
    CHECK(fs::exists(site.target / "vault" / fourth.id));
    // A ledger backup restores with the newest vault backup, which has the fewest erased keys.
    store.reset();
    const auto r = must_restore(site.restore_options(third.id));
    CHECK(r.vault_id == fourth.id);
}

TEST_CASE(
    "a vault backup older than the ledger backup is reported as such, never shown as erasures") {
    Site site;
    BackupManifest older, newer;
    {
        auto store = site.open();
        must_append(*store, "person-a", {personal_event(random_id(), "a")});
        older = must_back_up(*store, {site.target});
        must_append(*store, "person-b",
                    {personal_event(random_id(), "b: a key the older vault lacks")});
        newer = must_back_up(*store, {site.target});
    }
    // The vault backup taken with the newer ledger backup is lost.
    fs::remove_all(site.target / "vault" / newer.id);
    fs::remove(site.target / "vault" / (newer.id + ".manifest.json"));
    auto r = restore_backup(site.restore_options(newer.id));
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(r.status().message(), Contains("older than the ledger backup " + newer.id));
    CHECK_THAT(r.status().message(), Contains(older.id));
    CHECK_THAT(r.status().message(), Contains("not erasures"));
    nothing_restored(site);
    // The older ledger backup goes with its own vault.
    const auto ok = must_restore(site.restore_options(older.id));
    CHECK(ok.vault_id == older.id);
}

TEST_CASE(
    "a restore whose erasure register cannot be read refuses to finish and leaves nothing behind") {
    Site site;
    const Id a = random_id(), b = random_id();
    {
        auto store = site.open();
        must_append(*store, "person-a", {personal_event(a, "a")});
        must_append(*store, "person-b", {personal_event(b, "b")});
        must_back_up(*store, {site.target});
        REQUIRE(store->erase(a, random_id()).is_ok());
        REQUIRE(store->erase(b, random_id()).is_ok());
    }
    const fs::path log = site.target / "erasures.log";
    auto lines = lines_of(log);
    REQUIRE(lines.size() == 2);
    std::string expected;
    SECTION("the register is missing") {
        fs::remove(log);
        expected = "does not exist";
    }
    SECTION("a line was changed") {
        const auto at = lines[1].find(b.hex());
        lines[1].replace(at, 32, random_id().hex());
        write(log, lines[0] + "\n" + lines[1] + "\n");
        expected = "line 2";
    }
    SECTION("a line was removed") {
        write(log, lines[1] + "\n");
        expected = "line 1";
    }
    SECTION("the register of a second target is damaged") {
        const fs::path second = site.elsewhere / "second";
        fs::create_directories(second);
        write(second / "erasures.log", "not a register line\n");
        auto o = site.restore_options();
        o.targets.push_back(second);
        fs::create_directories(site.restored / "data");  // an empty directory given: stays empty
        auto r = restore_backup(o);
        REQUIRE_FALSE(r.is_ok());
        CHECK_THAT(r.status().message(), Contains(second.string()));
        nothing_restored(site);
        return;
    }
    auto r = restore_backup(site.restore_options());
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(r.status().message(), Contains("erasure register"));
    CHECK_THAT(r.status().message(), Contains(expected));
    nothing_restored(site);
}

TEST_CASE(
    "a changed byte in a ledger backup's SST, or a changed manifest, fails backup verification") {
    Site site;
    BackupManifest m;
    {
        auto store = site.open();
        for (int i = 0; i < 50; ++i)
            must_append(*store, "person-x", {personal_event(random_id(), "x")});
        m = must_back_up(*store, {site.target});
    }
    const fs::path dir = site.target / "ledger" / m.id;
    const fs::path manifest = site.target / "ledger" / (m.id + ".manifest.json");
    BackupVerifyOptions vo;
    vo.target = site.target;
    REQUIRE(verify_backup(vo).is_ok());
    fs::path sst;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() == ".sst" && fs::file_size(e.path()) > 100) sst = e.path();
    }
    REQUIRE_FALSE(sst.empty());
    std::string expected;
    SECTION("a byte of an SST") {
        std::string bytes = slurp(sst);
        bytes[bytes.size() / 2] ^= 0x01;
        write(sst, bytes);
        expected = sst.filename().string() + " does not match its SHA-256";
    }
    SECTION("the manifest's tree head") {
        std::string text = slurp(manifest);
        const std::string size = "\"size\":" + std::to_string(m.head.size);
        text.replace(text.find(size), size.size(), "\"size\":" + std::to_string(m.head.size - 1));
        write(manifest, text);
        expected = "does not match its signature";
    }
    SECTION("an SST and its hash in the manifest") {
        std::string bytes = slurp(sst);
        bytes[bytes.size() / 2] ^= 0x01;
        write(sst, bytes);
        std::string text = slurp(manifest);
        const std::string name = "\"name\":\"" + sst.filename().string() + "\"";
        const auto hash_at = text.find("\"sha256\":\"", text.find(name)) + 10;
        std::string digest(crypto_hash_sha256_BYTES, '\0');
        crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                           reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
        text.replace(hash_at, 64, to_hex(digest));
        write(manifest, text);
        expected = "does not match its signature";
    }
    auto check = verify_backup(vo);
    REQUIRE_FALSE(check.is_ok());
    CHECK(check.status().code() == StatusCode::kCorruption);
    CHECK_THAT(check.status().message(), Contains(expected));
    // Nor does it restore.
    auto r = restore_backup(site.restore_options());
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kCorruption);
    nothing_restored(site);
}

TEST_CASE("a restore refuses a non-empty data directory and an existing vault") {
    Site site;
    {
        auto store = site.open();
        must_append(*store, "event-a", {make_event()});
        must_back_up(*store, {site.target});
    }
    fs::create_directories(site.restored / "data");
    write(site.restored / "data" / "something", "x");
    auto r = restore_backup(site.restore_options());
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(r.status().message(), Contains("not empty"));
    // The live store's own keys directory is refused as a destination.
    auto o = site.restore_options();
    o.keys_dir = site.live.keys();
    fs::remove_all(site.restored / "data");
    auto into_live = restore_backup(o);
    REQUIRE_FALSE(into_live.is_ok());
    CHECK_THAT(into_live.status().message(), Contains("already holds a key vault"));
}

TEST_CASE("a master key escrowed under a passphrase comes back with that passphrase only") {
    StoreDir dir;
    Id store_id;
    {
        auto store = dir.open();
        store_id = store->store_id();
    }
    const std::string master = slurp(dir.keys() / "master.key");
    const fs::path escrow = dir.dir / "escrow.json";
    CHECK(escrow_master_key(dir.keys(), store_id, "too short", escrow).code() ==
          StatusCode::kInvalidArgument);
    CHECK_FALSE(fs::exists(escrow));
    REQUIRE(
        escrow_master_key(dir.keys(), store_id, "correct horse battery staple", escrow).is_ok());
    struct stat st {};
    REQUIRE(::stat(escrow.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    const std::string text = slurp(escrow);
    CHECK_THAT(text, Contains("\"algorithm\":\"argon2id13\""));
    CHECK_THAT(text, Contains("\"opslimit\":"));
    CHECK_THAT(text, Contains("\"memlimit\":"));
    CHECK(text.find(to_hex(master)) == std::string::npos);
    CHECK(escrow_master_key(dir.keys(), store_id, "correct horse battery staple", escrow).code() ==
          StatusCode::kAlreadyExists);

    const fs::path recovered = dir.dir / "recovered.key";
    auto wrong = unescrow_master_key(escrow, "incorrect horse battery staple", recovered);
    REQUIRE_FALSE(wrong.is_ok());
    CHECK(wrong.status().code() == StatusCode::kPermissionDenied);
    CHECK_FALSE(fs::exists(recovered));
    auto info = unescrow_master_key(escrow, "correct horse battery staple", recovered);
    REQUIRE_OK(info);
    CHECK(info->store_id == store_id);
    CHECK(slurp(recovered) == master);
    REQUIRE(::stat(recovered.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
}

TEST_CASE("every backup is ledgered once complete, naming its id, target and tree head") {
    Site site;
    auto store = site.open();
    must_append(*store, "event-aa", {make_event()});
    const BackupManifest m = must_back_up(*store, {site.target});
    auto records =
        store->read_stream(std::string(kBackupStream), 1, Store::Direction::kForward, 10).value();
    REQUIRE(records.size() == 1);
    CHECK(records[0].type == kBackupType);
    CHECK_THAT(records[0].clear, Contains("\"backup_id\":\"" + m.id + "\""));
    CHECK_THAT(records[0].clear, Contains(site.target.string()));
    CHECK_THAT(records[0].clear, Contains("\"size\":" + std::to_string(m.head.size)));
    // Written after the backup was complete: the backup holds the ledger as it was before it.
    CHECK(records[0].position > m.head.size);
}

TEST_CASE(
    "a ledger backup from before a purge restores with a later vault: records whose retention key "
    "went with their month read as expired, not as data loss") {
    Site site;
    std::int64_t now =
        std::int64_t{1'768'435'200} * 1'000'000;  // 2026-01-15, in the past of any run
    auto options = [&](bool create) {
        StoreOptions o = site.options(create);
        o.dev = true;
        o.retention = std::chrono::hours(24);
        o.clock = [&now] { return now; };
        // Sign-ins need no snapshot: nothing of them is needed to rebuild a state.
        o.snapshots["signins"] = [](std::string_view, const std::vector<Entry>&) {
            return Result<std::optional<NewEvent>>(std::optional<NewEvent>());
        };
        return o;
    };
    const Id admin = random_id();
    BackupManifest before_purge;
    {
        auto store = Store::open(options(true));
        REQUIRE(store.is_ok());
        NewEvent signin = make_event("member.signed_in");
        signin.subject = admin;
        signin.sections.push_back({admin, KeyClass::kRetained, "from 203.0.113.9, Firefox"});
        must_append(**store, "signins-a", {std::move(signin)});
        before_purge = must_back_up(**store, {site.target});
        now += 45 * kDayUs;  // 2026-03-01: January has passed the day of retention
        auto purged = (*store)->purge();
        REQUIRE_OK(purged);
        REQUIRE(purged->retention_keys_destroyed == 1);
        must_back_up(**store, {site.target});  // its vault no longer holds January's key
    }
    const RestoreReport r = must_restore(site.restore_options(before_purge.id));
    CHECK(r.vault_id != before_purge.id);
    auto restored = site.open_restored();
    const Entry signin = entry_of(*restored, "signins-a");
    REQUIRE(signin.sections.size() == 1);
    CHECK(signin.sections[0].state == Section::State::kExpired);
    CHECK(signin.sections[0].plaintext.empty());
    auto report = restored->verify({});
    REQUIRE_OK(report);
    CHECK(report->sections_expired == 1);
    CHECK(report->sections_erased == 0);
}

TEST_CASE("a retention key missing before its month has passed retention is data loss") {
    StoreDir dir;
    const Id admin = random_id();
    std::uint32_t month = 0;
    {
        auto store = dir.open();
        NewEvent signin = make_event("member.signed_in");
        signin.subject = admin;
        signin.sections.push_back({admin, KeyClass::kRetained, "from 203.0.113.9"});
        must_append(*store, "signins-a", {std::move(signin)});
        month = entry_of(*store, "signins-a").sections.at(0).key_id;
    }
    {
        RawDb vault((dir.keys() / "vault").string());
        vault.remove("default", layout::vault_key(admin, 2, month));
    }
    auto store = dir.open();
    auto r = store->read_stream("signins-a", 1, Store::Direction::kForward, 1);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kDataLoss);
    CHECK_THAT(r.status().message(), Contains(admin.hex()));
}
