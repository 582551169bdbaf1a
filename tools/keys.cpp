// `auditorium keys ...`: the ledger's signing keys.
#include <cstdio>
#include <cstring>
#include <map>

#include "eventstore/minisign.hpp"
#include "eventstore/tree_head_json.hpp"
#include "tools/cli.hpp"
#include "tools/store_commands.hpp"

namespace auditorium::tools {
namespace {

int show(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    po::variables_map vm;
    if (auto stop = parse_options("keys show", desc, args, vm)) return *stop;
    auto store = open_for_reading(vm, false);
    if (!store) return report("opening the ledger", store.status());
    auto keys = (*store)->signing_keys();
    if (!keys) return report("reading signing keys", keys.status());
    for (const auto& k : *keys) {
        eventstore::minisign::PublicKey pk;
        pk.id = k.id;
        std::memcpy(pk.key.data(), k.key.data(), 32);
        std::printf("%s signing key %s (minisign key id %s), created %s\n",
                    k.active ? "active" : "retired", eventstore::signing_key_id_hex(k.id).c_str(),
                    eventstore::minisign::key_id_hex(pk.id).c_str(),
                    eventstore::rfc3339(k.created_at_us).c_str());
        std::printf("%s", eventstore::minisign::public_key_file(pk).c_str());
    }
    return 0;
}

int rotate(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    desc.add_options()("signing", "rotate the ledger signing key (old tree heads stay verifiable)")(
        "master", "rotate the master key (every subject key in the vault is re-wrapped)")(
        "actor", po::value<std::string>(), "who asked (32 hex digits), recorded in the ledger");
    po::variables_map vm;
    if (auto stop = parse_options("keys rotate", desc, args, vm)) return *stop;
    if (vm.count("signing") == vm.count("master")) {
        return report("keys rotate",
                      invalid_argument("give exactly one of --signing and --master"));
    }
    boost::json::object request;
    request["command"] = "keys.rotate";
    request["which"] = vm.count("signing") ? "signing" : "master";
    if (vm.count("actor")) request["actor"] = vm["actor"].as<std::string>();
    const int code = run_mutating(vm, request);
    if (code == 0 && vm.count("master")) {
        std::printf("escrow the new master key now: auditorium keys escrow --data %s --to FILE\n",
                    vm["data"].as<std::string>().c_str());
    }
    return code;
}

}  // namespace

int keys_command(const Args& args) {
    static const std::map<std::string, int (*)(const Args&)> table = {
        {"show", show},
        {"rotate", rotate},
        {"escrow", keys_escrow_command},
        {"unescrow", keys_unescrow_command}};
    if (args.empty() || table.find(args[0]) == table.end()) {
        std::fprintf(stderr,
                     "usage: auditorium keys show --data DIR\n"
                     "       auditorium keys rotate --data DIR --signing|--master\n"
                     "       auditorium keys escrow --data DIR [--keys DIR] --to FILE\n"
                     "       auditorium keys unescrow --from FILE --to KEYFILE\n");
        return 2;
    }
    return table.at(args[0])(Args(args.begin() + 1, args.end()));
}

}  // namespace auditorium::tools
