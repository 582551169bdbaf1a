// Signed exports: round trips, filters, decryption, and what an offline check catches.
#include "eventstore/export.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <streambuf>

#include "eventstore/internal/layout.hpp"
#include "eventstore/minisign.hpp"
#include "eventstore/store.hpp"
#include "tests/eventstore/raw_db.hpp"
#include "tests/support/process.hpp"
#include "tests/support/status.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write(const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
}

struct Ledger {
    StoreDir dir;
    Id admin = random_id();
    Id person = random_id();
    std::string public_key;  // 32 bytes
    std::string minisign_key;
    Position first = 0;  // the first of the 12 entries appended
    Position size = 0;   // the ledger's size, the store's own records included

    Ledger() {
        auto store = dir.open();
        first = store->head() + 1;
        for (int i = 0; i < 12; ++i) {
            auto e = personal_event(person, "person data " + std::to_string(i));
            if (i % 3 == 0) {
                e.actor = admin;
                e.type = "member.invited";
            }
            must_append(*store, "event-" + std::to_string(i % 4), {std::move(e)});
        }
        for (const auto& k : store->signing_keys().value()) {
            if (!k.active) continue;
            public_key = k.key;
            minisign::PublicKey pk;
            pk.id = k.id;
            std::memcpy(pk.key.data(), k.key.data(), 32);
            minisign_key = minisign::public_key_base64(pk);
        }
        size = store->head();
    }
    std::unique_ptr<Store> reader() const {
        auto o = dir.options(false);
        o.read_only = true;
        return std::move(Store::open(o)).value();
    }
    Result<ExportSummary> export_to(ExportOptions o) const { return reader()->export_ledger(o); }
};

// A seekable stream of `size` copies of one byte, without holding them: an input too large to
// build in memory.
class RepeatedByte : public std::streambuf {
public:
    RepeatedByte(std::int64_t size, char byte) : size_(size), chunk_(1 << 16, byte) {}

protected:
    int_type underflow() override {
        if (end_ >= size_) return traits_type::eof();
        const auto n =
            std::min<std::int64_t>(static_cast<std::int64_t>(chunk_.size()), size_ - end_);
        setg(chunk_.data(), chunk_.data(), chunk_.data() + n);
        end_ += n;
        return traits_type::to_int_type(chunk_[0]);
    }
    pos_type seekoff(off_type off, std::ios_base::seekdir dir,
                     std::ios_base::openmode which) override {
        const off_type here = end_ - (egptr() - gptr());  // the current position
        const off_type base = dir == std::ios_base::beg   ? 0
                              : dir == std::ios_base::end ? size_
                                                          : here;
        return seekpos(base + off, which);
    }
    pos_type seekpos(pos_type pos, std::ios_base::openmode) override {
        if (pos < 0 || pos > size_) return pos_type(off_type(-1));
        end_ = pos;  // the get area is empty: its end is the position
        setg(nullptr, nullptr, nullptr);
        return pos;
    }

private:
    std::int64_t size_;
    std::int64_t end_ = 0;  // stream offset of egptr()
    std::string chunk_;
};

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

std::vector<std::string> names_in(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// The process's umask for one scope.
struct ScopedUmask {
    mode_t old;
    explicit ScopedUmask(mode_t mask) : old(::umask(mask)) {}
    ~ScopedUmask() { ::umask(old); }
};

// A ledger whose later entries are about a person whose key the vault lost (no erasure record):
// a decrypting export of it fails with DataLoss midway, after the header and the earlier records.
struct DamagedLedger {
    StoreDir dir;
    DamagedLedger() {
        const Id first = random_id();
        const Id lost = random_id();
        {
            auto store = dir.open();
            for (int i = 0; i < 5; ++i)
                must_append(*store, "event-a",
                            {personal_event(first, "kept " + std::to_string(i))});
            for (int i = 0; i < 5; ++i)
                must_append(*store, "event-b", {personal_event(lost, "lost " + std::to_string(i))});
        }
        RawDb vault((dir.keys() / "vault").string());
        vault.remove("default", layout::vault_key(lost, 1, 1));
    }
    Result<ExportSummary> export_decrypted(const std::filesystem::path& out) const {
        auto o = dir.options(false);
        o.read_only = true;
        ExportOptions e;
        e.out = out;
        e.decrypt = true;
        return std::move(Store::open(o)).value()->export_ledger(e);
    }
};

Result<ExportCheck> check(const std::filesystem::path& file, const std::string& key = "") {
    std::ifstream body(file, std::ios::binary);
    return verify_export(body, slurp(file.string() + ".minisig"), key);
}

}  // namespace

