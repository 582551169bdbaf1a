#include "tools/store_commands.hpp"

#include <cstdio>
#include <map>

#include "tools/admin_socket.hpp"

namespace auditorium::tools {
namespace json = boost::json;
namespace {

using Command = json::object (*)(StoreCommandTarget, const json::object&);

Result<Id> id_field(const json::object& r, std::string_view name, bool required) {
    const auto* v = r.if_contains(name);
    if (v == nullptr) {
        if (required) return invalid_argument(std::string(name) + ": missing");
        return Id();
    }
    if (!v->is_string()) return invalid_argument(std::string(name) + ": expected 32 hex digits");
    auto id = Id::from_hex(std::string_view(v->as_string()));
    if (!id) return invalid_argument(std::string(name) + ": expected 32 hex digits");
    return *id;
}

json::object done(std::string_view summary, eventstore::Position position = 0) {
    json::object o;
    o["ok"] = true;
    o["summary"] = summary;
    if (position != 0) o["position"] = position;
    return o;
}

json::object purge(StoreCommandTarget store, const json::object&) {
    auto r = store.admin.purge();
    if (!r) return failure_object(r.status());
    std::string summary = "purge: " + std::to_string(r->entries_purged) + " entries purged, " +
                          std::to_string(r->snapshots_appended) + " snapshots appended, " +
                          std::to_string(r->entries_held) + " kept under legal hold, " +
                          std::to_string(r->retention_keys_destroyed) + " retention keys destroyed";
    for (const auto& [type, count] : r->no_snapshot_function) {
        summary += "; " + std::to_string(count) + " entries of stream type '" + type +
                   "' kept: no snapshot function";
    }
    json::object o = done(summary, r->record);
    o["entries_purged"] = r->entries_purged;
    return o;
}

json::object rotate(StoreCommandTarget store, const json::object& request) {
    auto actor = id_field(request, "actor", false);
    if (!actor) return failure_object(actor.status());
    const auto* which = request.if_contains("which");
    if (which == nullptr || !which->is_string() ||
        (which->as_string() != "signing" && which->as_string() != "master")) {
        return failure_object(invalid_argument("which: 'signing' or 'master'"));
    }
    const bool signing = which->as_string() == "signing";
    auto p =
        signing ? store.admin.rotate_signing_key(*actor) : store.admin.rotate_master_key(*actor);
    if (!p) return failure_object(p.status());
    return done(std::string(signing ? "signing" : "master") +
                    " key rotated; recorded at position " + std::to_string(*p),
                *p);
}

json::object erase(StoreCommandTarget store, const json::object& request) {
    auto subject = id_field(request, "subject", true);
    auto actor = id_field(request, "actor", false);
    if (!subject) return failure_object(subject.status());
    if (!actor) return failure_object(actor.status());
    auto p = store.privacy.erase(*subject, *actor);
    if (!p) return failure_object(p.status());
    auto deferred = store.privacy.is_erasure_deferred(*subject);
    const bool is_deferred = deferred && *deferred;
    json::object o = done(
        is_deferred ? "erasure deferred by a legal hold; recorded at position " + std::to_string(*p)
                    : "subject erased; recorded at position " + std::to_string(*p),
        *p);
    o["deferred"] = is_deferred;
    return o;
}

json::object hold(StoreCommandTarget store, const json::object& request) {
    auto subject = id_field(request, "subject", true);
    auto actor = id_field(request, "actor", false);
    if (!subject) return failure_object(subject.status());
    if (!actor) return failure_object(actor.status());
    const auto* held = request.if_contains("held");
    if (held == nullptr || !held->is_bool())
        return failure_object(invalid_argument("held: true or false"));
    auto p = store.privacy.set_legal_hold(*subject, *actor, held->as_bool());
    if (!p) return failure_object(p.status());
    return done(std::string(held->as_bool() ? "legal hold set" : "legal hold released") +
                    "; recorded at position " + std::to_string(*p),
                *p);
}

}  // namespace

json::object run_store_command(StoreCommandTarget store, const json::object& request) {
    static const std::map<std::string, Command, std::less<>> table = {
        {"purge", purge},
        {"keys.rotate", rotate},
        {"privacy.erase", erase},
        {"legal_hold", hold},
        {"backup.create", backup_create_command}};
    auto name = string_field(request, "command");
    if (!name) return failure_object(name.status());
    const auto it = table.find(*name);
    if (it == table.end())
        return failure_object(invalid_argument("command: unknown '" + *name + "'"));
    return it->second(store, request);
}

int run_mutating(const po::variables_map& vm, const json::object& request) {
    const std::string data = vm["data"].as<std::string>();
    auto named = string_field(request, "command");
    if (!named) return report("admin request", named.status());
    const std::string& command = *named;
    auto remote = ask_admin(admin_socket_path(data), request);
    if (!remote) return report(command, remote.status());
    json::object response;
    if (*remote) {
        response = std::move(**remote);
    } else {
        auto store = open_for_writing(vm);
        if (!store) return report(command, store.status());
        response = run_store_command({**store, **store}, request);
    }
    if (Status s = status_of(response); !s.is_ok()) return report(command, s);
    // An answer without its summary comes from an older or broken server: not the user's input
    // to fix, so Unavailable (exit 1), as ask_admin reports an answer that is not JSON.
    auto summary = string_field(response, "summary");
    if (!summary)
        return report(command, unavailable("the server's answer: " + summary.status().message()));
    std::printf("%s\n", summary->c_str());
    return 0;
}

}  // namespace auditorium::tools
