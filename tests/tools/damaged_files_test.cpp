// End-to-end: the store's files damaged as an unlucky operator's disk or an insider would damage
// them. For each kind of file, corrupted or deleted, every command either refuses naming the file
// or fails verification; none exits 0 with fewer entries than were acknowledged; a refused open
// changes no file.
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <map>
#include <regex>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {

// Starts the append child on `data`, lets it acknowledge `count` appends, and kills it.
void write_entries(const fs::path& data, int count) {
    Process child({AUD_APPEND_CHILD, data.string()});
    for (int i = 0; i < count; ++i) REQUIRE(child.wait_for_line(" "));
    child.signal(SIGKILL);
    child.wait();
}

// A server's clean start and stop: the close flushes every column family into SSTs.
void serve_and_stop(const fs::path& data) {
    Process serve({AUD_CLI, "serve", "--data", data.string()});
    REQUIRE(serve.wait_for_line("serve: admin socket"));
    serve.signal(SIGINT);
    CHECK(serve.wait() == 0);
}

// Every regular file under `dir`, by relative path, with its contents.
std::map<std::string, std::string> contents_of(const fs::path& dir) {
    std::map<std::string, std::string> out;
    if (!fs::exists(dir)) return out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::ifstream f(e.path(), std::ios::binary);
        out[fs::relative(e.path(), dir).string()] =
            std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    }
    return out;
}

// The pristine ledger, made once: 150 entries flushed to SSTs by a clean close, then 150 more
// that only the write-ahead log holds (the writer was killed).
struct Pristine {
    TempDir dir;
    int acknowledged = 300;
    Pristine() {
        write_entries(dir / "data", 150);
        serve_and_stop(dir / "data");
        write_entries(dir / "data", 150);
    }
};

const Pristine& pristine() {
    static Pristine p;
    return p;
}

std::vector<fs::path> files_where(const fs::path& dir,
                                  const std::function<bool(const std::string&)>& match) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (match(e.path().filename().string())) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void flip_byte_at(const fs::path& file, std::uintmax_t offset) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x5a));
}

// A copy of the pristine ledger with `damage` applied, and every command tried on it.
struct Case {
    TempDir dir;
    fs::path data() const { return dir / "data"; }
    fs::path keys() const { return dir / "keys"; }
    explicit Case(const std::function<void(const Case&)>& damage) {
        fs::copy(pristine().dir.path(), dir.path(),
                 fs::copy_options::recursive | fs::copy_options::overwrite_existing);
        damage(*this);
    }

    // `ledger verify` beside no server, read-only: passes with every entry, or fails naming
    // `names` (a file or "position").
    void verify_never_loses(const std::string& names, const std::string& or_names) const {
        const auto before = contents_of(dir.path());
        auto [code, out] = run(
            {AUD_CLI, "ledger", "verify", "--data", data().string(), "--keys", keys().string()});
        INFO(out);
        if (code == 0) {
            std::smatch m;
            REQUIRE(std::regex_search(out, m, std::regex("ledger verified: (\\d+) entries")));
            CHECK(std::stoi(m[1]) >= pristine().acknowledged);
        } else {
            CHECK_THAT(out, Contains(names) || Contains(or_names));
        }
        CHECK(contents_of(dir.path()) == before);
    }

    // `serve` opens with every entry, or refuses naming `names` and changes no file.
    void serve_never_loses(const std::string& names, const std::string& or_names) const {
        const auto before = contents_of(dir.path());
        Process serve({AUD_CLI, "serve", "--data", data().string()});
        auto opened = serve.wait_for_line("serve: ledger ");
        INFO(serve.output());
        if (opened) {
            std::smatch m;
            REQUIRE(std::regex_search(*opened, m, std::regex("head position (\\d+)")));
            CHECK(std::stoi(m[1]) >= pristine().acknowledged);
            serve.signal(SIGINT);
            serve.wait();
            return;
        }
        CHECK(serve.wait() != 0);
        CHECK_THAT(serve.output(), Contains(names) || Contains(or_names));
        CHECK(contents_of(dir.path()) == before);
    }

    // Each command either keeps every entry, or fails naming `names` or `or_names`.
    void every_command_never_loses(const std::string& names,
                                   const std::string& or_names = "") const {
        verify_never_loses(names, or_names.empty() ? names : or_names);
        serve_never_loses(names, or_names.empty() ? names : or_names);
    }
};

fs::path newest_log(const fs::path& dir) {
    auto logs = files_where(dir, [](const std::string& n) { return n.ends_with(".log"); });
    REQUIRE_FALSE(logs.empty());
    return logs.back();
}

}  // namespace

TEST_CASE(
    "a byte flipped in the middle of the newest log refuses every open, naming the file and "
    "offset") {
    Case c([](const Case& c) {
        const fs::path log = newest_log(c.data());
        flip_byte_at(log, fs::file_size(log) / 2);
    });
    const std::string log = newest_log(c.data()).filename().string();
    c.every_command_never_loses(log);
    auto [code, out] = run({AUD_CLI, "ledger", "verify", "--data", c.data().string()});
    CHECK(code != 0);
    CHECK_THAT(out, Contains(log) && Contains("damaged at byte"));
}