TEST_CASE("an unfiltered export rebuilds the root, and the stock minisign verifies it") {
    Ledger ledger;
    ExportOptions o;
    o.out = ledger.dir.dir / "all.jsonl";
    auto summary = ledger.export_to(o);
    REQUIRE_OK(summary);
    CHECK(summary->records == ledger.size);
    CHECK(summary->tree_size == ledger.size);
    CHECK_FALSE(summary->filtered);
    auto result = check(o.out, ledger.public_key);
    REQUIRE_OK(result);
    CHECK(result->records == ledger.size);
    CHECK_FALSE(result->filtered);
    CHECK_FALSE(result->key_from_export);
    CHECK_THAT(result->trusted_comment, Contains("tree_size=" + std::to_string(ledger.size)));
    auto [code, out] = run({"/usr/bin/minisign", "-Vm", o.out.string(), "-P", ledger.minisign_key});
    INFO(out);
    CHECK(code == 0);
    // Sealed data stays sealed without --decrypt.
    CHECK_THAT(slurp(o.out), !Contains("person data"));
}

TEST_CASE("a filtered export carries inclusion proofs that check against the tree head") {
    Ledger ledger;
    ExportOptions o;
    o.out = ledger.dir.dir / "part.jsonl";
    // The invitations are the 1st, 4th, 7th and 10th entries appended.
    o.from = ledger.first + 2;
    o.to = ledger.first + 9;
    o.type = "member.invited";
    o.actor = ledger.admin;
    auto summary = ledger.export_to(o);
    REQUIRE(summary.is_ok());
    CHECK(summary->filtered);
    CHECK(summary->records == 3);  // the 4th, 7th and 10th
    auto result = check(o.out, ledger.public_key);
    REQUIRE_OK(result);
    CHECK(result->records == 3);
    CHECK(result->filtered);
    const std::string text = slurp(o.out);
    CHECK_THAT(text, Contains("\"position\":" + std::to_string(ledger.first + 3) + ","));
    CHECK_THAT(text, Contains("\"proof\":["));
    ExportOptions since = o;
    since.type.reset();
    since.actor.reset();
    since.since_us = INT64_MAX;
    since.out = ledger.dir.dir / "none.jsonl";
    CHECK(ledger.export_to(since)->records == 0);
    CHECK(check(since.out).is_ok());
}

TEST_CASE("a decrypted export holds the payloads, and erased subjects show as erased") {
    Ledger ledger;
    {
        auto store = ledger.dir.open();
        REQUIRE(store->erase(ledger.person, ledger.admin).is_ok());
    }
    ExportOptions o;
    o.out = ledger.dir.dir / "decrypted.jsonl";
    o.decrypt = true;
    REQUIRE(ledger.export_to(o).is_ok());
    const std::string text = slurp(o.out);
    CHECK_THAT(text, Contains("\"state\":\"erased\""));
    CHECK_THAT(text, !Contains("person data"));
    CHECK(check(o.out).is_ok());
    StoreDir other;
    const Id someone = random_id();
    {
        auto store = other.open();
        must_append(*store, "event-a", {personal_event(someone, "readable text")});
    }
    auto ro = other.options(false);
    ro.read_only = true;
    ExportOptions o2;
    o2.out = other.dir / "x.jsonl";
    o2.decrypt = true;
    REQUIRE(std::move(Store::open(ro)).value()->export_ledger(o2).is_ok());
    CHECK_THAT(slurp(o2.out), Contains("\"data\":\"readable text\""));
}

TEST_CASE("a CSV export is signed") {
    Ledger ledger;
    ExportOptions o;
    o.out = ledger.dir.dir / "sheet.csv";
    o.format = ExportOptions::Format::kCsv;
    REQUIRE(ledger.export_to(o).is_ok());
    const std::string text = slurp(o.out);
    CHECK(text.rfind("position,time,stream,version,type,event_id,actor,subject,leaf_hash\n", 0) ==
          0);
    auto [code, out] = run({"/usr/bin/minisign", "-Vm", o.out.string(), "-P", ledger.minisign_key});
    CHECK(code == 0);
}

