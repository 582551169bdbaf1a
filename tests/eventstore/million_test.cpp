// Proofs from a ledger of 1,000,000 entries, checked by a verifier written here from RFC 9162's
// algorithms alone (sections 2.1.3.2 and 2.1.4.2), sharing no code with the store's.
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <random>

#include "eventstore/store.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::testing;

namespace {

using Bytes = std::string;

Bytes sha256(const Bytes& data) {
    unsigned char out[32];
    unsigned int n = 0;
    EVP_Digest(data.data(), data.size(), out, &n, EVP_sha256(), nullptr);
    return Bytes(reinterpret_cast<char*>(out), 32);
}
Bytes leaf(const Bytes& entry) { return sha256(Bytes(1, '\0') + entry); }
Bytes node(const Bytes& l, const Bytes& r) { return sha256(Bytes(1, '\1') + l + r); }

// RFC 9162 2.1.3.2.
bool rfc_verify_inclusion(std::uint64_t index, std::uint64_t size, const Bytes& leaf_hash,
                          const std::vector<Bytes>& path, const Bytes& root) {
    if (index >= size) return false;
    std::uint64_t fn = index;
    std::uint64_t sn = size - 1;
    Bytes r = leaf_hash;
    for (const Bytes& p : path) {
        if (sn == 0) return false;
        if ((fn & 1) == 1 || fn == sn) {
            r = node(p, r);
            if ((fn & 1) == 0) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r == root;
}

// RFC 9162 2.1.4.2.
bool rfc_verify_consistency(std::uint64_t first, std::uint64_t second, const Bytes& first_root,
                            const Bytes& second_root, std::vector<Bytes> path) {
    if (first == second) return path.empty() && first_root == second_root;
    if (first == 0 || first > second || path.empty()) return false;
    if ((first & (first - 1)) == 0) path.insert(path.begin(), first_root);  // a power of two
    std::uint64_t fn = first - 1;
    std::uint64_t sn = second - 1;
    while ((fn & 1) == 1) {
        fn >>= 1;
        sn >>= 1;
    }
    Bytes fr = path[0];
    Bytes sr = path[0];
    for (std::size_t i = 1; i < path.size(); ++i) {
        const Bytes& c = path[i];
        if (sn == 0) return false;
        if ((fn & 1) == 1 || fn == sn) {
            fr = node(c, fr);
            sr = node(c, sr);
            if ((fn & 1) == 0) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return fr == first_root && sr == second_root && sn == 0;
}

}  // namespace

TEST_CASE("proofs from a ledger of a million entries verify with an independent RFC 9162 verifier",
          "[slow]") {
    StoreDir dir;
    auto store = dir.open();
    constexpr std::uint64_t kAppended = 1'000'000;
    constexpr std::size_t kBatch = 10'000;
    const std::uint64_t total = store->head() + kAppended;  // the store's own records first
    for (std::uint64_t done = 0; done < kAppended; done += kBatch) {
        std::vector<NewEvent> batch(kBatch);
        for (auto& e : batch) e = make_event("test.filled", "x");
        must_append(*store, "fill-" + std::to_string(done / kBatch % 16), std::move(batch));
    }
    REQUIRE(store->head() == total);
    const Bytes root = store->root_at(total).value();
    CHECK(root == store->tree_head().root);
    std::mt19937_64 rng(Catch::rngSeed());
    std::vector<Position> positions = {1, 2, total / 2, total - 1, total};
    for (int i = 0; i < 60; ++i) positions.push_back(1 + rng() % total);
    for (Position p : positions) {
        const Entry e = store->read_all(p, 1).value().at(0);
        const Bytes leaf_hash = leaf(e.canonical);
        REQUIRE(leaf_hash == store->leaf_hash(p).value());
        const auto path = store->inclusion_proof(p, total).value();
        INFO("position " << p);
        REQUIRE(rfc_verify_inclusion(p - 1, total, leaf_hash, path, root));
        // A proof for the neighbour's leaf, or against another size, does not pass.
        CHECK_FALSE(rfc_verify_inclusion(p % total, total, leaf_hash, path, root));
    }
    for (int i = 0; i < 40; ++i) {
        const std::uint64_t m = 1 + rng() % total;
        const auto path = store->consistency_proof(m, total).value();
        const Bytes old_root = store->root_at(m).value();
        INFO("from size " << m);
        REQUIRE(rfc_verify_consistency(m, total, old_root, root, path));
        Bytes wrong = old_root;
        wrong[0] ^= 1;
        CHECK_FALSE(rfc_verify_consistency(m, total, wrong, root, path));
    }
}
