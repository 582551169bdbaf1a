#include "tools/admin_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/file.hpp"

namespace auditorium::tools {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxRequest = 1 << 20;

Result<sockaddr_un> address(const fs::path& socket) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket.string().size() >= sizeof(addr.sun_path)) {
        return invalid_argument("admin socket path too long: " + socket.string());
    }
    std::strncpy(addr.sun_path, socket.c_str(), sizeof(addr.sun_path) - 1);
    return addr;
}

// Not file::write_all: a socket's send() with MSG_NOSIGNAL, so a peer that hung up makes it fail
// with EPIPE instead of raising SIGPIPE, which would kill the server, or a client that still has
// the server's refusal to read. Callers discard a false on purpose: the peer is gone or stalled,
// and nobody is left to tell.
bool send_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

enum class LineEnd { kLine, kClosed, kTooLong, kTimedOut, kStopping };

// Reads one line (without its newline) into `line`. With a `deadline`, gives up at it (kTimedOut);
// with a `wake_fd`, gives up as soon as that becomes readable (kStopping).
LineEnd read_line(int fd, std::string& line,
                  std::optional<Clock::time_point> deadline = std::nullopt, int wake_fd = -1) {
    line.clear();
    for (;;) {
        int wait_ms = -1;
        if (deadline) {
            const auto left =
                std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
            if (left.count() <= 0) return LineEnd::kTimedOut;
            wait_ms = static_cast<int>(left.count());
        }
        pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
        const int ready = ::poll(fds, wake_fd >= 0 ? 2 : 1, wait_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) return LineEnd::kClosed;
        if (wake_fd >= 0 && fds[1].revents != 0) return LineEnd::kStopping;
        if (ready == 0) continue;  // the deadline is checked above
        char c;
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return LineEnd::kClosed;
        if (c == '\n') return LineEnd::kLine;
        line.push_back(c);
        if (line.size() > kMaxRequest) return LineEnd::kTooLong;
    }
}

}  // namespace

fs::path admin_socket_path(const fs::path& data_dir) { return data_dir / "admin.sock"; }

Result<std::string> string_field(const json::object& object, std::string_view name) {
    const auto* v = object.if_contains(name);
    if (v == nullptr) return invalid_argument(std::string(name) + ": missing");
    const auto* s = v->if_string();
    if (s == nullptr) return invalid_argument(std::string(name) + ": not a string");
    return std::string(*s);
}

json::object failure_object(const Status& status) {
    json::object o;
    o["ok"] = false;
    o["code"] = std::string(status_code_name(status.code()));
    o["message"] = status.message();
    return o;
}

Status status_of(const json::object& response) {
    const auto* ok = response.if_contains("ok");
    if (ok != nullptr && ok->is_bool() && ok->as_bool()) return Status::ok();
    std::string code = "Internal";
    std::string message = "malformed response from the server";
    if (const auto* c = response.if_contains("code"); c && c->is_string())
        code = std::string(c->as_string());
    if (const auto* m = response.if_contains("message"); m && m->is_string())
        message = std::string(m->as_string());
    for (StatusCode sc :
         {StatusCode::kAborted, StatusCode::kInvalidArgument, StatusCode::kFailedPrecondition,
          StatusCode::kAlreadyExists, StatusCode::kNotFound, StatusCode::kCorruption,
          StatusCode::kDataLoss, StatusCode::kUnavailable, StatusCode::kPermissionDenied}) {
        if (status_code_name(sc) == code) return Status(sc, message);
    }
    return internal_error(message);
}

Result<std::unique_ptr<AdminServer>> AdminServer::start(const fs::path& socket, Handler handler) {
    AUD_ASSIGN_OR_RETURN(sockaddr_un addr, address(socket));
    file::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return unavailable(std::string("admin socket: ") + file::errno_text(errno));
    ::unlink(socket.c_str());  // a stale file from a server that did not stop cleanly
    // Created 0600 from the start: no moment where another user could connect.
    const mode_t old_mask = ::umask(0177);
    const int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::umask(old_mask);
    if (rc != 0 || ::listen(fd.get(), 8) != 0) {
        const std::string err = file::errno_text(errno);
        return unavailable("admin socket " + socket.string() + ": " + err);
    }
    int wake[2];
    if (::pipe2(wake, O_CLOEXEC) != 0) return unavailable("admin socket: pipe failed");
    std::unique_ptr<AdminServer> server(new AdminServer(std::move(fd), file::UniqueFd(wake[0]),
                                                        file::UniqueFd(wake[1]), socket,
                                                        std::move(handler)));
    server->thread_ = std::thread([s = server.get()] { s->run(); });
    return server;
}