TEST_CASE(
    "the offline check catches a changed entry, a dropped record, a changed head and a wrong key") {
    Ledger ledger;
    ExportOptions o;
    o.out = ledger.dir.dir / "all.jsonl";
    REQUIRE(ledger.export_to(o).is_ok());
    const std::string original = slurp(o.out);
    const std::string sig = slurp(o.out.string() + ".minisig");
    const auto lines = [&] {
        std::vector<std::string> v;
        std::stringstream ss(original);
        for (std::string l; std::getline(ss, l);) v.push_back(l);
        return v;
    }();
    const auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& l : v) s += l + "\n";
        return s;
    };
    const auto fails = [&](const std::string& text, const std::string& expected) {
        const auto f = ledger.dir.dir / "tampered.jsonl";
        write(f, text);
        write(f.string() + ".minisig", sig);
        auto r = check(f, ledger.public_key);
        INFO(r.status().to_string());
        REQUIRE_FALSE(r.is_ok());
        CHECK_THAT(r.status().to_string(), Contains(expected));
    };
    {
        auto v = lines;
        const auto at = v[5].find("\"entry\":\"") + 12;
        v[5][at] = v[5][at] == 'A' ? 'B' : 'A';
        fails(join(v), "position 5");
    }
    {
        auto v = lines;
        v.erase(v.begin() + 3);
        fails(join(v), "position 3 is missing");
    }
    {
        auto v = lines;
        const auto at = v.back().find("\"root\":\"") + 8;
        v.back()[at] = v.back()[at] == '0' ? '1' : '0';
        fails(join(v), "signature");
    }
    {
        auto v = lines;
        v.push_back(v[2]);
        fails(join(v), "tree head");
    }
    // Same bytes, another signer pinned.
    std::string other_key(32, '\x07');
    auto wrong = check(o.out, other_key);
    CHECK_FALSE(wrong.is_ok());
    // A valid export whose .minisig is from another file.
    const auto f = ledger.dir.dir / "swapped.jsonl";
    write(f, original + "\n");
    write(f.string() + ".minisig", sig);
    CHECK_FALSE(check(f, ledger.public_key).is_ok());
}

// The checker reads the last line from the end of the file. It used to gather it by prepending
// 4 KiB chunks to a string, quadratic in the line's length: a file whose last line is long (a
// truncated export, a file that is not an export) took minutes to refuse (16 MiB with no newline:
// 336 s under ASan, found by tests/fuzz/fuzz_export_reader). Now linear; this test pins the
// refusal and its message (a timing bound belongs to the fuzz run, not to a test).
TEST_CASE("the offline check refuses a long last line, or one past the line limit") {
    const auto refuses = [](std::int64_t size, const std::string& expected) {
        RepeatedByte bytes(size, 'x');
        std::istream body(&bytes);
        auto r = verify_export(body, "", "");
        INFO(size << " bytes: " << r.status().to_string());
        REQUIRE_FALSE(r.is_ok());
        CHECK(r.status().code() == StatusCode::kCorruption);
        CHECK_THAT(r.status().to_string(), Contains(expected));
    };
    refuses(16 << 20, "the last line is not the export's tree head");
    refuses((64 << 20) + 1, "the last line is too long");  // over the checker's 64 MiB line limit
}

TEST_CASE("an export needs the keys, and a range beyond the tree head is refused") {
    Ledger ledger;
    auto o = ledger.dir.options(false);
    o.read_only = true;
    o.with_keys = false;
    auto keyless = std::move(Store::open(o)).value();
    ExportOptions e;
    e.out = ledger.dir.dir / "x.jsonl";
    CHECK(keyless->export_ledger(e).status().code() == StatusCode::kFailedPrecondition);
    e.to = 1000;
    CHECK(ledger.export_to(e).status().code() == StatusCode::kInvalidArgument);
    e.to = 5;
    e.from = 6;
    CHECK(ledger.export_to(e).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a decrypted export and its signature are created 0600 whatever the umask") {
    Ledger ledger;
    ScopedUmask open_umask(0);
    ExportOptions o;
    o.out = ledger.dir.dir / "personal.jsonl";
    o.decrypt = true;
    REQUIRE(ledger.export_to(o).is_ok());
    CHECK(mode_of(o.out) == 0600);
    CHECK(mode_of(o.out.string() + ".minisig") == 0600);
    CHECK(check(o.out).is_ok());
}

TEST_CASE("an export that fails midway leaves neither the file nor a temporary behind") {
    DamagedLedger ledger;
    const auto out_dir = ledger.dir.dir / "exports";
    std::filesystem::create_directory(out_dir);
    auto r = ledger.export_decrypted(out_dir / "personal.jsonl");
    INFO(r.status().to_string());
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kDataLoss);
    CHECK(names_in(out_dir).empty());
}

TEST_CASE("an export that fails midway leaves an existing export and its signature untouched") {
    DamagedLedger ledger;
    const auto out_dir = ledger.dir.dir / "exports";
    std::filesystem::create_directory(out_dir);
    const auto out = out_dir / "personal.jsonl";
    write(out, "the previous export\n");
    write(out.string() + ".minisig", "the previous signature\n");
    REQUIRE_FALSE(ledger.export_decrypted(out).is_ok());
    CHECK(slurp(out) == "the previous export\n");
    CHECK(slurp(out.string() + ".minisig") == "the previous signature\n");
    CHECK(names_in(out_dir) ==
          std::vector<std::string>{"personal.jsonl", "personal.jsonl.minisig"});
}
