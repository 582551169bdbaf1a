// base/file.hpp: real files in a temporary directory, no mocks.
#include "base/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "tests/support/status.hpp"
#include "tests/support/temp_dir.hpp"

using namespace auditorium;
using auditorium::file::AtomicFile;
using auditorium::testing::TempDir;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void spit(const fs::path& p, std::string_view text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    REQUIRE(out.good());
}

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

bool fd_is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

struct ScopedUmask {
    mode_t old;
    explicit ScopedUmask(mode_t mask) : old(::umask(mask)) {}
    ~ScopedUmask() { ::umask(old); }
};

}  // namespace

// ---- UniqueFd ----

TEST_CASE("a UniqueFd closes its descriptor when destroyed") {
    TempDir dir;
    spit(dir / "f", "x");
    int raw = -1;
    {
        file::UniqueFd fd(::open((dir / "f").c_str(), O_RDONLY | O_CLOEXEC));
        REQUIRE(fd.valid());
        raw = fd.get();
        CHECK(fd_is_open(raw));
    }
    CHECK_FALSE(fd_is_open(raw));
}

TEST_CASE("a moved UniqueFd hands its descriptor over and the source holds nothing") {
    TempDir dir;
    spit(dir / "f", "x");
    file::UniqueFd a(::open((dir / "f").c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(a.valid());
    const int raw = a.get();
    file::UniqueFd b(std::move(a));
    CHECK_FALSE(a.valid());
    CHECK(b.get() == raw);
    file::UniqueFd c;
    c = std::move(b);
    CHECK(c.get() == raw);
    CHECK(fd_is_open(raw));
    CHECK_OK(c.close());
    CHECK_FALSE(c.valid());
    CHECK_FALSE(fd_is_open(raw));
    CHECK_OK(c.close());  // holds nothing: OK
}

TEST_CASE("assigning to a UniqueFd closes the descriptor it held") {
    TempDir dir;
    spit(dir / "f", "x");
    file::UniqueFd a(::open((dir / "f").c_str(), O_RDONLY | O_CLOEXEC));
    file::UniqueFd b(::open((dir / "f").c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(a.valid());
    REQUIRE(b.valid());
    const int old = a.get();
    a = std::move(b);
    CHECK_FALSE(fd_is_open(old));
    CHECK(a.valid());
}

TEST_CASE("a released descriptor stays open and is the caller's") {
    TempDir dir;
    spit(dir / "f", "x");
    int raw = -1;
    {
        file::UniqueFd fd(::open((dir / "f").c_str(), O_RDONLY | O_CLOEXEC));
        raw = fd.release();
        CHECK_FALSE(fd.valid());
    }
    CHECK(fd_is_open(raw));
    ::close(raw);
}

// ---- reads and writes ----

TEST_CASE("read_file of a missing file is NotFound naming it") {
    TempDir dir;
    auto text = file::read_file(dir / "missing");
    REQUIRE_FALSE(text.is_ok());
    CHECK(text.status().code() == StatusCode::kNotFound);
    CHECK_THAT(text.status().message(), Contains((dir / "missing").string()));
}

TEST_CASE("read_file returns every byte, a large file included") {
    TempDir dir;
    std::string big(200000, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
    spit(dir / "big", big);
    auto text = file::read_file(dir / "big");
    REQUIRE_OK(text);
    CHECK(*text == big);
}

TEST_CASE("write_all writes every byte to a descriptor") {
    TempDir dir;
    file::UniqueFd fd(::open((dir / "out").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    REQUIRE(fd.valid());
    const std::string bytes(3 << 20, 'z');
    REQUIRE_OK(file::write_all(fd.get(), bytes, dir / "out"));
    REQUIRE_OK(file::sync_fd(fd.get(), dir / "out"));
    REQUIRE_OK(fd.close());
    CHECK(slurp(dir / "out") == bytes);
}

TEST_CASE("write_all to a descriptor that cannot be written is Unavailable naming the path") {
    TempDir dir;
    spit(dir / "f", "x");
    file::UniqueFd fd(::open((dir / "f").c_str(), O_RDONLY | O_CLOEXEC));
    const Status s = file::write_all(fd.get(), "y", dir / "f");
    CHECK(s.code() == StatusCode::kUnavailable);
    CHECK_THAT(s.message(), Contains((dir / "f").string()));
}

TEST_CASE("write_file_atomic replaces a file whole and leaves no temporary") {
    TempDir dir;
    spit(dir / "f", "the old contents");
    REQUIRE_OK(file::write_file_atomic(dir / "f", "the new contents"));
    CHECK(slurp(dir / "f") == "the new contents");
    CHECK(mode_of(dir / "f") == 0600);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"f"});
}

TEST_CASE("write_file_atomic that fails leaves the old target and no temporary") {
    TempDir dir;
    // A target the rename cannot replace (a directory: EISDIR), a failure a test can provoke
    // without privileges, after the temporary was written and synced.
    fs::create_directory(dir / "target");
    spit(dir / "target" / "inside", "the old contents");
    const Status s = file::write_file_atomic(dir / "target", "new");
    CHECK(s.code() == StatusCode::kUnavailable);
    CHECK_THAT(s.message(), Contains((dir / "target").string()));
    CHECK(slurp(dir / "target" / "inside") == "the old contents");
    CHECK(names_in(dir.path()) == std::vector<std::string>{"target"});
}

TEST_CASE("write_file_atomic replaces a temporary a crash left behind") {
    TempDir dir;
    spit(dir / "f.tmp", "half of an earlier write");
    REQUIRE_OK(file::write_file_atomic(dir / "f", "whole"));
    CHECK(slurp(dir / "f") == "whole");
    CHECK(names_in(dir.path()) == std::vector<std::string>{"f"});
}

TEST_CASE("write_new_file creates a 0600 file and refuses an existing one") {
    TempDir dir;
    ScopedUmask open_umask(0);
    REQUIRE_OK(file::write_new_file(dir / "key", "secret"));
    CHECK(slurp(dir / "key") == "secret");
    CHECK(mode_of(dir / "key") == 0600);

    const Status again = file::write_new_file(dir / "key", "another");
    CHECK(again.code() == StatusCode::kAlreadyExists);
    CHECK_THAT(again.message(), Contains((dir / "key").string()));
    CHECK(slurp(dir / "key") == "secret");
}

TEST_CASE("write_new_file never follows a symbolic link") {
    TempDir dir;
    spit(dir / "real", "kept");
    fs::create_symlink(dir / "real", dir / "link");
    CHECK(file::write_new_file(dir / "link", "written").code() == StatusCode::kAlreadyExists);
    CHECK(slurp(dir / "real") == "kept");
}

TEST_CASE("write_new_file_atomic publishes a new file and never replaces one") {
    TempDir dir;
    REQUIRE_OK(file::write_new_file_atomic(dir / "escrow", "first"));
    CHECK(slurp(dir / "escrow") == "first");
    CHECK(file::write_new_file_atomic(dir / "escrow", "second").code() ==
          StatusCode::kAlreadyExists);
    CHECK(slurp(dir / "escrow") == "first");
    CHECK(names_in(dir.path()) == std::vector<std::string>{"escrow"});
}

TEST_CASE("sync_file and sync_dir sync what exists and name what does not") {
    TempDir dir;
    spit(dir / "f", "x");
    CHECK_OK(file::sync_file(dir / "f"));
    CHECK_OK(file::sync_dir(dir.path()));
    const Status missing = file::sync_dir(dir / "missing");
    CHECK(missing.code() == StatusCode::kUnavailable);
    CHECK_THAT(missing.message(), Contains((dir / "missing").string()));
    CHECK(file::sync_dir(dir / "f").code() == StatusCode::kUnavailable);  // not a directory
}

// ---- rename_durable ----

TEST_CASE("rename_durable moves a file, replacing the target") {
    TempDir dir;
    spit(dir / "next", "new");
    spit(dir / "current", "old");
    REQUIRE_OK(file::rename_durable(dir / "next", dir / "current"));
    CHECK(slurp(dir / "current") == "new");
    CHECK(names_in(dir.path()) == std::vector<std::string>{"current"});
}

TEST_CASE("rename_durable moves a directory into another directory") {
    TempDir dir;
    fs::create_directories(dir / "a" / "partial");
    fs::create_directories(dir / "b");
    spit(dir / "a" / "partial" / "f", "x");
    REQUIRE_OK(file::rename_durable(dir / "a" / "partial", dir / "b" / "done"));
    CHECK(slurp(dir / "b" / "done" / "f") == "x");
    CHECK(names_in(dir / "a").empty());
}

TEST_CASE("rename_durable of a missing file is Unavailable naming both paths") {
    TempDir dir;
    const Status s = file::rename_durable(dir / "missing", dir / "target");
    CHECK(s.code() == StatusCode::kUnavailable);
    CHECK_THAT(s.message(), Contains((dir / "missing").string()));
    CHECK_THAT(s.message(), Contains((dir / "target").string()));
}

// ---- private directories ----

TEST_CASE("make_private_dirs creates the directory and its missing parents 0700") {
    TempDir dir;
    ScopedUmask usual(022);
    REQUIRE_OK(file::make_private_dirs(dir / "a" / "b" / "c"));
    CHECK(fs::is_directory(dir / "a" / "b" / "c"));
    CHECK(mode_of(dir / "a") == 0700);
    CHECK(mode_of(dir / "a" / "b") == 0700);
    CHECK(mode_of(dir / "a" / "b" / "c") == 0700);
    CHECK_OK(file::check_private_dir(dir / "a" / "b" / "c"));
    REQUIRE_OK(file::make_private_dirs(dir / "a" / "b" / "c"));  // there already: OK
}

TEST_CASE("make_private_dirs refuses a path that is a file") {
    TempDir dir;
    spit(dir / "f", "x");
    CHECK(file::make_private_dirs(dir / "f").code() == StatusCode::kUnavailable);
}

TEST_CASE("check_private_dir refuses a directory others may read, a symbolic link and a file") {
    TempDir dir;
    fs::create_directory(dir / "open");
    REQUIRE(::chmod((dir / "open").c_str(), 0750) == 0);
    const Status open = file::check_private_dir(dir / "open");
    CHECK(open.code() == StatusCode::kPermissionDenied);
    CHECK_THAT(open.message(), Contains("750") && Contains("chmod 700"));

    REQUIRE_OK(file::make_private_dirs(dir / "private"));
    fs::create_directory_symlink(dir / "private", dir / "link");
    CHECK(file::check_private_dir(dir / "link").code() == StatusCode::kPermissionDenied);

    spit(dir / "f", "x");
    CHECK(file::check_private_dir(dir / "f").code() == StatusCode::kPermissionDenied);
    CHECK(file::check_private_dir(dir / "missing").code() == StatusCode::kUnavailable);
}

// ---- FileLock ----

TEST_CASE("a FileLock excludes a second one until it is destroyed") {
    TempDir dir;
    {
        auto first = file::FileLock::acquire(dir / "lock", "the target is in use");
        REQUIRE_OK(first);
        CHECK(mode_of(dir / "lock") == 0600);
        auto second = file::FileLock::acquire(dir / "lock", "the target is in use");
        REQUIRE_FALSE(second.is_ok());
        CHECK(second.status().code() == StatusCode::kUnavailable);
        CHECK_THAT(second.status().message(), Contains("the target is in use") && Contains("lock"));
    }
    CHECK_OK(file::FileLock::acquire(dir / "lock", "the target is in use"));
}

// ---- AtomicFile ----

TEST_CASE("an atomic file appears only when committed, whole and 0600 whatever the umask") {
    TempDir dir;
    ScopedUmask open_umask(0);
    auto file = AtomicFile::create(dir / "out.jsonl");
    REQUIRE_OK(file);
    REQUIRE_OK(file->append("first line\n"));
    REQUIRE_OK(file->append(std::string(3 << 20, 'x')));  // more than the write buffer
    CHECK_FALSE(fs::exists(dir / "out.jsonl"));
    REQUIRE(names_in(dir.path()).size() == 1);  // the temporary, beside the target
    CHECK(mode_of(dir / names_in(dir.path()).front()) == 0600);
    REQUIRE_OK(file->commit());
    CHECK(names_in(dir.path()) == std::vector<std::string>{"out.jsonl"});
    CHECK(mode_of(dir / "out.jsonl") == 0600);
    CHECK(slurp(dir / "out.jsonl") == "first line\n" + std::string(3 << 20, 'x'));
}

TEST_CASE(
    "an atomic file dropped without a commit removes its temporary and leaves the target "
    "untouched") {
    TempDir dir;
    { std::ofstream(dir / "out.jsonl") << "the previous contents"; }
    {
        auto file = AtomicFile::create(dir / "out.jsonl");
        REQUIRE_OK(file);
        REQUIRE_OK(file->append("half of the new contents"));
    }
    CHECK(names_in(dir.path()) == std::vector<std::string>{"out.jsonl"});
    CHECK(slurp(dir / "out.jsonl") == "the previous contents");
}

TEST_CASE(
    "commit replaces an existing target, and commit_new refuses one and removes its temporary") {
    TempDir dir;
    { std::ofstream(dir / "a") << "old"; }
    auto replace = AtomicFile::create(dir / "a");
    REQUIRE_OK(replace);
    REQUIRE_OK(replace->append("new"));
    REQUIRE_OK(replace->commit());
    CHECK(slurp(dir / "a") == "new");

    auto keep = AtomicFile::create(dir / "a");
    REQUIRE_OK(keep);
    REQUIRE_OK(keep->append("never written"));
    CHECK(keep->commit_new().code() == StatusCode::kAlreadyExists);
    CHECK(slurp(dir / "a") == "new");
    CHECK(names_in(dir.path()) == std::vector<std::string>{"a"});

    auto fresh = AtomicFile::create(dir / "b");
    REQUIRE_OK(fresh);
    REQUIRE_OK(fresh->append("key"));
    REQUIRE_OK(fresh->commit_new());
    CHECK(slurp(dir / "b") == "key");
    CHECK(mode_of(dir / "b") == 0600);
}

TEST_CASE("an atomic file cannot be created in a missing directory, and says where") {
    TempDir dir;
    auto file = AtomicFile::create(dir / "missing" / "out.jsonl");
    REQUIRE_FALSE(file.is_ok());
    CHECK(file.status().code() == StatusCode::kUnavailable);
    CHECK_THAT(file.status().message(), Catch::Matchers::Contains("missing"));
}
