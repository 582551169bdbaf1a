// The read models' own store on a failing file system: a write that fails is reported, the store
// still closes cleanly, and what was committed before is there when it is opened again.
#include "projections/model_store.hpp"

#include <catch2/catch.hpp>

#include "tests/eventstore/store_fixture.hpp"
#include "tests/support/fault_fs.hpp"

using namespace auditorium;
using namespace auditorium::projections;
using namespace auditorium::testing;

namespace {

constexpr Model kTest{"test", 't'};

std::unique_ptr<ModelStore> must_open(const std::filesystem::path& dir, rocksdb::Env* env = nullptr) {
    auto m = ModelStore::open(dir, ModelStore::Mode::kReadWrite, env);
    INFO(m.status().to_string());
    REQUIRE(m.is_ok());
    return std::move(m).value();
}

}  // namespace

// Debian's RocksDB keeps its assertions: syncing a log whose write failed used to abort the
// process when the store closed.
TEST_CASE("a read-model write that fails on a full disk is reported and the models still close") {
    StoreDir ledger;
    auto store = ledger.open();
    const auto models_dir = ledger.dir / "models";
    auto fs = std::make_shared<FaultFileSystem>();
    auto env = make_env(fs);
    {
        auto models = must_open(models_dir, env.get());
        auto first = models->batch(*store);
        first->put(kTest, "kept", "before the disk filled");
        first->set_checkpoint(kTest, 7);
        REQUIRE(models->commit(*first).is_ok());

        fs->set_space_limit(fs->bytes_appended() + 10);
        auto second = models->batch(*store);
        second->put(kTest, "lost", std::string(4096, 'x'));
        second->set_checkpoint(kTest, 8);
        const Status failed = models->commit(*second);
        CHECK(failed.code() == StatusCode::kUnavailable);
        CHECK_THAT(failed.message(), Catch::Matchers::Contains("writing the read models"));
    }  // closes here: no abort
    fs->clear_space_limit();
    auto models = must_open(models_dir);
    auto checkpoint = models->checkpoint(kTest);
    REQUIRE(checkpoint.is_ok());
    CHECK(*checkpoint == 7);
    auto kept = models->get(kTest, "kept");
    REQUIRE(kept.is_ok());
    REQUIRE(kept->has_value());
    CHECK((*kept)->clear == "before the disk filled");
    auto lost = models->get(kTest, "lost");
    REQUIRE(lost.is_ok());
    CHECK_FALSE(lost->has_value());
}
