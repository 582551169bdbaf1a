// libsodium's one-time set-up, handled one way everywhere (docs/style.md, "Errors").
//
// Every entry point that uses libsodium calls init_sodium() first and returns its Status: main()
// at start-up, Store::open, verify_export and the escrow functions. Code that cannot return a
// Status (random ids, minisign's constructors) calls require_sodium(), which aborts: by then a
// failure is a broken invariant, since start-up would have refused to go on.
//
// Thread safety: both may be called from any thread, any number of times.
#pragma once

#include "base/status.hpp"

namespace auditorium::eventstore {

// Runs sodium_init() once per process and keeps its outcome. Unavailable when libsodium cannot
// initialize, which happens only on a system without an entropy source: the operator must fix
// the system, retrying cannot help.
Status init_sodium();

// init_sodium(), or a log line and std::abort() when it fails.
void require_sodium();

}  // namespace auditorium::eventstore
