// The local admin socket: how commands that change the store (purge, key rotation, privacy
// requests, legal holds) reach a running `serve`, which holds the store's lock.
//
// A Unix stream socket `admin.sock` in the data directory, mode 0600; the server also checks the
// peer's uid (SO_PEERCRED) is its own. Protocol: one JSON object per line each way, one request per
// connection: {"command": "...", ...} -> {"ok": true, ...} or {"ok": false, "code": "...",
// "message": "..."}. Every command it runs is ledgered by the store operation it calls.
//
// The server serves one connection at a time, so a client may take no longer than
// kAdminRequestTimeout to send its request line: one that stalls mid-line is answered with an
// Unavailable refusal and cut, and the next connection is served. A refusal (another user's
// connection, an over-long or late request) is one failure line, after which the server hangs up.
// The server writes with MSG_NOSIGNAL, so a client that hangs up early cannot kill it with SIGPIPE.
//
// Thread safety: AdminServer runs one thread that serves one connection at a time; the handler
// is called on that thread. Destroying the server stops it at once, even while a client is
// sending its request (not while the handler runs).
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <thread>

#include "base/file.hpp"
#include "base/result.hpp"

namespace auditorium::tools {

std::filesystem::path admin_socket_path(const std::filesystem::path& data_dir);

// How long a connected client has to send its whole request line.
inline constexpr std::chrono::seconds kAdminRequestTimeout{3};

class AdminServer {
public:
    using Handler = std::function<boost::json::object(const boost::json::object& request)>;
    // Binds (replacing a stale socket file), sets 0600, and starts serving.
    static Result<std::unique_ptr<AdminServer>> start(const std::filesystem::path& socket,
                                                      Handler handler);
    ~AdminServer();  // stops, joins, removes the socket file
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

private:
    AdminServer(file::UniqueFd listen_fd, file::UniqueFd wake_fd_read, file::UniqueFd wake_fd_write,
                std::filesystem::path path, Handler handler);
    void run();
    void serve_one(int fd);

    const file::UniqueFd listen_fd_;
    const file::UniqueFd wake_read_;
    const file::UniqueFd wake_write_;
    const std::filesystem::path path_;
    const Handler handler_;
    std::thread thread_;
};

// Sends `request` to the server on `socket`. nullopt when no server listens there (no socket file,
// or connection refused: a stale file); an error when one listens but the exchange fails. A
// server's refusal is returned as its failure object (status_of), even when the server hung up
// before taking the whole request; the send uses MSG_NOSIGNAL, so the caller never gets SIGPIPE.
Result<std::optional<boost::json::object>> ask_admin(const std::filesystem::path& socket,
                                                     const boost::json::object& request);

// The string `name` of a request or response, which is input: InvalidArgument "<name>: missing"
// or "<name>: not a string" instead of the exception .at()/as_string() would throw.
Result<std::string> string_field(const boost::json::object& object, std::string_view name);

// A Status as the protocol's failure object, and back.
boost::json::object failure_object(const Status& status);
Status status_of(const boost::json::object& response);

}  // namespace auditorium::tools
