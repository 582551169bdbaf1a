// `auditorium ledger ...`: the auditor's read-only tools. They open the store as a RocksDB
// secondary instance, so they work while `serve` runs, and need no key unless asked to open
// sections (--keys).
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "eventstore/minisign.hpp"
#include "tools/cli.hpp"
#include "tools/tree_head_json.hpp"

namespace auditorium::tools {
namespace json = boost::json;
namespace {

json::array hex_list(const std::vector<std::string>& hashes) {
    json::array out;
    for (const auto& h : hashes) out.emplace_back(to_hex(h));
    return out;
}

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return not_found("cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int verify(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    desc.add_options()("previous-tree-head", po::value<std::string>(),
                       "a tree head saved earlier (JSON from 'ledger tree-head'): the ledger must extend it")(
        "public-key", po::value<std::string>(),
        "trust only tree heads signed by this key (minisign base64 'RW...', or the 64 hex digits)");
    po::variables_map vm;
    if (auto stop = parse_options("ledger verify", desc, args, vm)) return *stop;

    eventstore::Store::VerifyOptions options;
    if (vm.count("previous-tree-head")) {
        const std::string path = vm["previous-tree-head"].as<std::string>();
        auto text = read_file(path);
        if (!text) return report("--previous-tree-head", text.status());
        auto head = tree_head_from_json(*text);
        if (!head) return report("--previous-tree-head " + path, head.status());
        options.previous = *head;
    }
    if (vm.count("public-key")) {
        const std::string key = vm["public-key"].as<std::string>();
        auto raw = from_hex(key);
        if (raw && raw->size() == 32) {
            options.trusted_public_key = *raw;
        } else {
            auto parsed = eventstore::minisign::parse_public_key(key);
            if (!parsed) return report("--public-key", parsed.status());
            options.trusted_public_key.assign(reinterpret_cast<const char*>(parsed->key.data()), 32);
        }
    }
    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    if (terminal) {
        options.progress = [](std::uint64_t done, std::uint64_t total) {
            std::fprintf(stderr, "\rverifying: %llu / %llu entries", static_cast<unsigned long long>(done),
                         static_cast<unsigned long long>(total));
        };
    }
    const auto start = std::chrono::steady_clock::now();
    auto store = open_for_reading(vm, false);
    if (!store) return report("opening the ledger", store.status());
    auto result = (*store)->verify(options);
    if (terminal) std::fprintf(stderr, "\n");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!result) {
        std::fprintf(stderr, "auditorium ledger verify: FAILED: %s\n", result.status().to_string().c_str());
        return 4;
    }
    std::printf("ledger verified: %llu entries, tree size %llu, root %s, %llu signed tree heads checked",
                static_cast<unsigned long long>(result->entries),
                static_cast<unsigned long long>(result->entries), to_hex(result->root).c_str(),
                static_cast<unsigned long long>(result->tree_heads));
    if (vm.count("keys")) {
        std::printf(", %llu sections opened, %llu erased",
                    static_cast<unsigned long long>(result->sections_opened),
                    static_cast<unsigned long long>(result->sections_erased));
    }
    if (options.previous) {
        std::printf(", extends the previous tree head of size %llu",
                    static_cast<unsigned long long>(options.previous->size));
    }
    std::printf(", %.2f s\n", seconds);
    return 0;
}

int proof(const Args& args) {
    if (args.empty() || (args[0] != "inclusion" && args[0] != "consistency")) {
        std::fprintf(stderr, "usage: auditorium ledger proof inclusion --position P --size N\n"
                             "       auditorium ledger proof consistency --from M --to N\n");
        return 2;
    }
    const bool inclusion = args[0] == "inclusion";
    po::options_description desc("options");
    add_store_options(desc);
    if (inclusion) {
        desc.add_options()("position", po::value<std::uint64_t>()->required(), "1-based position")(
            "size", po::value<std::uint64_t>(), "tree size (default: the current size)");
    } else {
        desc.add_options()("from", po::value<std::uint64_t>()->required(), "the older tree size")(
            "to", po::value<std::uint64_t>(), "the newer tree size (default: the current size)");
    }
    po::variables_map vm;
    if (auto stop = parse_options("ledger proof " + args[0], desc, Args(args.begin() + 1, args.end()), vm)) {
        return *stop;
    }
    auto store = open_for_reading(vm, false);
    if (!store) return report("opening the ledger", store.status());
    eventstore::Store& s = **store;
    json::object out;
    if (inclusion) {
        const std::uint64_t position = vm["position"].as<std::uint64_t>();
        const std::uint64_t size = vm.count("size") ? vm["size"].as<std::uint64_t>() : s.head();
        auto proof = s.inclusion_proof(position, size);
        if (!proof) return report("inclusion proof", proof.status());
        auto leaf = s.leaf_hash(position);
        auto root = s.root_at(size);
        if (!leaf || !root) return report("inclusion proof", leaf ? root.status() : leaf.status());
        out["type"] = "inclusion";
        out["position"] = position;
        out["leaf_index"] = position - 1;
        out["tree_size"] = size;
        out["leaf_hash"] = to_hex(*leaf);
        out["root"] = to_hex(*root);
        out["proof"] = hex_list(*proof);
    } else {
        const std::uint64_t from = vm["from"].as<std::uint64_t>();
        const std::uint64_t to = vm.count("to") ? vm["to"].as<std::uint64_t>() : s.head();
        auto proof = s.consistency_proof(from, to);
        if (!proof) return report("consistency proof", proof.status());
        auto old_root = s.root_at(from);
        auto new_root = s.root_at(to);
        if (!old_root || !new_root) {
            return report("consistency proof", old_root ? new_root.status() : old_root.status());
        }
        out["type"] = "consistency";
        out["from_size"] = from;
        out["to_size"] = to;
        out["from_root"] = to_hex(*old_root);
        out["to_root"] = to_hex(*new_root);
        out["proof"] = hex_list(*proof);
    }
    std::cout << json::serialize(out) << "\n";
    return 0;
}

int tree_head(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    desc.add_options()("out", po::value<std::string>(), "also write the head to this file");
    po::variables_map vm;
    if (auto stop = parse_options("ledger tree-head", desc, args, vm)) return *stop;
    auto store = open_for_reading(vm, false);
    if (!store) return report("opening the ledger", store.status());
    auto heads = (*store)->tree_heads((*store)->head(), 1);
    if (!heads) return report("reading tree heads", heads.status());
    if (heads->empty()) {
        // The running server signs within a second of an append; the newest stored head is older.
        auto all = (*store)->tree_heads(0, SIZE_MAX);
        if (!all || all->empty()) return report("reading tree heads", not_found("no signed tree head yet"));
        heads = std::vector<eventstore::SignedTreeHead>{all->back()};
    }
    const std::string text = tree_head_to_json(heads->front());
    std::cout << text << "\n";
    if (vm.count("out")) {
        std::ofstream out(vm["out"].as<std::string>(), std::ios::trunc);
        out << text << "\n";
        if (!out) return report("--out", unavailable("cannot write " + vm["out"].as<std::string>()));
    }
    return 0;
}

}  // namespace

int ledger_command(const Args& args) {
    static const std::map<std::string, int (*)(const Args&)> table = {
        {"verify", verify}, {"proof", proof}, {"tree-head", tree_head}};
    if (args.empty() || table.find(args[0]) == table.end()) {
        std::fprintf(stderr, "usage: auditorium ledger verify|proof|tree-head [options]\n");
        return 2;
    }
    return table.at(args[0])(Args(args.begin() + 1, args.end()));
}

}  // namespace auditorium::tools