TEST_CASE("a torn tail of the newest log, as a crash leaves it, still opens with every entry") {
    Case c([](const Case& c) {
        std::ofstream(newest_log(c.data()), std::ios::app | std::ios::binary)
            << std::string("\x12\x34\x56\x78\xff\x7f\x01", 7) << "partial";
    });
    auto [code, out] = run({AUD_CLI, "ledger", "verify", "--data", c.data().string()});
    INFO(out);
    CHECK(code == 0);
    c.every_command_never_loses("-");
}

TEST_CASE("each SST deleted or corrupted: no command loses entries silently") {
    const auto ssts = files_where(pristine().dir / "data",
                                  [](const std::string& n) { return n.ends_with(".sst"); });
    REQUIRE(ssts.size() >= 5);  // one per column family with data
    for (const auto& sst : ssts) {
        const std::string name = sst.filename().string();
        SECTION("deleted " + name) {
            Case c([&](const Case& c) { fs::remove(c.data() / name); });
            c.every_command_never_loses(sst.stem().string());  // RocksDB names its .ldb twin too
        }
        SECTION("corrupted " + name) {
            Case c([&](const Case& c) {
                flip_byte_at(c.data() / name, fs::file_size(c.data() / name) / 3);
            });
            c.every_command_never_loses(sst.stem().string(), "position");
        }
    }
}

TEST_CASE("a damaged or missing MANIFEST or CURRENT refuses every open and keeps every file") {
    SECTION("MANIFEST truncated") {
        Case c([](const Case& c) {
            for (const auto& m : files_where(
                     c.data(), [](const std::string& n) { return n.starts_with("MANIFEST-"); })) {
                fs::resize_file(m, 700);
            }
        });
        c.every_command_never_loses("");
        auto [code, out] = run({AUD_CLI, "serve", "--data", c.data().string()});
        CHECK(code != 0);
        CHECK(files_where(c.data(), [](const std::string& n) {
                  return n.ends_with(".sst");
              }).size() == files_where(pristine().dir / "data", [](const std::string& n) {
                               return n.ends_with(".sst");
                           }).size());
    }
    SECTION("MANIFEST deleted") {
        Case c([](const Case& c) {
            for (const auto& m : files_where(
                     c.data(), [](const std::string& n) { return n.starts_with("MANIFEST-"); })) {
                fs::remove(m);
            }
        });
        c.every_command_never_loses("MANIFEST");
    }
    SECTION("CURRENT deleted") {
        Case c([](const Case& c) { fs::remove(c.data() / "CURRENT"); });
        c.every_command_never_loses("CURRENT");
        // A failed open with other keys does not turn it into a new, empty ledger either.
        auto [other, other_out] = run(
            {AUD_CLI, "serve", "--data", c.data().string(), "--keys", (c.dir / "other").string()});
        CHECK(other != 0);
        c.every_command_never_loses("CURRENT");
    }
    SECTION("CURRENT corrupted") {
        Case c([](const Case& c) {
            std::ofstream(c.data() / "CURRENT", std::ios::trunc) << "garbage";
        });
        c.every_command_never_loses("CURRENT");
    }
}

TEST_CASE("OPTIONS files deleted or corrupted lose nothing") {
    SECTION("deleted") {
        Case c([](const Case& c) {
            for (const auto& o : files_where(
                     c.data(), [](const std::string& n) { return n.starts_with("OPTIONS-"); })) {
                fs::remove(o);
            }
        });
        c.every_command_never_loses("OPTIONS");
    }
    SECTION("corrupted") {
        Case c([](const Case& c) {
            for (const auto& o : files_where(
                     c.data(), [](const std::string& n) { return n.starts_with("OPTIONS-"); })) {
                flip_byte_at(o, fs::file_size(o) / 2);
            }
        });
        c.every_command_never_loses("OPTIONS");
    }
}

TEST_CASE("the vault's files damaged refuse every open that needs the keys, naming the file") {
    SECTION("a byte flipped in the middle of the vault's log") {
        Case c([](const Case& c) {
            const fs::path log = newest_log(c.keys() / "vault");
            flip_byte_at(log, fs::file_size(log) / 2);
        });
        c.every_command_never_loses(newest_log(c.keys() / "vault").filename().string());
    }
    SECTION("the vault's CURRENT deleted") {
        Case c([](const Case& c) { fs::remove(c.keys() / "vault" / "CURRENT"); });
        c.every_command_never_loses("CURRENT");
    }
    SECTION("each vault SST deleted") {
        const auto ssts = files_where(pristine().dir / "keys" / "vault",
                                      [](const std::string& n) { return n.ends_with(".sst"); });
        for (const auto& sst : ssts) {
            Case c([&](const Case& c) { fs::remove(c.keys() / "vault" / sst.filename()); });
            c.every_command_never_loses(sst.stem().string());
        }
    }
}

TEST_CASE("the head witness deleted is reported by every open") {
    Case c([](const Case& c) { fs::remove(c.keys() / "head.witness"); });
    auto [code, out] = run(
        {AUD_CLI, "ledger", "verify", "--data", c.data().string(), "--keys", c.keys().string()});
    CHECK(code != 0);
    CHECK_THAT(out, Contains("head.witness") && Contains("missing"));
    c.serve_never_loses("head.witness", "head.witness");
}
