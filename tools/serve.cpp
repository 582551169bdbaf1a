#include <signal.h>
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "base/id.hpp"
#include "tools/cli.hpp"

namespace auditorium::tools {
namespace po = boost::program_options;

int report(const std::string& context, const Status& status) {
    std::fprintf(stderr, "auditorium: %s: %s\n", context.c_str(), status.to_string().c_str());
    switch (status.code()) {
        case StatusCode::kInvalidArgument: return 2;
        case StatusCode::kPermissionDenied: return 3;
        case StatusCode::kCorruption:
        case StatusCode::kDataLoss: return 4;
        default: return 1;
    }
}

int serve_command(const Args& args) {
    po::options_description desc("auditorium serve [options]");
    std::string data;
    std::string keys;
    desc.add_options()("help,h", "this help")(
        "data", po::value(&data)->default_value("var/data"), "ledger directory")(
        "keys", po::value(&keys), "keys directory (default: 'keys' beside the data directory)")(
        "dev", "create a dev store (recorded in its metadata; shorter retention allowed)");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::fprintf(stderr, "auditorium serve: %s\n", e.what());
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc << "\n";
        return 0;
    }

    // Block the stop signals before any thread starts, so only sigwait below sees them.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);

    eventstore::StoreOptions options;
    options.data_dir = data;
    options.keys_dir = keys;
    options.create_if_missing = true;
    options.dev = vm.count("dev") > 0;
    auto store = eventstore::Store::open(options);
    if (!store) return report("opening the store at " + data, store.status());

    const auto tree = (*store)->tree_head();
    spdlog::info("serve: ledger {} open (store {}{}), head position {}, tree size {}, root {}", data,
                 (*store)->store_id().hex(), (*store)->is_dev() ? ", dev" : "", (*store)->head(),
                 tree.size, to_hex(tree.root));
    spdlog::info("serve: keys in {}; stop with Ctrl-C",
                 keys.empty() ? eventstore::default_keys_dir(data).string() : keys);
    int signal_number = 0;
    sigwait(&stop, &signal_number);
    spdlog::info("serve: signal {} received, closing the store", signal_number);
    store->reset();
    spdlog::info("serve: stopped");
    return 0;
}

}  // namespace auditorium::tools
