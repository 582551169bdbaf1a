// End-to-end: the store on a small tmpfs that fills up. Every command that writes exits non-zero
// saying "disk full", none aborts, and once space is freed every acknowledged entry is there.
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {

// A tmpfs mounted on a fresh directory for the test's life (root only: CI runs as root).
class SmallDisk {
public:
    explicit SmallDisk(const char* size) {
        fs::create_directories(dir_ / "mnt");
        mounted_ = ::mount("tmpfs", mount_point().c_str(), "tmpfs", 0, size) == 0;
    }
    ~SmallDisk() {
        if (mounted_) ::umount2(mount_point().c_str(), MNT_DETACH);
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;
    bool mounted() const { return mounted_; }
    fs::path mount_point() const { return dir_ / "mnt"; }

    // Writes a filler file until the file system refuses; returns its path.
    fs::path fill() const {
        const fs::path filler = mount_point() / "filler";
        std::ofstream f(filler, std::ios::binary);
        const std::string block(64 * 1024, 'x');
        while (f.write(block.data(), static_cast<std::streamsize>(block.size()))) f.flush();
        // The last bytes, one at a time: the disk is then full to the byte.
        std::ofstream g(mount_point() / "filler2", std::ios::binary);
        while (g.put('x')) g.flush();
        return filler;
    }
    void free() const {
        fs::remove(mount_point() / "filler");
        fs::remove(mount_point() / "filler2");
    }

private:
    TempDir dir_;
    bool mounted_ = false;
};

int write_entries(const fs::path& data, int count) {
    Process child({AUD_APPEND_CHILD, data.string()});
    int acked = 0;
    for (; acked < count; ++acked) REQUIRE(child.wait_for_line(" "));
    child.signal(SIGKILL);
    child.wait();
    return acked;
}

// The command failed cleanly: a non-zero exit that is not a signal, and the words "disk full".
void fails_with_disk_full(const std::pair<int, std::string>& result) {
    INFO(result.second);
    CHECK(result.first != 0);
    CHECK(result.first < 128);  // not killed by SIGABRT or SIGSEGV
    CHECK_THAT(result.second, Contains("disk full"));
    CHECK_THAT(result.second, !Contains("Assertion"));
}

}  // namespace

TEST_CASE(
    "on a full disk every command that writes fails with disk full, and nothing acknowledged is "
    "lost") {
    if (::geteuid() != 0) {
        WARN("not root: cannot mount a tmpfs; this test runs in CI, which is root");
        return;
    }
    SmallDisk disk("size=48m");
    REQUIRE(disk.mounted());
    const fs::path data = disk.mount_point() / "data";
    const int acked = write_entries(data, 200);
    const fs::path target = disk.mount_point() / "target";
    fs::create_directories(target);
    {
        auto [code, out] =
            run({AUD_CLI, "backup", "create", "--data", data.string(), "--to", target.string()});
        INFO(out);
        REQUIRE(code == 0);
    }
    disk.fill();

    {
        Process serve({AUD_CLI, "serve", "--data", data.string()});
        // It must not open; if it does, it is stopped and the checks below fail.
        if (serve.wait_for_line("serve: admin socket")) serve.signal(SIGINT);
        const int code = serve.wait();
        fails_with_disk_full({code, serve.output()});
    }
    fails_with_disk_full(run({AUD_CLI, "ledger", "purge", "--data", data.string()}));
    fails_with_disk_full(run({AUD_CLI, "keys", "rotate", "--data", data.string(), "--signing"}));
    fails_with_disk_full(run({AUD_CLI, "ledger", "export", "--data", data.string(), "--out",
                              (disk.mount_point() / "export.jsonl").string()}));
    CHECK_FALSE(fs::exists(disk.mount_point() / "export.jsonl"));
    fails_with_disk_full(
        run({AUD_CLI, "backup", "create", "--data", data.string(), "--to", target.string()}));
    fails_with_disk_full(
        run({"/usr/bin/env", "AUDITORIUM_ESCROW_PASSPHRASE=correct horse battery staple", AUD_CLI,
             "keys", "escrow", "--data", data.string(), "--to",
             (disk.mount_point() / "escrow").string()}));
    CHECK_FALSE(fs::exists(disk.mount_point() / "escrow"));
    fails_with_disk_full(run({AUD_CLI, "backup", "restore", "--backup", target.string(), "--data",
                              (disk.mount_point() / "restored").string(), "--keys",
                              (disk.mount_point() / "restored-keys").string(), "--master-key",
                              (disk.mount_point() / "keys" / "master.key").string()}));
    CHECK((!fs::exists(disk.mount_point() / "restored") ||
           fs::is_empty(disk.mount_point() / "restored")));

    disk.free();
    auto [code, out] = run({AUD_CLI, "ledger", "verify", "--data", data.string(), "--keys",
                            (disk.mount_point() / "keys").string()});
    INFO(out);
    REQUIRE(code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(out, m, std::regex("ledger verified: (\\d+) entries")));
    CHECK(std::stoi(m[1]) >= acked);
    // And the store opens for writing again.
    Process serve({AUD_CLI, "serve", "--data", data.string()});
    REQUIRE(serve.wait_for_line("serve: admin socket"));
    serve.signal(SIGINT);
    CHECK(serve.wait() == 0);
}
