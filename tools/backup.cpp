// `auditorium backup create|verify|restore`: online backups into a target directory, their
// verification by restore, and restores that apply the erasure registers (docs/backups.md).
//
// `create` changes the store (a signed tree head, pruning): it goes through the running server's
// admin socket, so the backup is taken online beside the server's appends, or opens the store
// itself when no server runs.
#include <boost/algorithm/string.hpp>
#include <cstdio>
#include <map>

#include "eventstore/backup.hpp"
#include "eventstore/tree_head_json.hpp"
#include "tools/admin_socket.hpp"
#include "tools/cli.hpp"
#include "tools/store_commands.hpp"

namespace auditorium::tools {
namespace fs = std::filesystem;
namespace {

// A whole-number field of a request, held to the range of its command-line option: a request
// may come from any client of the admin socket, not only from this command line.
Result<std::uint64_t> uint_field(const boost::json::object& r, std::string_view name,
                                 std::uint64_t fallback, NumberRange range) {
    const auto* v = r.if_contains(name);
    if (v == nullptr) return fallback;
    std::optional<std::uint64_t> n;
    if (v->is_uint64()) n = v->as_uint64();
    if (v->is_int64() && v->as_int64() >= 0) n = static_cast<std::uint64_t>(v->as_int64());
    if (!n || *n < range.min || *n > range.max) {
        return invalid_argument(std::string(name) + ": expected a whole number from " +
                                std::to_string(range.min) + " to " + std::to_string(range.max));
    }
    return *n;
}

int create(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    desc.add_options()("to", po::value<std::string>()->required(), "the backup target directory")(
        "keep", number(kBackupsKeptRange)->default_value(7),
        "ledger backups to keep in the target")(
        "vault-keep-days", number(kVaultKeepDaysRange)->default_value(30),
        "delete vault backups older than this many days (the bound on how long an erased key "
        "survives in a backup)");
    po::variables_map vm;
    if (auto stop = parse_options("backup create", desc, args, vm)) return *stop;
    boost::json::object request;
    request["command"] = "backup.create";
    // Absolute: a running server resolves it, from its own working directory.
    std::error_code ec;
    const fs::path target = fs::absolute(vm["to"].as<std::string>(), ec);
    if (ec) return report("backup create", unavailable("--to: " + ec.message()));
    request["target"] = target.lexically_normal().string();
    request["keep"] = vm["keep"].as<std::uint64_t>();
    request["vault_keep_days"] = vm["vault-keep-days"].as<std::uint64_t>();
    return run_mutating(vm, request);
}

int verify(const Args& args) {
    po::options_description desc("options");
    desc.add_options()("backup", po::value<std::string>()->required(),
                       "the backup target directory")("id", po::value<std::string>(),
                                                      "the backup to check (default: the newest)")(
        "public-key", po::value<std::string>(),
        "trust only this signing key (minisign base64 'RW...', a .pub file, or 64 hex digits)");
    po::variables_map vm;
    if (auto stop = parse_options("backup verify", desc, args, vm)) return *stop;
    eventstore::BackupVerifyOptions o;
    o.target = vm["backup"].as<std::string>();
    if (vm.count("id")) o.id = vm["id"].as<std::string>();
    auto key = trusted_key_option(vm);
    if (!key) return report("--public-key", key.status());
    o.trusted_public_key = *key;
    auto check = eventstore::verify_backup(o);
    if (!check) {
        std::fprintf(stderr, "auditorium backup verify: FAILED: %s\n",
                     check.status().to_string().c_str());
        return check.status().code() == StatusCode::kNotFound ? 1 : 4;
    }
    const auto& m = check->manifest;
    std::printf(
        "backup %s verified: %llu entries, tree size %llu, root %s matches the signed manifest "
        "(%zu files, SHA-256 each); %llu signed tree heads checked; ",
        m.id.c_str(), static_cast<unsigned long long>(check->entries),
        static_cast<unsigned long long>(m.head.size), to_hex(check->root).c_str(), m.files.size(),
        static_cast<unsigned long long>(check->tree_heads));
    if (check->vault_present) {
        std::printf("vault backup %s: files and signature ok\n", m.vault_id.c_str());
    } else {
        std::printf(
            "its vault backup %s is no longer in the target (a newer one is used to restore)\n",
            m.vault_id.c_str());
    }
    if (check->key_from_backup) {
        std::fprintf(stderr,
                     "note: trusted the signing key inside the backup; pass --public-key to pin "
                     "the ledger's key\n");
    }
    return 0;
}

int restore(const Args& args) {
    po::options_description desc("options");
    desc.add_options()(
        "backup", po::value<std::vector<std::string>>()->required(),
        "a backup target directory; repeat for every target (the backup is taken from the first "
        "holding it; every target's erasure register is applied)")(
        "targets", po::value<std::string>(),
        "more targets, comma-separated (their erasure registers are applied)")(
        "id", po::value<std::string>(), "the ledger backup to restore (default: the newest)")(
        "data", po::value<std::string>()->required(),
        "the directory to restore the ledger into (absent or empty)")(
        "keys", po::value<std::string>(),
        "the keys directory for the restored vault (default: 'keys' beside --data)")(
        "master-key", po::value<std::string>(),
        "the master key file (default: <keys>/master.key; see 'keys unescrow')")(
        "public-key", po::value<std::string>(), "trust only this signing key");
    po::variables_map vm;
    if (auto stop = parse_options("backup restore", desc, args, vm)) return *stop;
    eventstore::RestoreOptions o;
    for (const auto& t : vm["backup"].as<std::vector<std::string>>()) o.targets.emplace_back(t);
    if (vm.count("targets")) {
        std::vector<std::string> more;
        boost::split(more, vm["targets"].as<std::string>(), boost::is_any_of(","));
        for (const auto& t : more) {
            if (!t.empty()) o.targets.emplace_back(t);
        }
    }
    if (vm.count("id")) o.id = vm["id"].as<std::string>();
    o.data_dir = vm["data"].as<std::string>();
    if (vm.count("keys")) o.keys_dir = vm["keys"].as<std::string>();
    if (vm.count("master-key")) o.master_key_file = vm["master-key"].as<std::string>();
    auto key = trusted_key_option(vm);
    if (!key) return report("--public-key", key.status());
    o.trusted_public_key = *key;
    auto r = eventstore::restore_backup(o);
    if (!r) {
        std::fprintf(stderr, "auditorium backup restore: nothing was restored into %s\n",
                     o.data_dir.c_str());
        return report("restore", r.status());
    }
    for (const auto& w : r->warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    const auto& m = r->manifest;
    std::printf(
        "restored backup %s (tree size %llu, root %s) into %s, with vault backup %s (taken %s); "
        "erasure registers of %zu targets: %zu subjects registered, %zu erased now, %zu more keys "
        "destroyed; "
        "restore record at position %llu; the restored ledger verifies: %llu entries\n",
        m.id.c_str(), static_cast<unsigned long long>(m.head.size), to_hex(m.head.root).c_str(),
        o.data_dir.c_str(), r->vault_id.c_str(),
        eventstore::rfc3339(r->vault_created_at_us).c_str(), o.targets.size(), r->registered,
        r->erasures_applied.size(), r->keys_destroyed,
        static_cast<unsigned long long>(r->restore_record),
        static_cast<unsigned long long>(r->size));
    return 0;
}

}  // namespace

boost::json::object backup_create_command(StoreCommandTarget store,
                                          const boost::json::object& request) {
    eventstore::BackupOptions o;
    const auto* target = request.if_contains("target");
    if (target == nullptr || !target->is_string() || target->as_string().empty()) {
        return failure_object(invalid_argument("target: a backup target directory is required"));
    }
    o.target = std::string(target->as_string());
    auto keep = uint_field(request, "keep", o.keep, kBackupsKeptRange);
    auto days = uint_field(request, "vault_keep_days", 30, kVaultKeepDaysRange);
    if (!keep) return failure_object(keep.status());
    if (!days) return failure_object(days.status());
    o.keep = static_cast<std::size_t>(*keep);
    o.vault_keep = std::chrono::hours(24 * static_cast<std::int64_t>(*days));
    auto m = store.admin.create_backup(o);
    if (!m) return failure_object(m.status());
    std::uint64_t bytes = 0;
    for (const auto& f : m->files) bytes += f.size;
    boost::json::object out;
    out["ok"] = true;
    out["id"] = m->id;
    out["tree_size"] = m->head.size;
    out["root"] = to_hex(m->head.root);
    out["summary"] = "backup " + m->id + " written to " + o.target.string() + ": tree size " +
                     std::to_string(m->head.size) + ", root " + to_hex(m->head.root) + ", " +
                     std::to_string(m->files.size()) + " ledger files (" + std::to_string(bytes) +
                     " bytes); vault backup " + m->vault_id;
    return out;
}

int backup_command(const Args& args) {
    static const std::map<std::string, int (*)(const Args&)> table = {
        {"create", create}, {"verify", verify}, {"restore", restore}};
    if (args.empty() || table.find(args[0]) == table.end()) {
        std::fprintf(
            stderr,
            "usage: auditorium backup create --data DIR [--keys DIR] --to TARGET [--keep N] "
            "[--vault-keep-days D]\n"
            "       auditorium backup verify --backup TARGET [--id ID] [--public-key KEY]\n"
            "       auditorium backup restore --backup TARGET [--backup TARGET...] [--id ID] "
            "--data DIR\n"
            "                                 [--keys DIR] [--master-key FILE]\n");
        return 2;
    }
    return table.at(args[0])(Args(args.begin() + 1, args.end()));
}

}  // namespace auditorium::tools
