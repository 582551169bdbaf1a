// End-to-end: commands that change the store reach a running server through its admin socket.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace auditorium::testing;
using Catch::Matchers::Contains;

namespace {
const std::string kSubject = "0123456789abcdef0123456789abcdef";
const std::string kOther = "fedcba9876543210fedcba9876543210";

// One line from `fd`, without its newline; what came before a hang-up or a 10 s silence.
std::string read_line(int fd) {
    std::string line;
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 10'000) <= 0) return line;
        char c;
        if (::read(fd, &c, 1) != 1 || c == '\n') return line;
        line.push_back(c);
    }
}

sockaddr_un unix_address(const std::filesystem::path& socket) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket.c_str(), sizeof(addr.sun_path) - 1);
    return addr;
}

// A raw client of the admin socket, disconnected when destroyed.
class RawClient {
public:
    explicit RawClient(const std::filesystem::path& socket)
        : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        REQUIRE(fd_ >= 0);
        sockaddr_un addr = unix_address(socket);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }
    ~RawClient() { ::close(fd_); }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;
    void send(const std::string& bytes) {
        REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(bytes.size()));
    }
    // The server's answer, up to its newline; empty if none comes within seconds.
    std::string receive_line() { return read_line(fd_); }

private:
    const int fd_;
};

