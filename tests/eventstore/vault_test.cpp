#include "eventstore/internal/vault.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "eventstore/store.hpp"
#include "tests/support/status.hpp"
#include "tests/support/store_fixture.hpp"
#include "tests/support/temp_dir.hpp"

using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::eventstore::internal;
using auditorium::testing::TempDir;
using auditorium::testing::ThreadFailures;

namespace {

constexpr std::uint32_t kKeyIds = 64;

struct VaultDir {
    TempDir dir;
    Id store_id = random_id();
    std::unique_ptr<Vault> open(bool create) const {
        auto master =
            create ? MasterKey::create(dir / "master.key") : MasterKey::load(dir / "master.key");
        REQUIRE(master.is_ok());
        auto vault = Vault::open(Vault::Options{dir / "vault", create, nullptr},
                                 std::move(master).value(), store_id);
        REQUIRE_OK(vault);
        return std::move(vault).value();
    }
};

Status refuse_none(const Id&, KeyClass) { return Status::ok(); }

}  // namespace

TEST_CASE(
    "an erasure racing reads and seals of the same subject never lets its keys back, many times "
    "over") {
    VaultDir d;
    constexpr int kRounds = 60;
    std::vector<Id> subjects;
    {
        auto vault = d.open(true);
        for (int r = 0; r < kRounds; ++r) {
            subjects.push_back(random_id());
            for (std::uint32_t k = 1; k <= kKeyIds; ++k) {
                REQUIRE(vault->key_for_sealing(subjects.back(), KeyClass::kPersonal, k, refuse_none)
                            .is_ok());
            }
        }
        REQUIRE(vault->sync_if_dirty().is_ok());
    }
    // A cold cache: every read goes to RocksDB, the window the race needs.
    auto vault = d.open(false);
    for (const Id& subject : subjects) {
        std::atomic<bool> erased{false};
        std::atomic<bool> stop{false};
        ThreadFailures failures;
        const auto refuse = [&](const Id&, KeyClass) {
            return erased ? failed_precondition("erased") : Status::ok();
        };
        std::vector<std::thread> threads;
        for (int t = 0; t < 3; ++t) {
            threads.emplace_back([&, t] {
                while (!stop) {
                    for (std::uint32_t k = 1; k <= kKeyIds && !stop; ++k) {
                        if (t == 0) {
                            (void)vault->key_for_sealing(subject, KeyClass::kPersonal, k, refuse);
                        } else {
                            (void)vault->key_for_opening(subject, KeyClass::kPersonal, k);
                        }
                    }
                }
            });
        }
        erased = true;  // the erasure record is in the ledger before the keys go
        const Status destroyed = vault->destroy_personal_keys(subject);
        stop = true;
        for (auto& t : threads) t.join();
        REQUIRE(destroyed.is_ok());
        for (std::uint32_t k = 1; k <= kKeyIds; ++k) {
            auto opened = vault->key_for_opening(subject, KeyClass::kPersonal, k);
            REQUIRE(opened.is_ok());
            CHECK_FALSE(opened->has_value());
            CHECK_FALSE(
                vault->key_for_sealing(subject, KeyClass::kPersonal, k, refuse_none).is_ok());
        }
    }
}

TEST_CASE(
    "a subject's keys are refused for sealing once destroyed, even by a caller that would allow a "
    "new one") {
    VaultDir d;
    auto vault = d.open(true);
    const Id subject = random_id();
    REQUIRE(vault->key_for_sealing(subject, KeyClass::kPersonal, 1, refuse_none).is_ok());
    REQUIRE(vault->key_for_sealing(subject, KeyClass::kRetained, 202612, refuse_none).is_ok());
    REQUIRE(vault->destroy_personal_keys(subject).is_ok());
    auto sealed = vault->key_for_sealing(subject, KeyClass::kPersonal, 1, refuse_none);
    REQUIRE_FALSE(sealed.is_ok());
    CHECK(sealed.status().code() == StatusCode::kFailedPrecondition);
    // Retained security records are not personal keys: they stay until their retention ends.
    CHECK(vault->key_for_sealing(subject, KeyClass::kRetained, 202612, refuse_none).is_ok());
}

TEST_CASE("a master key reached through a symbolic link is refused") {
    TempDir dir;
    REQUIRE(MasterKey::create(dir / "real.key").is_ok());
    std::filesystem::create_symlink(dir / "real.key", dir / "master.key");
    auto loaded = MasterKey::load(dir / "master.key");
    REQUIRE_FALSE(loaded.is_ok());
    CHECK(loaded.status().code() == StatusCode::kPermissionDenied);
    CHECK_THAT(loaded.status().message(), Catch::Contains("symbolic link"));
    CHECK(MasterKey::load(dir / "real.key").is_ok());
}

TEST_CASE("a keys directory others may read or write is refused at open, like a master key file") {
    auditorium::testing::StoreDir dir;
    { auto store = dir.open(); }
    for (const auto mode : {std::filesystem::perms(0755), std::filesystem::perms(0770),
                            std::filesystem::perms(0701)}) {
        std::filesystem::permissions(dir.keys(), mode);
        auto store = Store::open(dir.options(false));
        REQUIRE_FALSE(store.is_ok());
        CHECK(store.status().code() == StatusCode::kPermissionDenied);
        CHECK_THAT(store.status().message(),
                   Catch::Contains(dir.keys().string()) && Catch::Contains("chmod 700"));
    }
    std::filesystem::permissions(dir.keys(), std::filesystem::perms(0700));
    CHECK(Store::open(dir.options(false)).is_ok());
}
