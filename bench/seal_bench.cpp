// `auditorium-bench seal`: the CPU an append spends per event before the write, on one thread, as
// the store does it: the code RocksStore::prepare runs for each event (eventstore::SealProbe: bind
// the section to its entry, XChaCha20-Poly1305, the key commitment, the flatbuffers entry) and the
// entry's Merkle leaf hash. Baseline, in the same run: the same cryptography called directly
// (libsodium's XChaCha20-Poly1305 over the same payload with associated data of the same size,
// the commitment's keyed BLAKE2b, OpenSSL's SHA-256 over bytes of the entry's size), so the ratio
// shows what our binding, encoding and copies add around it.
//
// The figure bounds the append throughput two cores can reach: every event costs this on an
// appender, plus what RocksDB's write costs (`append`'s baseline_cpu_us_per_event).
#include <openssl/sha.h>
#include <sodium.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/commands.hpp"
#include "eventstore/seal_probe.hpp"
#include "eventstore/sodium_init.hpp"
#include "eventstore/store.hpp"

namespace auditorium::bench {
namespace po = boost::program_options;
namespace {

using eventstore::SealProbe;
constexpr std::size_t kNonceSize = SealProbe::kNonceSize;

struct Sample {
    std::unique_ptr<SealProbe> probe;  // one personal section of the payload
    std::string payload;
    std::vector<Id> event_ids;  // one per event, drawn before the clock starts
};

// Keeps a computed byte alive, so the compiler cannot drop the work that made it.
volatile std::uint8_t kept;
void keep(std::uint8_t byte) { kept = byte; }

double time_store_path(Sample& s, std::size_t& entry_bytes) {
    std::uint8_t nonce[kNonceSize];
    randombytes_buf(nonce, sizeof nonce);
    const auto start = Clock::now();
    for (std::size_t i = 0; i < s.event_ids.size(); ++i) {
        std::memcpy(nonce, &i, sizeof i);  // distinct per event, as the store's random draw is
        const std::string clear = "n=" + std::to_string(i);
        const auto sealed = s.probe->seal_and_hash(
            {i + 1, i + 1, s.event_ids[i], static_cast<std::int64_t>(i), clear}, nonce);
        keep(sealed.leaf_hash[0]);
        entry_bytes = sealed.entry_bytes;
    }
    return seconds_between(start, Clock::now());
}

double time_baseline(const Sample& s, std::size_t ad_bytes, std::size_t entry_bytes) {
    std::uint8_t nonce[kNonceSize];
    randombytes_buf(nonce, sizeof nonce);
    const std::string& payload = s.payload;
    std::uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    randombytes_buf(key, sizeof key);
    const std::string ad(ad_bytes, 'a');
    const std::string label(SealProbe::commitment_label());
    std::string entry(entry_bytes, 'e');
    std::vector<unsigned char> sealed(payload.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    unsigned char commitment[SealProbe::kCommitmentSize];
    unsigned char hash[SHA256_DIGEST_LENGTH];
    const auto start = Clock::now();
    for (std::size_t i = 0; i < s.event_ids.size(); ++i) {
        std::memcpy(nonce, &i, sizeof i);
        unsigned long long written = 0;
        crypto_aead_xchacha20poly1305_ietf_encrypt(
            sealed.data(), &written, reinterpret_cast<const unsigned char*>(payload.data()),
            payload.size(), reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
            nonce, key);
        crypto_generichash_state state;
        crypto_generichash_init(&state, key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
                                sizeof commitment);
        crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(label.data()),
                                  label.size());
        crypto_generichash_update(&state, nonce, sizeof nonce);
        crypto_generichash_final(&state, commitment, sizeof commitment);
        entry[0] = static_cast<char>(sealed[0] ^ commitment[0]);
        SHA256(reinterpret_cast<const unsigned char*>(entry.data()), entry.size(), hash);
        keep(hash[0]);
    }
    return seconds_between(start, Clock::now());
}

}  // namespace

int seal_command(const Args& args) {
    po::options_description desc("auditorium-bench seal [options]");
    desc.add_options()("help,h", "this help")("events",
                                              po::value<std::int64_t>()->default_value(200'000),
                                              "events to seal, encode and hash")(
        "payload-bytes", po::value<std::int64_t>()->default_value(500),
        "bytes in each event's sealed section")("rounds",
                                                po::value<std::int64_t>()->default_value(3),
                                                "rounds of both; the fastest of each counts");
    po::variables_map vm;
    if (auto stop = parse_bench_options("auditorium-bench seal", desc, args, vm)) return *stop;
    auto events = in_range(vm, "events", 1, 100'000'000);
    auto payload = in_range(vm, "payload-bytes", 0, 16 << 20);
    auto rounds = in_range(vm, "rounds", 1, 100);
    for (const auto* r : {&events, &payload, &rounds}) {
        if (!*r) {
            std::fprintf(stderr, "auditorium-bench seal: %s\n", r->status().message().c_str());
            return 2;
        }
    }
    if (Status s = eventstore::init_sodium(); !s.is_ok()) {
        std::fprintf(stderr, "auditorium-bench seal: %s\n", s.to_string().c_str());
        return 1;
    }
    Sample s;
    s.payload = std::string(static_cast<std::size_t>(*payload), 'p');
    s.probe =
        std::make_unique<SealProbe>("bench-0", "bench.sealed", eventstore::random_id(), s.payload);
    s.event_ids.reserve(static_cast<std::size_t>(*events));
    for (std::int64_t i = 0; i < *events; ++i) s.event_ids.push_back(eventstore::random_id());
    const std::size_t ad_bytes = s.probe->associated_data_size();

    // Each round runs both, so a VM slowing down mid-run weighs on both alike.
    double store_s = 1e300, baseline_s = 1e300;
    std::size_t entry_bytes = 0;
    for (std::int64_t r = 0; r < *rounds; ++r) {
        store_s = std::min(store_s, time_store_path(s, entry_bytes));
        baseline_s = std::min(baseline_s, time_baseline(s, ad_bytes, entry_bytes));
    }
    const double n = static_cast<double>(*events);
    const double store_us = store_s * 1e6 / n, baseline_us = baseline_s * 1e6 / n;
    std::fprintf(stderr,
                 "seal: %lld events, %lld-byte payload, %zu-byte entries, fastest of %lld rounds\n"
                 "  store path (bind, seal, commit, encode, leaf hash): %.2f us/event (%.0f "
                 "events/s on one core)\n"
                 "  baseline (AEAD, commitment, SHA-256 called directly): %.2f us/event\n"
                 "  ratio baseline/store: %.3f\n",
                 static_cast<long long>(*events), static_cast<long long>(*payload), entry_bytes,
                 static_cast<long long>(*rounds), store_us, 1e6 / store_us, baseline_us,
                 baseline_us / store_us);
    std::printf("%s\n", JsonLine()
                            .add("bench", "seal")
                            .add("events", static_cast<std::uint64_t>(*events))
                            .add("payload_bytes", static_cast<std::uint64_t>(*payload))
                            .add("entry_bytes", std::uint64_t{entry_bytes})
                            .add("us_per_event", store_us, 3)
                            .add("baseline_us_per_event", baseline_us, 3)
                            .add("ratio", baseline_us / store_us, 3)
                            .str()
                            .c_str());
    return 0;
}

}  // namespace auditorium::bench
