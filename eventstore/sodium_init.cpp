#include "eventstore/sodium_init.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace auditorium::eventstore {

Status init_sodium() {
    // sodium_init is idempotent and thread-safe; it picks the fastest implementations and makes
    // the CSPRNG ready. A static keeps the first outcome, so later calls cost a load.
    static const int rc = sodium_init();
    if (rc < 0) return unavailable("libsodium failed to initialize (no entropy source?)");
    return Status::ok();
}

void require_sodium() {
    if (Status s = init_sodium(); !s.is_ok()) {
        spdlog::critical("{}; aborting", s.to_string());
        std::abort();
    }
}

}  // namespace auditorium::eventstore
