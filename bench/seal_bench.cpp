// `auditorium-bench seal`: the CPU an append spends per event before the write, on one thread, as
// the store does it (eventstore/internal): bind the section to its entry, seal it
// (XChaCha20-Poly1305 and the key commitment), encode the entry and hash it into a Merkle leaf.
// Baseline, in the same run: libsodium's XChaCha20-Poly1305 over the same payload with
// associated data of the same size, and OpenSSL's SHA-256 over bytes of the entry's size: the
// cryptography alone, with nothing of ours around it.
//
// The figure bounds the append throughput two cores can reach: every event costs this on an
// appender, plus what RocksDB's write costs (`append`'s baseline_cpu_us_per_event).
#include <openssl/sha.h>
#include <sodium.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/commands.hpp"
#include "eventstore/store.hpp"
#include "eventstore/internal/entry_codec.hpp"
#include "eventstore/internal/merkle.hpp"
#include "eventstore/internal/sealer.hpp"

namespace auditorium::bench {
namespace po = boost::program_options;
namespace {

using namespace eventstore::internal;

struct Sample {
    std::string stream = "bench-0";
    std::string payload;
    std::vector<Id> events;  // one id per event, drawn before the clock starts
    Id subject = eventstore::random_id();
};

// What RocksStore does per event on the appender's thread, from its sealed section to its leaf.
double time_store_path(const Sample& s, const DataKey& key, std::size_t& entry_bytes) {
    std::uint8_t nonce[kNonceSize];
    randombytes_buf(nonce, sizeof nonce);
    std::uint64_t sink = 0;
    const auto start = Clock::now();
    for (std::size_t i = 0; i < s.events.size(); ++i) {
        EntryHeader h;
        h.position = i + 1;
        h.stream = s.stream;
        h.version = i + 1;
        h.event_id = s.events[i];
        h.type = "bench.sealed";
        h.recorded_at_us = static_cast<std::int64_t>(i);
        h.subject = s.subject;
        h.actor = s.subject;
        nonce[0] = static_cast<std::uint8_t>(i);  // distinct per event, as the store's pool gives
        nonce[1] = static_cast<std::uint8_t>(i >> 8);
        nonce[2] = static_cast<std::uint8_t>(i >> 16);
        const auto binding = binding_of(h, s.subject, eventstore::KeyClass::kPersonal, 1);
        SealedSection sealed = seal(key, binding, s.payload, nonce);
        std::vector<StoredSection> sections(1);
        sections[0].subject = s.subject;
        sections[0].key_id = 1;
        sections[0].commitment.assign(reinterpret_cast<const char*>(sealed.commitment.data()), kCommitmentSize);
        sections[0].nonce.assign(reinterpret_cast<const char*>(sealed.nonce.data()), kNonceSize);
        sections[0].ciphertext = std::move(sealed.ciphertext);
        const std::string bytes = encode_entry(h, "n=" + std::to_string(i), sections);
        const eventstore::merkle::Hash leaf = eventstore::merkle::leaf_hash(bytes);
        sink += leaf[0];
        entry_bytes = bytes.size();
    }
    const double seconds = seconds_between(start, Clock::now());
    if (sink == 1) std::fprintf(stderr, " ");  // keeps the loop from being optimized away
    return seconds;
}

// The same cryptography, called directly: the AEAD over the payload and SHA-256 over the entry.
double time_baseline(const Sample& s, const DataKey& key, std::size_t ad_bytes, std::size_t entry_bytes) {
    std::uint8_t nonce[kNonceSize];
    randombytes_buf(nonce, sizeof nonce);
    const std::string ad(ad_bytes, 'a');
    std::string entry(entry_bytes, 'e');
    std::vector<unsigned char> out(s.payload.size() + kTagSize);
    unsigned char hash[SHA256_DIGEST_LENGTH];
    std::uint64_t sink = 0;
    const auto start = Clock::now();
    for (std::size_t i = 0; i < s.events.size(); ++i) {
        nonce[0] = static_cast<std::uint8_t>(i);
        unsigned long long written = 0;
        crypto_aead_xchacha20poly1305_ietf_encrypt(
            out.data(), &written, reinterpret_cast<const unsigned char*>(s.payload.data()), s.payload.size(),
            reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce, key.data());
        entry[0] = static_cast<char>(out[0]);
        SHA256(reinterpret_cast<const unsigned char*>(entry.data()), entry.size(), hash);
        sink += hash[0];
    }
    const double seconds = seconds_between(start, Clock::now());
    if (sink == 1) std::fprintf(stderr, " ");
    return seconds;
}

}  // namespace

int seal_command(const Args& args) {
    po::options_description desc("auditorium-bench seal [options]");
    desc.add_options()("help,h", "this help")(
        "events", po::value<std::uint64_t>()->default_value(200'000), "events to seal, encode and hash")(
        "payload-bytes", po::value<std::size_t>()->default_value(500), "bytes in each event's sealed section")(
        "rounds", po::value<unsigned>()->default_value(3), "rounds of both; the fastest of each counts");
    po::variables_map vm;
    if (auto stop = parse_bench_options("auditorium-bench seal", desc, args, vm)) return *stop;
    const auto events = vm["events"].as<std::uint64_t>();
    const auto rounds = vm["rounds"].as<unsigned>();
    if (events == 0 || events > 100'000'000 || rounds == 0 || rounds > 100) {
        std::fprintf(stderr, "auditorium-bench seal: --events must be 1..100000000 and --rounds 1..100\n");
        return 2;
    }
    if (sodium_init() < 0) {
        std::fprintf(stderr, "auditorium-bench seal: libsodium failed to initialize\n");
        return 1;
    }
    Sample s;
    s.payload.assign(vm["payload-bytes"].as<std::size_t>(), 'p');
    s.events.reserve(events);
    for (std::uint64_t i = 0; i < events; ++i) s.events.push_back(eventstore::random_id());
    const DataKey key = DataKey::generate();
    EntryHeader probe;
    probe.stream = s.stream;
    probe.type = "bench.sealed";
    const std::size_t ad_bytes =
        associated_data(binding_of(probe, s.subject, eventstore::KeyClass::kPersonal, 1)).size();

    // Each round runs both, so a VM slowing down mid-run weighs on both alike.
    double store_s = 1e300, baseline_s = 1e300;
    std::size_t entry_bytes = 0;
    for (unsigned r = 0; r < rounds; ++r) {
        store_s = std::min(store_s, time_store_path(s, key, entry_bytes));
        baseline_s = std::min(baseline_s, time_baseline(s, key, ad_bytes, entry_bytes));
    }
    const double n = static_cast<double>(events);
    const double store_us = store_s * 1e6 / n, baseline_us = baseline_s * 1e6 / n;
    std::fprintf(stderr,
                 "seal: %llu events, %zu-byte payload, %zu-byte entries, fastest of %u rounds\n"
                 "  store path (bind, seal, commit, encode, leaf hash): %.2f us/event (%.0f events/s on one core)\n"
                 "  baseline (libsodium AEAD + OpenSSL SHA-256):        %.2f us/event\n"
                 "  ratio baseline/store: %.3f\n",
                 static_cast<unsigned long long>(events), s.payload.size(), entry_bytes, rounds, store_us,
                 1e6 / store_us, baseline_us, baseline_us / store_us);
    std::printf("%s\n", JsonLine()
                            .add("bench", "seal")
                            .add("events", events)
                            .add("payload_bytes", std::uint64_t{s.payload.size()})
                            .add("entry_bytes", std::uint64_t{entry_bytes})
                            .add("us_per_event", store_us, 3)
                            .add("baseline_us_per_event", baseline_us, 3)
                            .add("ratio", baseline_us / store_us, 3)
                            .str()
                            .c_str());
    return 0;
}

}  // namespace auditorium::bench
