// Random bytes for values that are stored in clear (nonces, ids), drawn from the kernel a few
// KiB at a time instead of one getrandom() per sealed field: on this VM a system call costs about
// a microsecond, as much as sealing a small field (a twentieth of a rebuild's folding was
// getrandom). Never for keys or anything secret: those come from libsodium directly.
//
// Every byte is used once. A forked child discards what its parent had drawn (pthread_atfork),
// so two processes never hand out the same bytes.
//
// Thread safety: thread-safe; each thread has its own pool.
#pragma once

#include <cstddef>
#include <cstdint>

namespace auditorium::eventstore::internal {

// REQUIRES: init_sodium() succeeded (eventstore/sodium_init.hpp).
void public_random(std::uint8_t* out, std::size_t n);

}  // namespace auditorium::eventstore::internal
