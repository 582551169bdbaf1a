// The crash test's child: opens the store at argv[1] and appends forever, one event per append,
// to a few streams; after each acknowledged append prints "<position> <event id hex>" and flushes,
// so the parent knows exactly what was acknowledged before it sends SIGKILL.
#include <cstdio>
#include <string>

#include "eventstore/store.hpp"

using namespace auditorium;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: append_child DATA_DIR\n");
        return 2;
    }
    eventstore::StoreOptions options;
    options.data_dir = argv[1];
    options.create_if_missing = true;
    auto store = eventstore::Store::open(options);
    if (!store) {
        std::fprintf(stderr, "append_child: %s\n", store.status().to_string().c_str());
        return 1;
    }
    const Id person = eventstore::random_id();
    for (std::uint64_t i = 0;; ++i) {
        eventstore::NewEvent e;
        e.event_id = eventstore::random_id();
        e.type = "test.appended";
        e.subject = person;
        e.clear = "n=" + std::to_string(i);
        e.sections.push_back(
            {person, eventstore::KeyClass::kPersonal, "payload " + std::to_string(i)});
        auto r = (*store)->append("crash-" + std::to_string(i % 4),
                                  eventstore::ExpectedVersion::any(), {std::move(e)});
        if (!r) {
            std::fprintf(stderr, "append_child: %s\n", r.status().to_string().c_str());
            return 1;
        }
        std::printf("%llu %s\n", static_cast<unsigned long long>(r->first_position),
                    e.event_id.hex().c_str());
        std::fflush(stdout);
    }
}
