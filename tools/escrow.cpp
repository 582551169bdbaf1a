// `auditorium keys escrow|unescrow`: the master key sealed under a passphrase (Argon2id +
// XChaCha20-Poly1305), for the day the machine holding the key file is gone. The passphrase is
// read from AUDITORIUM_ESCROW_PASSPHRASE, or from standard input when that is not a terminal;
// never from the command line, where other users could see it. It is held in an
// eventstore::Secret, wiped when the command ends.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/file.hpp"
#include "eventstore/backup.hpp"
#include "eventstore/secret.hpp"
#include "eventstore/tree_head_json.hpp"
#include "tools/cli.hpp"

namespace auditorium::tools {
namespace {

constexpr const char* kPassphraseVariable = "AUDITORIUM_ESCROW_PASSPHRASE";

constexpr std::size_t kMaxPassphraseBytes = 1024;

// Copies the variable's value into `out`, then overwrites the value in place and removes the
// variable: the bytes are the process's own copy of its environment, which other processes of
// the same user could read in /proc/<pid>/environ while the Argon2id hash runs.
Status take_from_environment(char* value, eventstore::Secret& out) {
    Status s = out.append(value);
    eventstore::wipe(std::span<char>(value, std::strlen(value)));
    // Before any thread starts (the escrow commands run alone), so no getenv can race it.
    ::unsetenv(kPassphraseVariable);  // NOLINT(concurrency-mt-unsafe)
    return s;
}

// Reads the first line of standard input into `out`, one byte at a time with read(2): std::cin
// would keep a copy in its buffer, and nothing after the line break is consumed.
Status read_line_from_stdin(eventstore::Secret& out) {
    for (;;) {
        char c = 0;
        const ssize_t n = ::read(STDIN_FILENO, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return unavailable(std::string("reading standard input: ") + file::errno_text(errno));
        if (n == 0 || c == '\n') break;
        Status appended = out.append(std::string_view(&c, 1));
        eventstore::wipe(std::span<char>(&c, 1));
        AUD_RETURN_IF_ERROR(appended);
    }
    if (!out.empty() && out.view().back() == '\r') out.pop_back();
    return Status::ok();
}

Result<eventstore::Secret> read_passphrase() {
    eventstore::Secret passphrase(kMaxPassphraseBytes);
    Status read = Status::ok();
    if (char* env = std::getenv(kPassphraseVariable)) {
        read = take_from_environment(env, passphrase);
    } else if (::isatty(STDIN_FILENO) == 0) {
        read = read_line_from_stdin(passphrase);
    } else {
        return invalid_argument(std::string("passphrase: set ") + kPassphraseVariable +
                                " or pipe the passphrase on standard input");
    }
    if (!read.is_ok()) return read.with_context("passphrase");
    if (passphrase.empty()) return invalid_argument("passphrase: empty");
    if (passphrase.size() < eventstore::kMinEscrowPassphraseBytes) {
        return invalid_argument("passphrase: at least " +
                                std::to_string(eventstore::kMinEscrowPassphraseBytes) +
                                " characters are required");
    }
    return passphrase;
}

}  // namespace

int keys_escrow_command(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    desc.add_options()("to", po::value<std::string>()->required(),
                       "the escrow file to write (0600; never overwritten)");
    po::variables_map vm;
    if (auto stop = parse_options("keys escrow", desc, args, vm)) return *stop;
    auto passphrase = read_passphrase();
    if (!passphrase) return report("keys escrow", passphrase.status());
    // Opening with the keys proves that this master key opens this ledger's vault.
    auto store = open_for_reading(vm, true);
    if (!store) return report("opening the ledger", store.status());
    const std::string data = vm["data"].as<std::string>();
    const std::filesystem::path keys = vm.count("keys")
                                           ? std::filesystem::path(vm["keys"].as<std::string>())
                                           : eventstore::default_keys_dir(data);
    const std::string to = vm["to"].as<std::string>();
    Status s = eventstore::escrow_master_key(keys, (*store)->store_id(), passphrase->view(), to);
    if (!s.is_ok()) return report("keys escrow", s);
    std::printf(
        "the master key of store %s is escrowed in %s (Argon2id, moderate limits; "
        "XChaCha20-Poly1305); "
        "keep the file and the passphrase apart\n",
        (*store)->store_id().hex().c_str(), to.c_str());
    return 0;
}

int keys_unescrow_command(const Args& args) {
    po::options_description desc("options");
    desc.add_options()("from", po::value<std::string>()->required(), "the escrow file")(
        "to", po::value<std::string>()->required(),
        "the master key file to write (0600; never overwritten)");
    po::variables_map vm;
    if (auto stop = parse_options("keys unescrow", desc, args, vm)) return *stop;
    auto passphrase = read_passphrase();
    if (!passphrase) return report("keys unescrow", passphrase.status());
    const std::string to = vm["to"].as<std::string>();
    auto info =
        eventstore::unescrow_master_key(vm["from"].as<std::string>(), passphrase->view(), to);
    if (!info) return report("keys unescrow", info.status());
    std::printf("the master key of store %s (escrowed %s) is in %s\n", info->store_id.hex().c_str(),
                eventstore::rfc3339(info->created_at_us).c_str(), to.c_str());
    return 0;
}

}  // namespace auditorium::tools
