// `auditorium ledger replay` (the auditor's replay) and `auditorium projections digest`: one
// digest per read model over its plaintext content (projections/digest.hpp), as JSON lines in
// the same format, so the two outputs compare line by line.
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>

#include "base/temp_directory.hpp"
#include "projections/digest.hpp"
#include "projections/model_store.hpp"
#include "projections/runner.hpp"
#include "tools/cli.hpp"

namespace auditorium::tools {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

void print_digests(const std::vector<projections::ModelDigest>& digests) {
    for (const auto& d : digests) {
        json::object line;
        line["model"] = d.model;
        line["position"] = d.position;
        line["rows"] = d.rows;
        line["sha256"] = d.sha256_hex;
        std::cout << json::serialize(line) << "\n";
    }
}

int models_digest(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    desc.add_options()("models", po::value<std::string>(),
                       "read models directory (default: 'models' beside the data)");
    po::variables_map vm;
    if (auto stop = parse_options("projections digest", desc, args, vm)) return *stop;
    auto store = open_for_reading(vm, true);
    if (!store) return report("opening the ledger", store.status());
    const fs::path dir = vm.count("models")
                             ? fs::path(vm["models"].as<std::string>())
                             : projections::default_models_dir(vm["data"].as<std::string>());
    auto models = projections::ModelStore::open(dir, projections::ModelStore::Mode::kReadOnly);
    if (!models) return report("opening the read models", models.status());
    auto digests = projections::digest_models(**models, **store);
    if (!digests) return report("digest", digests.status());
    print_digests(*digests);
    return 0;
}

}  // namespace

// Folds every entry from position 1 into fresh read models in a temporary directory (encrypted
// like the live ones, deleted afterwards) and prints their digests.
int ledger_replay(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    desc.add_options()("to", number(kPositionRange),
                       "the last position to fold (default: the ledger's head)");
    po::variables_map vm;
    if (auto stop = parse_options("ledger replay", desc, args, vm)) return *stop;
    auto store = open_for_reading(vm, true);
    if (!store) return report("opening the ledger", store.status());
    const std::uint64_t head = (*store)->head();
    const std::uint64_t to = vm.count("to") ? vm["to"].as<std::uint64_t>() : head;
    if (to > head) {
        return report("--to", invalid_argument("to: the ledger holds " + std::to_string(head) +
                                               " entries, not " + std::to_string(to)));
    }
    std::error_code tmp_ec;
    const fs::path tmp = fs::temp_directory_path(tmp_ec);
    if (tmp_ec)
        return report("replay",
                      unavailable("finding the temporary directory: " + tmp_ec.message()));
    auto scratch = TempDirectory::make(tmp, "auditorium-replay-");
    if (!scratch) return report("replay", scratch.status());
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t folded = 0;
    {
        auto models = projections::ModelStore::open(scratch->path() / "models",
                                                    projections::ModelStore::Mode::kScratch);
        if (!models) return report("replay", models.status());
        projections::ProjectionRunner runner(**store, **store, **models);
        auto reached = runner.catch_up(to);
        if (!reached) return report("replay", reached.status());
        folded = *reached;
        auto digests = projections::digest_models(**models, **store);
        if (!digests) return report("replay: digest", digests.status());
        print_digests(*digests);
    }
    std::fprintf(stderr, "replayed %llu entries into fresh read models in %.1f s\n",
                 static_cast<unsigned long long>(folded),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return 0;
}

int projections_command(const Args& args) {
    static const std::map<std::string, int (*)(const Args&)> table = {{"digest", models_digest}};
    if (args.empty() || table.find(args[0]) == table.end()) {
        std::fprintf(stderr, "usage: auditorium projections digest [options]\n");
        return 2;
    }
    return table.at(args[0])(Args(args.begin() + 1, args.end()));
}

}  // namespace auditorium::tools