AdminServer::AdminServer(file::UniqueFd listen_fd, file::UniqueFd wake_fd_read,
                         file::UniqueFd wake_fd_write, fs::path path, Handler handler)
    : listen_fd_(std::move(listen_fd)),
      wake_read_(std::move(wake_fd_read)),
      wake_write_(std::move(wake_fd_write)),
      path_(std::move(path)),
      handler_(std::move(handler)) {}

AdminServer::~AdminServer() {
    const char c = 'x';
    // A pipe with room for a byte: the write cannot fail in a way that leaves the thread waiting.
    (void)::write(wake_write_.get(), &c, 1);
    if (thread_.joinable()) thread_.join();
    // The descriptors close with the members, just after: a client that comes between finds no
    // socket file or a closed one, and is told no server listens either way.
    ::unlink(path_.c_str());
}

void AdminServer::run() {
    for (;;) {
        pollfd fds[2] = {{listen_fd_.get(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[1].revents != 0) return;
        const file::UniqueFd connection(
            ::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!connection) continue;
        serve_one(connection.get());
    }
}

void AdminServer::serve_one(int fd) {
    ucred peer{};
    socklen_t len = sizeof peer;
    const bool known = ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0;
    spdlog::info("admin socket: connection from uid {}, pid {}", peer.uid, peer.pid);
    if (!known || peer.uid != ::geteuid()) {
        spdlog::warn("admin socket: refused a connection from uid {}", peer.uid);
        (void)send_all(
            fd, json::serialize(failure_object(permission_denied("not the server's user"))) + "\n");
        return;
    }
    // A client that does not read its answer cannot hold the server either.
    const timeval send_timeout{static_cast<time_t>(kAdminRequestTimeout.count()), 0};
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout) != 0) {
        spdlog::warn("admin socket: no send timeout on this connection: {}",
                     file::errno_text(errno));
    }
    std::string line;
    switch (read_line(fd, line, Clock::now() + kAdminRequestTimeout, wake_read_.get())) {
        case LineEnd::kLine: break;
        case LineEnd::kClosed:
        case LineEnd::kStopping: return;
        case LineEnd::kTooLong:
            (void)send_all(fd,
                           json::serialize(failure_object(invalid_argument(
                               "request: longer than " + std::to_string(kMaxRequest) + " bytes"))) +
                               "\n");
            return;
        case LineEnd::kTimedOut:
            spdlog::warn(
                "admin socket: closed a connection that sent no complete request within {} s",
                kAdminRequestTimeout.count());
            (void)send_all(fd, json::serialize(failure_object(unavailable(
                                   "request: not received in full within " +
                                   std::to_string(kAdminRequestTimeout.count()) + " s"))) +
                                   "\n");
            return;
    }
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    json::object response;
    if (ec || !v.is_object()) {
        response = failure_object(invalid_argument("request: not a JSON object"));
    } else {
        // The last-resort net (docs/style.md, "Errors"): handlers return failure objects, so
        // nothing is expected here, but a throw must not take the server down.
        try {
            response = handler_(v.as_object());
        } catch (const std::exception& e) {
            spdlog::error("admin socket: a command threw, which is a bug: {}", e.what());
            response =
                failure_object(internal_error(std::string("admin command failed: ") + e.what()));
        }
    }
    (void)send_all(fd, json::serialize(response) + "\n");
}

Result<std::optional<json::object>> ask_admin(const fs::path& socket, const json::object& request) {
    std::error_code exists_ec;
    if (!fs::exists(fs::symlink_status(socket, exists_ec))) return std::optional<json::object>();
    AUD_ASSIGN_OR_RETURN(sockaddr_un addr, address(socket));
    const file::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return unavailable(std::string("admin socket: ") + file::errno_text(errno));
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        if (err == ECONNREFUSED || err == ENOENT) return std::optional<json::object>();  // stale
        return unavailable("admin socket " + socket.string() + ": " + file::errno_text(err));
    }
    // A server that refuses before reading (a connection from another user) writes its refusal
    // and hangs up, which can fail the send; the refusal is still there to read.
    (void)send_all(fd.get(), json::serialize(request) + "\n");
    std::string line;
    const LineEnd end = read_line(fd.get(), line);
    if (end != LineEnd::kLine)
        return unavailable("the server closed the admin socket without answering");
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) return unavailable("the server's answer is not a JSON object");
    return std::optional<json::object>(v.as_object());
}

}  // namespace auditorium::tools
