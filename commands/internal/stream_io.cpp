#include "commands/internal/stream_io.hpp"

#include <algorithm>
#include <chrono>

namespace auditorium::commands::internal {

Status await_version(eventstore::Log& log, const std::string& stream, const Status& conflict) {
    const auto c = eventstore::conflict_of(conflict);
    if (!c) return Status::ok();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        AUD_ASSIGN_OR_RETURN(eventstore::StreamVersion now_at, log.stream_version(stream));
        if (now_at >= c->actual || std::chrono::steady_clock::now() >= deadline)
            return Status::ok();
        log.wait_for(log.head() + 1, std::min(deadline, std::chrono::steady_clock::now() +
                                                            std::chrono::milliseconds(50)));
    }
}

}  // namespace auditorium::commands::internal
