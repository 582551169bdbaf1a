// The crash test: a child process appends in a loop and reports each acknowledged position; it is
// killed with SIGKILL at random moments; after each reopen every acknowledged entry is present.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "eventstore/store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::testing;

namespace {

// An acknowledgement as the child prints it: "<position> <event id hex>".
struct Ack {
    Position position = 0;
    Id id;
};

// The acknowledgement on `line`; nullopt for any other line.
std::optional<Ack> parse_ack(const std::string& line) {
    unsigned long long position = 0;
    char hex[40] = {0};
    if (std::sscanf(line.c_str(), "%llu %32s", &position, hex) != 2) return std::nullopt;
    auto id = Id::from_hex(hex);
    REQUIRE(id);
    return Ack{position, *id};
}

}  // namespace

TEST_CASE("every acknowledged append survives 20 SIGKILLs at random moments") {
    StoreDir dir;
    std::mt19937_64 rng(Catch::rngSeed());
    std::map<Position, Id> acked;
    for (int round = 0; round < 20; ++round) {
        Process child({AUD_APPEND_CHILD, dir.data().string()});
        // Kill after a random number of acknowledgements: a moment chosen by the child's progress,
        // not by a timer, and mid-append since the child never pauses.
        const int kill_after = 1 + static_cast<int>(rng() % 150);
        int seen = 0;
        while (seen < kill_after) {
            const auto line = child.wait_for_line(" ");
            if (!line) break;
            if (const auto ack = parse_ack(*line)) {
                acked[ack->position] = ack->id;
                ++seen;
            }
        }
        REQUIRE(seen == kill_after);
        REQUIRE(child.signal(SIGKILL));
        REQUIRE(child.wait() == 128 + SIGKILL);
        // Acknowledgements printed before the kill landed still count.
        while (const auto line = child.wait_for_line(" ")) {
            if (const auto ack = parse_ack(*line)) acked[ack->position] = ack->id;
        }

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