// A stand-in for a server on `socket` that answers one request with `answer`, for the client's
// side of the protocol: an older or broken server.
class FakeServer {
public:
    explicit FakeServer(const std::filesystem::path& socket)
        : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        REQUIRE(fd_ >= 0);
        sockaddr_un addr = unix_address(socket);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd_, 1) == 0);
    }
    ~FakeServer() { ::close(fd_); }
    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;
    // Takes one connection, reads its request line and answers; returns the request.
    std::string answer_one(const std::string& answer) {
        pollfd p{fd_, POLLIN, 0};
        REQUIRE(::poll(&p, 1, 30'000) == 1);
        const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        REQUIRE(client >= 0);
        const std::string request = read_line(client);
        const std::string line = answer + "\n";
        CHECK(::send(client, line.data(), line.size(), MSG_NOSIGNAL) ==
              static_cast<ssize_t>(line.size()));
        ::close(client);
        return request;
    }

private:
    const int fd_;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("privacy, key and purge commands go through a running server's 0600 admin socket") {
    TempDir dir;
    const auto data = dir / "data";
    Process serve({AUD_CLI, "serve", "--data", data.string()});
    REQUIRE(serve.wait_for_line("admin socket"));
    struct stat st {};
    REQUIRE(::stat((data / "admin.sock").c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0600);

    auto [ecode, eout] =
        run({AUD_CLI, "privacy", "erase", "--data", data.string(), "--subject", kSubject});
    INFO(eout);
    CHECK(ecode == 0);
    CHECK_THAT(eout, Contains("subject erased"));
    auto [hcode, hout] =
        run({AUD_CLI, "privacy", "hold", "--data", data.string(), "--subject", kOther});
    CHECK(hcode == 0);
    CHECK_THAT(hout, Contains("legal hold set"));
    auto [dcode, dout] =
        run({AUD_CLI, "privacy", "erase", "--data", data.string(), "--subject", kOther});
    CHECK(dcode == 0);
    CHECK_THAT(dout, Contains("deferred"));
    auto [rcode, rout] = run(
        {AUD_CLI, "privacy", "hold", "--data", data.string(), "--subject", kOther, "--release"});
    CHECK(rcode == 0);
    CHECK_THAT(rout, Contains("released"));
    auto [kcode, kout] = run({AUD_CLI, "keys", "rotate", "--data", data.string(), "--signing"});
    INFO(kout);
    CHECK(kcode == 0);
    auto [pcode, pout] = run({AUD_CLI, "ledger", "purge", "--data", data.string()});
    INFO(pout);
    CHECK(pcode == 0);
    CHECK_THAT(pout, Contains("0 entries purged"));
    auto [bad, bad_out] =
        run({AUD_CLI, "privacy", "erase", "--data", data.string(), "--subject", "xyz"});
    CHECK(bad == 2);
    CHECK_THAT(bad_out, Contains("subject"));
    // The server logged each command; the ledger holds the records.
    serve.signal(SIGTERM);
    CHECK(serve.wait() == 0);
    CHECK_THAT(serve.output(), Contains("admin command"));
    CHECK_FALSE(std::filesystem::exists(data / "admin.sock"));
    auto [vcode, vout] = run({AUD_CLI, "ledger", "export", "--data", data.string(), "--out",
                              (dir / "x.jsonl").string(), "--type", "store.subject_erased"});
    INFO(vout);
    CHECK(vcode == 0);
    CHECK_THAT(vout, Contains("exported 2 records"));
}

TEST_CASE("without a server the same commands open the store themselves") {
    TempDir dir;
    const auto data = dir / "data";
    {
        Process serve({AUD_CLI, "serve", "--data", data.string()});
        REQUIRE(serve.wait_for_line("admin socket"));
        serve.signal(SIGTERM);
        REQUIRE(serve.wait() == 0);
    }
    auto [code, out] =
        run({AUD_CLI, "privacy", "erase", "--data", data.string(), "--subject", kSubject});
    INFO(out);
    CHECK(code == 0);
    CHECK_THAT(out, Contains("subject erased"));
}

TEST_CASE(
    "a client that stalls mid-line is cut within seconds, and the next admin command is served") {
    TempDir dir;
    const auto data = dir / "data";
    Process serve({AUD_CLI, "serve", "--data", data.string()});
    REQUIRE(serve.wait_for_line("admin socket"));
    RawClient stalled(data / "admin.sock");
    stalled.send(
        "{\"command\":\"pur");  // half a request, no newline, and the connection stays open
    const auto start = std::chrono::steady_clock::now();
    Process purge({AUD_CLI, "ledger", "purge", "--data", data.string()});
    const auto done = purge.wait_for_line("entries purged", std::chrono::seconds(20));
    INFO(purge.output());
    INFO(serve.output());
    REQUIRE(done);
    CHECK(purge.wait() == 0);
    CHECK(seconds_since(start) < 15);
    CHECK(serve.wait_for_line("no complete request within", std::chrono::seconds(5)));
    serve.signal(SIGTERM);
    CHECK(serve.wait() == 0);
}

TEST_CASE("serve stops promptly on SIGINT while a stalled client is still connected") {
    TempDir dir;
    const auto data = dir / "data";
    Process serve({AUD_CLI, "serve", "--data", data.string()});
    REQUIRE(serve.wait_for_line("admin socket"));
    RawClient stalled(data / "admin.sock");
    stalled.send("{\"command\":");
    // The server has taken the stalled connection and is reading it when the signal comes.
    REQUIRE(serve.wait_for_line("admin socket: connection from uid"));
    const auto start = std::chrono::steady_clock::now();
    serve.signal(SIGINT);
    const auto stopped = serve.wait_for_line("serve: stopped", std::chrono::seconds(10));
    INFO(serve.output());
    REQUIRE(stopped);
    CHECK(seconds_since(start) < 5);
    CHECK(serve.wait() == 0);
}

TEST_CASE(
    "a command refused by a server of another user prints the refusal instead of dying of "
    "SIGPIPE") {
    if (::geteuid() != 0) {
        WARN("skipped: needs root to run the server as another user (nobody)");
        return;
    }
    TempDir dir;
    const auto data = dir / "data";
    // The server runs as nobody; root may connect to its 0600 socket, and the server refuses it
    // by its uid before reading anything.
    REQUIRE(::chown(dir.path().c_str(), 65534, 65534) == 0);
    Process serve({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                   AUD_CLI, "serve", "--data", data.string()});
    const auto listening = serve.wait_for_line("admin socket");
    INFO(serve.output());
    REQUIRE(listening);
    // A request larger than the socket's send buffer: the client is still writing when the
    // server hangs up, which is what made it die of SIGPIPE. Over-long ids are the server's to
    // refuse.
    const std::string long_id(120 * 1024, 'a');
    auto r = run_apart({AUD_CLI, "privacy", "erase", "--data", data.string(), "--subject", long_id,
                        "--actor", long_id});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.code == 3);
    CHECK_THAT(r.err, Contains("not the server's user"));
    serve.signal(SIGTERM);
    CHECK(serve.wait() == 0);
}

TEST_CASE(
    "an admin request without a command string is refused as InvalidArgument naming the field") {
    TempDir dir;
    const auto data = dir / "data";
    Process serve({AUD_CLI, "serve", "--data", data.string()});
    REQUIRE(serve.wait_for_line("admin socket"));
    {
        RawClient client(data / "admin.sock");
        client.send("{\"subject\":\"" + kSubject + "\"}\n");
        const std::string answer = client.receive_line();
        INFO(serve.output());
        CHECK_THAT(answer, Contains("\"ok\":false"));
        CHECK_THAT(answer, Contains("\"code\":\"InvalidArgument\""));
        CHECK_THAT(answer, Contains("command: missing"));
    }
    {
        RawClient client(data / "admin.sock");
        client.send("{\"command\":7}\n");
        const std::string answer = client.receive_line();
        CHECK_THAT(answer, Contains("\"code\":\"InvalidArgument\""));
        CHECK_THAT(answer, Contains("command: not a string"));
    }
    // The server is still serving.
    auto [code, out] = run({AUD_CLI, "ledger", "purge", "--data", data.string()});
    INFO(out);
    CHECK(code == 0);
    serve.signal(SIGTERM);
    CHECK(serve.wait() == 0);
}

TEST_CASE(
    "a server's answer without a summary string fails the command with a message, not an "
    "exception") {
    for (const std::string answer : {"{\"ok\":true}", "{\"ok\":true,\"summary\":5}"}) {
        DYNAMIC_SECTION(answer) {
            TempDir dir;
            const auto data = dir / "data";
            std::filesystem::create_directories(data);
            FakeServer server(data / "admin.sock");
            Process purge({AUD_CLI, "ledger", "purge", "--data", data.string()});
            CHECK_THAT(server.answer_one(answer), Contains("\"command\":\"purge\""));
            const int code = purge.wait();
            INFO(purge.output());
            CHECK(code == 1);
            CHECK_THAT(purge.output(), Contains("summary: "));
            CHECK_THAT(purge.output(), Contains("server's answer"));
        }
    }
}
