// `auditorium privacy ...`: erasure requests and legal holds, through the running server's admin
// socket, or on the store directly when no server runs. Both are ledgered.
#include <cstdio>
#include <map>

#include "tools/cli.hpp"
#include "tools/store_commands.hpp"

namespace auditorium::tools {
namespace {

void add_subject_options(po::options_description& desc) {
    add_store_options(desc);
    desc.add_options()("subject", po::value<std::string>()->required(),
                       "the person's pseudonym (32 hex digits)")(
        "actor", po::value<std::string>(), "who asked (32 hex digits), recorded in the ledger");
}

boost::json::object subject_request(const char* command, const po::variables_map& vm) {
    boost::json::object request;
    request["command"] = command;
    request["subject"] = vm["subject"].as<std::string>();
    if (vm.count("actor")) request["actor"] = vm["actor"].as<std::string>();
    return request;
}

int erase(const Args& args) {
    po::options_description desc("options");
    add_subject_options(desc);
    po::variables_map vm;
    if (auto stop = parse_options("privacy erase", desc, args, vm)) return *stop;
    return run_mutating(vm, subject_request("privacy.erase", vm));
}

int hold(const Args& args) {
    po::options_description desc("options");
    add_subject_options(desc);
    desc.add_options()("release", "release the hold (carries out an erasure it deferred)");
    po::variables_map vm;
    if (auto stop = parse_options("privacy hold", desc, args, vm)) return *stop;
    auto request = subject_request("legal_hold", vm);
    request["held"] = vm.count("release") == 0;
    return run_mutating(vm, request);
}

}  // namespace

int privacy_command(const Args& args) {
    static const std::map<std::string, int (*)(const Args&)> table = {{"erase", erase},
                                                                      {"hold", hold}};
    if (args.empty() || table.find(args[0]) == table.end()) {
        std::fprintf(
            stderr,
            "usage: auditorium privacy erase --data DIR --subject ID [--actor ID]\n"
            "       auditorium privacy hold --data DIR --subject ID [--release] [--actor ID]\n");
        return 2;
    }
    return table.at(args[0])(Args(args.begin() + 1, args.end()));
}

}  // namespace auditorium::tools
