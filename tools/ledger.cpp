// `auditorium ledger ...`: the auditor's read-only tools. They open the store as a RocksDB
// secondary instance, so they work while `serve` runs, and need no key unless asked to open
// sections (--keys).
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>

#include "base/file.hpp"
#include "eventstore/export.hpp"
#include "eventstore/minisign.hpp"
#include "eventstore/tree_head_json.hpp"
#include "tools/cli.hpp"
#include "tools/store_commands.hpp"

namespace auditorium::tools {
namespace json = boost::json;
namespace {

json::array hex_list(const std::vector<std::string>& hashes) {
    json::array out;
    for (const auto& h : hashes) out.emplace_back(to_hex(h));
    return out;
}

Result<std::string> pinned_key(const po::variables_map& vm) {
    if (!vm.count("public-key")) return std::string();
    const std::string key = vm["public-key"].as<std::string>();
    if (auto raw = from_hex(key); raw && raw->size() == 32) return *raw;
    auto text = key;
    if (key.find('\n') == std::string::npos && key.size() > 0 && key.rfind("RW", 0) != 0) {
        auto pub = file::read_file(key);  // a .pub file
        if (!pub) return invalid_argument("--public-key: neither a key nor a readable .pub file");
        text = *pub;
    }
    auto parsed = eventstore::minisign::parse_public_key(text);
    if (!parsed) return parsed.status().with_context("--public-key");
    return std::string(reinterpret_cast<const char*>(parsed->key.data()), 32);
}

int verify_export_file(const po::variables_map& vm) {
    const std::string path = vm["export"].as<std::string>();
    auto key = pinned_key(vm);
    if (!key) return report("--public-key", key.status());
    std::ifstream body(path, std::ios::binary);
    if (!body) return report("--export", not_found("cannot read " + path));
    auto minisig = file::read_file(path + ".minisig");
    if (!minisig)
        return report("--export", not_found("the signature " + path + ".minisig is missing"));
    auto check = eventstore::verify_export(body, *minisig, *key);
    if (!check) {
        std::fprintf(stderr, "auditorium ledger verify --export: FAILED: %s\n",
                     check.status().to_string().c_str());
        return 4;
    }
    std::printf(
        "export verified: %llu records, %s, tree size %llu, root %s, signature ok (%s)\n",
        static_cast<unsigned long long>(check->records),
        check->filtered ? "filtered, every inclusion proof checked" : "complete, root rebuilt",
        static_cast<unsigned long long>(check->tree_size), to_hex(check->root).c_str(),
        check->trusted_comment.c_str());
    if (check->key_from_export) {
        std::fprintf(stderr,
                     "note: trusted the public key inside the export; pass --public-key to pin the "
                     "ledger's key\n");
    }
    return 0;
}

int verify(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    desc.add_options()("export", po::value<std::string>(),
                       "check this JSONL export offline (no store needed) instead of the ledger")(
        "previous-tree-head", po::value<std::string>(),
        "a tree head saved earlier (JSON from 'ledger tree-head'): the ledger must extend it")(
        "public-key", po::value<std::string>(),
        "trust only tree heads signed by this key (minisign base64 'RW...', or the 64 hex digits)");
    po::variables_map vm;
    if (auto stop = parse_options("ledger verify", desc, args, vm)) return *stop;
    if (vm.count("export")) return verify_export_file(vm);

    eventstore::Store::VerifyOptions options;
    if (vm.count("previous-tree-head")) {
        const std::string path = vm["previous-tree-head"].as<std::string>();
        auto text = file::read_file(path);
        if (!text) return report("--previous-tree-head", text.status());
        auto head = eventstore::tree_head_from_json(*text);
        if (!head) return report("--previous-tree-head " + path, head.status());
        options.previous = *head;
    }
    auto key = pinned_key(vm);
    if (!key) return report("--public-key", key.status());
    options.trusted_public_key = *key;
    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    if (terminal) {
        options.progress = [](std::uint64_t done, std::uint64_t total) {
            std::fprintf(stderr, "\rverifying: %llu / %llu entries",
                         static_cast<unsigned long long>(done),
                         static_cast<unsigned long long>(total));
        };
    }
    const auto start = std::chrono::steady_clock::now();
    auto store = open_for_reading(vm, false, true);
    if (!store) return report("opening the ledger", store.status());
    auto result = (*store)->verify(options);
    if (terminal) std::fprintf(stderr, "\n");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!result) {
        std::fprintf(stderr, "auditorium ledger verify: FAILED: %s\n",
                     result.status().to_string().c_str());
        return 4;
    }
    std::printf(
        "ledger verified: %llu entries, tree size %llu, root %s, %llu signed tree heads checked",
        static_cast<unsigned long long>(result->entries),
        static_cast<unsigned long long>(result->entries), to_hex(result->root).c_str(),
        static_cast<unsigned long long>(result->tree_heads));
    // Entries no signed head vouches for yet: a head is signed at most a second after an append.
    std::printf(", %llu entries past the newest signed tree head",
                static_cast<unsigned long long>(result->entries_unsigned));
    if (vm.count("keys")) {
        std::printf(", %llu sections opened, %llu erased",
                    static_cast<unsigned long long>(result->sections_opened),
                    static_cast<unsigned long long>(result->sections_erased));
        if (result->sections_expired != 0) {
            std::printf(", %llu past retention with their keys gone (purge is due)",
                        static_cast<unsigned long long>(result->sections_expired));
        }
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
        std::fprintf(stderr,
                     "usage: auditorium ledger proof inclusion --position P --size N\n"
                     "       auditorium ledger proof consistency --from M --to N\n");
        return 2;
    }
    const bool inclusion = args[0] == "inclusion";
    po::options_description desc("options");
    add_store_options(desc);
    if (inclusion) {
        desc.add_options()("position", number(kPositionRange)->required(), "1-based position")(
            "size", number(kProofTreeSizeRange), "tree size (default: the current size)");
    } else {
        desc.add_options()("from", number(kProofTreeSizeRange)->required(), "the older tree size")(
            "to", number(kProofTreeSizeRange), "the newer tree size (default: the current size)");
    }
    po::variables_map vm;
    if (auto stop = parse_options("ledger proof " + args[0], desc,
                                  Args(args.begin() + 1, args.end()), vm)) {
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
        if (!all || all->empty())
            return report("reading tree heads", not_found("no signed tree head yet"));
        heads = std::vector<eventstore::SignedTreeHead>{all->back()};
    }
    const std::string text = eventstore::tree_head_to_json(heads->front());
    std::cout << text << "\n";
    if (vm.count("out")) {
        std::ofstream out(vm["out"].as<std::string>(), std::ios::trunc);
        out << text << "\n";
        if (!out)
            return report("--out", unavailable("cannot write " + vm["out"].as<std::string>()));
    }
    return 0;
}

// The root of the ledger's tree at a size (default: its current size), computed from the ledger:
// what an auditor compares with a tree head kept from earlier, or with another copy's digest.
int digest(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    desc.add_options()("size", number(kTreeSizeRange), "tree size (default: the current size)");
    po::variables_map vm;
    if (auto stop = parse_options("ledger digest", desc, args, vm)) return *stop;
    auto store = open_for_reading(vm, false);
    if (!store) return report("opening the ledger", store.status());
    eventstore::Store& s = **store;
    const std::uint64_t size = vm.count("size") ? vm["size"].as<std::uint64_t>() : s.head();
    auto root = s.root_at(size);
    if (!root) return report("digest", root.status());
    auto heads = s.tree_heads(size, 1);
    if (!heads) return report("reading tree heads", heads.status());
    json::object out;
    out["store_id"] = s.store_id().hex();
    out["dev"] = s.is_dev();
    out["tree_size"] = size;
    out["root"] = to_hex(*root);
    out["signed"] = !heads->empty() && heads->front().size == size;
    std::cout << json::serialize(out) << "\n";
    return 0;
}

// The entries in order, one JSON object per line (eventstore/export.hpp, entry_to_json), opened
// with the keys when --keys is given: what an auditor reads to follow what happened (`ledger
// replay`, tools/projections.cpp, folds them into fresh read models).
int entries(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    desc.add_options()("from", number(kPositionRange)->default_value(1), "first position")(
        "to", number(kPositionRange), "last position (default: the newest)")(
        "stream", po::value<std::string>(), "only this stream, in version order")(
        "type", po::value<std::string>(), "only entries of this type");
    po::variables_map vm;
    if (auto stop = parse_options("ledger entries", desc, args, vm)) return *stop;
    const std::uint64_t from = vm["from"].as<std::uint64_t>();
    auto store = open_for_reading(vm, false);
    if (!store) return report("opening the ledger", store.status());
    eventstore::Store& s = **store;
    const std::uint64_t to = vm.count("to") ? vm["to"].as<std::uint64_t>() : s.head();
    if (to < from && vm.count("to"))
        return report("ledger entries", invalid_argument("to: before from"));
    const std::optional<std::string> type =
        vm.count("type") ? std::optional<std::string>(vm["type"].as<std::string>()) : std::nullopt;
    std::uint64_t printed = 0;
    const auto print = [&](const eventstore::Entry& e) {
        if (type && e.type != *type) return;
        std::cout << eventstore::entry_to_json(e) << "\n";
        ++printed;
    };
    constexpr std::size_t kPage = 1024;
    if (vm.count("stream")) {
        const std::string stream = vm["stream"].as<std::string>();
        for (eventstore::StreamVersion v = 1;;) {
            auto page = s.read_stream(stream, v, eventstore::Store::Direction::kForward, kPage);
            if (!page) return report("reading stream " + stream, page.status());
            for (const auto& e : *page) {
                if (e.position >= from && e.position <= to) print(e);
            }
            if (page->size() < kPage) break;
            v = page->back().version + 1;
        }
    } else {
        for (eventstore::Position p = from; p <= to;) {
            auto page = s.read_all(p, std::min<std::uint64_t>(kPage, to - p + 1));
            if (!page) return report("reading the ledger", page.status());
            if (page->empty()) break;
            for (const auto& e : *page) print(e);
            p = page->back().position + 1;
        }
    }
    std::cout.flush();
    if (!std::cout)
        return report("ledger entries", unavailable("writing to standard output failed"));
    std::fprintf(stderr, "printed %llu entries\n", static_cast<unsigned long long>(printed));
    return 0;
}

// "2026-11-28T10:00:00Z", "2026-11-28T10:00:00.5+01:00" or "2026-11-28" -> microseconds (UTC).
Result<std::int64_t> parse_time(const std::string& field, const std::string& text) {
    std::tm tm{};
    const char* rest = strptime(text.c_str(), "%Y-%m-%d", &tm);
    if (rest == nullptr)
        return invalid_argument(field + ": expected an RFC 3339 time, not '" + text + "'");
    if (*rest == 'T' || *rest == ' ') {
        rest = strptime(rest + 1, "%H:%M:%S", &tm);
        if (rest == nullptr) return invalid_argument(field + ": bad time of day in '" + text + "'");
    }
    std::int64_t micros = 0;
    if (*rest == '.') {
        int digits = 0;
        for (++rest; *rest >= '0' && *rest <= '9'; ++rest, ++digits) {
            if (digits < 6) micros = micros * 10 + (*rest - '0');
        }
        for (; digits < 6; ++digits) micros *= 10;
    }
    std::int64_t offset = 0;
    if (*rest == '+' || *rest == '-') {
        int h = 0, m = 0;
        if (std::sscanf(rest + 1, "%2d:%2d", &h, &m) != 2)
            return invalid_argument(field + ": bad offset in '" + text + "'");
        offset = (*rest == '+' ? 1 : -1) * (std::int64_t{h} * 3600 + std::int64_t{m} * 60);
        rest += 6;
    } else if (*rest == 'Z') {
        ++rest;
    }
    if (*rest != '\0') return invalid_argument(field + ": trailing text in '" + text + "'");
    return (static_cast<std::int64_t>(timegm(&tm)) - offset) * 1'000'000 + micros;
}

int export_command(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    desc.add_options()("out", po::value<std::string>()->required(),
                       "the export file (FILE.minisig is written beside it)")(
        "format", po::value<std::string>()->default_value("jsonl"), "jsonl or csv")(
        "from", number(kPositionRange), "first position")(
        "to", number(kPositionRange), "last position (default: the newest signed tree head)")(
        "since", po::value<std::string>(), "recorded at or after (RFC 3339)")(
        "until", po::value<std::string>(), "recorded before (RFC 3339)")(
        "type", po::value<std::string>(), "only this event type")(
        "actor", po::value<std::string>(), "only this actor (32 hex digits)")(
        "decrypt", "add each entry's payload, opened with the keys");
    po::variables_map vm;
    if (auto stop = parse_options("ledger export", desc, args, vm)) return *stop;
    eventstore::ExportOptions o;
    o.out = vm["out"].as<std::string>();
    const std::string format = vm["format"].as<std::string>();
    if (format != "jsonl" && format != "csv") {
        return report("--format",
                      invalid_argument("format: 'jsonl' or 'csv', not '" + format + "'"));
    }
    o.format = format == "csv" ? eventstore::ExportOptions::Format::kCsv
                               : eventstore::ExportOptions::Format::kJsonl;
    if (vm.count("from")) o.from = vm["from"].as<std::uint64_t>();
    if (vm.count("to")) o.to = vm["to"].as<std::uint64_t>();
    for (const char* name : {"since", "until"}) {
        if (!vm.count(name)) continue;
        auto t = parse_time(name, vm[name].as<std::string>());
        if (!t) return report(std::string("--") + name, t.status());
        (std::string(name) == "since" ? o.since_us : o.until_us) = *t;
    }
    if (vm.count("type")) o.type = vm["type"].as<std::string>();
    if (vm.count("actor")) {
        auto actor = Id::from_hex(vm["actor"].as<std::string>());
        if (!actor) return report("--actor", invalid_argument("actor: expected 32 hex digits"));
        o.actor = *actor;
    }
    o.decrypt = vm.count("decrypt") > 0;
    auto store = open_for_reading(vm, true, true);
    if (!store) return report("opening the ledger", store.status());
    auto summary = (*store)->export_ledger(o);
    if (!summary) return report("export", summary.status());
    std::printf(
        "exported %llu records (%s) covered by the signed tree head of size %llu to %s, signed in "
        "%s.minisig\n",
        static_cast<unsigned long long>(summary->records),
        summary->filtered ? "filtered" : "complete",
        static_cast<unsigned long long>(summary->tree_size), o.out.c_str(), o.out.c_str());
    return 0;
}

int purge_command(const Args& args) {
    po::options_description desc("options");
    add_store_options(desc);
    po::variables_map vm;
    if (auto stop = parse_options("ledger purge", desc, args, vm)) return *stop;
    boost::json::object request;
    request["command"] = "purge";
    return run_mutating(vm, request);
}

}  // namespace

Result<std::string> trusted_key_option(const po::variables_map& vm) { return pinned_key(vm); }

int ledger_command(const Args& args) {
    static const std::map<std::string, int (*)(const Args&)> table = {
        {"verify", verify},       {"proof", proof},         {"tree-head", tree_head},
        {"digest", digest},       {"entries", entries},     {"export", export_command},
        {"purge", purge_command}, {"replay", ledger_replay}};
    if (args.empty() || table.find(args[0]) == table.end()) {
        std::fprintf(stderr,
                     "usage: auditorium ledger "
                     "verify|proof|tree-head|digest|entries|export|purge|replay [options]\n");
        return 2;
    }
    return table.at(args[0])(Args(args.begin() + 1, args.end()));
}

}  // namespace auditorium::tools
