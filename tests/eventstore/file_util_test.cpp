// file_util::AtomicFile: files published whole through a temporary beside them, created 0600.
#include "eventstore/internal/file_util.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.hpp"

using namespace auditorium;
using auditorium::eventstore::internal::file_util::AtomicFile;
using auditorium::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
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

struct ScopedUmask {
    mode_t old;
    explicit ScopedUmask(mode_t mask) : old(::umask(mask)) {}
    ~ScopedUmask() { ::umask(old); }
};

}  // namespace

TEST_CASE("an atomic file appears only when committed, whole and 0600 whatever the umask") {
    TempDir dir;
    ScopedUmask open_umask(0);
    auto file = AtomicFile::create(dir / "out.jsonl");
    REQUIRE(file.is_ok());
    REQUIRE(file->append("first line\n").is_ok());
    REQUIRE(file->append(std::string(3 << 20, 'x')).is_ok());  // more than the write buffer
    CHECK_FALSE(fs::exists(dir / "out.jsonl"));
    REQUIRE(names_in(dir.path()).size() == 1);  // the temporary, beside the target
    CHECK(mode_of(dir / names_in(dir.path()).front()) == 0600);
    REQUIRE(file->commit().is_ok());
    CHECK(names_in(dir.path()) == std::vector<std::string>{"out.jsonl"});
    CHECK(mode_of(dir / "out.jsonl") == 0600);
    CHECK(slurp(dir / "out.jsonl") == "first line\n" + std::string(3 << 20, 'x'));
}

TEST_CASE("an atomic file dropped without a commit removes its temporary and leaves the target untouched") {
    TempDir dir;
    { std::ofstream(dir / "out.jsonl") << "the previous contents"; }
    {
        auto file = AtomicFile::create(dir / "out.jsonl");
        REQUIRE(file.is_ok());
        REQUIRE(file->append("half of the new contents").is_ok());
    }
    CHECK(names_in(dir.path()) == std::vector<std::string>{"out.jsonl"});
    CHECK(slurp(dir / "out.jsonl") == "the previous contents");
}

TEST_CASE("commit replaces an existing target, and commit_new refuses one and removes its temporary") {
    TempDir dir;
    { std::ofstream(dir / "a") << "old"; }
    auto replace = AtomicFile::create(dir / "a");
    REQUIRE(replace.is_ok());
    REQUIRE(replace->append("new").is_ok());
    REQUIRE(replace->commit().is_ok());
    CHECK(slurp(dir / "a") == "new");

    auto keep = AtomicFile::create(dir / "a");
    REQUIRE(keep.is_ok());
    REQUIRE(keep->append("never written").is_ok());
    CHECK(keep->commit_new().code() == StatusCode::kAlreadyExists);
    CHECK(slurp(dir / "a") == "new");
    CHECK(names_in(dir.path()) == std::vector<std::string>{"a"});

    auto fresh = AtomicFile::create(dir / "b");
    REQUIRE(fresh.is_ok());
    REQUIRE(fresh->append("key").is_ok());
    REQUIRE(fresh->commit_new().is_ok());
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
