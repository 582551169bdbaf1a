// Pooled random bytes for nonces and ids: never the same bytes twice, not across threads, and not
// between a forked child and its parent.
#include "eventstore/internal/public_random.hpp"

#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/sodium_init.hpp"

using auditorium::eventstore::internal::public_random;

namespace {

std::string draw(std::size_t n) {
    std::string out(n, '\0');
    public_random(reinterpret_cast<std::uint8_t*>(out.data()), n);
    return out;
}

}  // namespace

TEST_CASE("pooled random bytes never repeat, across pool refills and threads") {
    REQUIRE(auditorium::eventstore::init_sodium().is_ok());
    std::set<std::string> seen;
    // 24-byte nonces: several pools' worth, with draws of other sizes between them.
    for (int i = 0; i < 2'000; ++i) {
        REQUIRE(seen.insert(draw(24)).second);
        if (i % 7 == 0) REQUIRE(seen.insert(draw(16)).second);
    }
    REQUIRE(seen.insert(draw(5'000)).second);  // larger than a pool: straight from the kernel
    std::vector<std::string> other(500);
    std::thread t([&] {
        for (auto& s : other) s = draw(24);
    });
    t.join();
    for (const auto& s : other) REQUIRE(seen.insert(s).second);
}

TEST_CASE("a forked child does not hand out the bytes its parent drew") {
    REQUIRE(auditorium::eventstore::init_sodium().is_ok());
    (void)draw(24);  // the pool now holds bytes the parent will hand out next
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        const std::string mine = draw(24);
        const ssize_t written = ::write(pipe_fds[1], mine.data(), mine.size());
        ::_exit(written == 24 ? 0 : 1);
    }
    ::close(pipe_fds[1]);
    std::string childs(24, '\0');
    REQUIRE(::read(pipe_fds[0], childs.data(), childs.size()) == 24);
    ::close(pipe_fds[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    const std::string parents = draw(24);
    REQUIRE(childs != parents);
}
