// The crash test: a child process appends in a loop and reports each acknowledged position; it is
// killed with SIGKILL at random moments; after each reopen every acknowledged entry is present.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <random>

#include "eventstore/store.hpp"
#include "tests/support/store_fixture.hpp"

extern char** environ;

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::testing;

namespace {

struct Child {
    pid_t pid = -1;
    std::FILE* out = nullptr;
};

Child start_child(const std::filesystem::path& data) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::string program = AUD_APPEND_CHILD;
    std::string dir = data.string();
    char* argv[] = {program.data(), dir.data(), nullptr};
    Child c;
    REQUIRE(posix_spawn(&c.pid, program.c_str(), &actions, nullptr, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    c.out = ::fdopen(fds[0], "r");
    return c;
}

}  // namespace

TEST_CASE("every acknowledged append survives 20 SIGKILLs at random moments") {
    StoreDir dir;
    std::mt19937_64 rng(Catch::rngSeed());
    std::map<Position, Id> acked;
    for (int round = 0; round < 20; ++round) {
        Child child = start_child(dir.data());
        // Kill after a random number of acknowledgements: a moment chosen by the child's progress,
        // not by a timer, and mid-append since the child never pauses.
        const int kill_after = 1 + static_cast<int>(rng() % 150);
        char line[128];
        int seen = 0;
        while (seen < kill_after && std::fgets(line, sizeof line, child.out) != nullptr) {
            unsigned long long position = 0;
            char hex[40] = {0};
            if (std::sscanf(line, "%llu %32s", &position, hex) == 2) {
                auto id = Id::from_hex(hex);
                REQUIRE(id);
                acked[position] = *id;
                ++seen;
            }
        }
        REQUIRE(seen == kill_after);
        REQUIRE(::kill(child.pid, SIGKILL) == 0);
        // Acknowledgements printed before the kill landed still count.
        while (std::fgets(line, sizeof line, child.out) != nullptr) {
            unsigned long long position = 0;
            char hex[40] = {0};
            if (std::sscanf(line, "%llu %32s", &position, hex) == 2) acked[position] = *Id::from_hex(hex);
        }
        std::fclose(child.out);
        int status = 0;
        REQUIRE(::waitpid(child.pid, &status, 0) == child.pid);
        REQUIRE(WIFSIGNALED(status));

        auto store = dir.open();
        const Position head = store->head();
        REQUIRE(head >= acked.rbegin()->first);
        auto all = store->read_all(1, head + 1);
        INFO("round " << round << ": " << all.status().to_string());
        REQUIRE(all.is_ok());
        REQUIRE(all->size() == head);
        for (const auto& [position, id] : acked) {
            const Entry& e = (*all)[position - 1];
            REQUIRE(e.position == position);
            REQUIRE(e.event_id == id);
            REQUIRE(e.sections.at(0).state == Section::State::kOpen);
        }
    }
    CHECK(acked.size() >= 20);
}
