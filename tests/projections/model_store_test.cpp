// The read models' own store on a failing file system: a write that fails is reported, the store
// still closes cleanly, what was committed before is there when it is opened again, and the
// models recover from the failure without a restart.
#include "projections/model_store.hpp"

#include <catch2/catch.hpp>

#include "projections/read_models.hpp"
#include "projections/runner.hpp"

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

// RocksDB refuses every write after one has failed, until the database is opened again (it
// resumes by itself only after a full disk); before recover() the live models stayed behind the
// ledger after a failed write until the server restarted.
TEST_CASE("after a failed read-model write, recover() reopens the models and writes go on") {
    StoreDir ledger;
    auto store = ledger.open();
    auto fs = std::make_shared<FaultFileSystem>();
    auto env = make_env(fs);
    auto models = must_open(ledger.dir / "models", env.get());
    auto first = models->batch(*store);
    first->put(kTest, "kept", "before the disk filled");
    first->set_checkpoint(kTest, 7);
    REQUIRE(models->commit(*first).is_ok());
    CHECK(models->recover().is_ok());  // nothing failed: nothing to do

    fs->fail_appends();
    auto lost = models->batch(*store);
    lost->put(kTest, "lost", std::string(4096, 'x'));
    lost->set_checkpoint(kTest, 8);
    REQUIRE(models->commit(*lost).code() == StatusCode::kUnavailable);
    fs->clear_append_failures();

    // The disk works again, but this database does not write any more.
    auto refused = models->batch(*store);
    refused->put(kTest, "refused", "after the disk had room");
    refused->set_checkpoint(kTest, 8);
    CHECK_FALSE(models->commit(*refused).is_ok());

    const Status recovered = models->recover();
    INFO(recovered.to_string());
    REQUIRE(recovered.is_ok());
    auto checkpoint = models->checkpoint(kTest);
    REQUIRE(checkpoint.is_ok());
    CHECK(*checkpoint == 7);  // the failed batch is not there: it is folded again from 7
    auto again = models->batch(*store);
    again->put(kTest, "again", "folded again");
    again->set_checkpoint(kTest, 8);
    REQUIRE(models->commit(*again).is_ok());
    checkpoint = models->checkpoint(kTest);
    REQUIRE(checkpoint.is_ok());
    CHECK(*checkpoint == 8);
    for (const char* key : {"kept", "again"}) {
        auto row = models->get(kTest, key);
        REQUIRE(row.is_ok());
        CHECK(row->has_value());
    }
    auto gone = models->get(kTest, "lost");
    REQUIRE(gone.is_ok());
    CHECK_FALSE(gone->has_value());
}

// The live runner meets a failed write, reports it, and catches up with the ledger by itself once
// the disk works again: no restart.
TEST_CASE("the live runner recovers from a failed read-model write without a restart") {
    StoreDir ledger;
    auto store = ledger.open();
    auto fs = std::make_shared<FaultFileSystem>();
    auto env = make_env(fs);
    auto models = must_open(ledger.dir / "models", env.get());
    ProjectionRunner runner(*store, *models);
    runner.start();
    const auto wait = [&](eventstore::Position p) {
        return runner.wait_for(p, std::chrono::steady_clock::now() + std::chrono::seconds(30));
    };
    const auto first = must_append(*store, "s", {make_event(), make_event()});
    REQUIRE(wait(first.last_position) == first.last_position);

    fs->fail_appends();
    const auto during = must_append(*store, "s", {make_event(), make_event(), make_event()});
    // Waits for the failure to be reported: the runner cannot get past the failing disk.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (runner.last_error().is_ok() && std::chrono::steady_clock::now() < deadline) {
        runner.wait_for(during.last_position, std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
    }
    const Status failed = runner.last_error();
    CHECK(failed.code() == StatusCode::kUnavailable);
    CHECK(runner.position() == first.last_position);

    fs->clear_append_failures();
    const auto after = must_append(*store, "s", {make_event()});
    CHECK(wait(after.last_position) == after.last_position);
    CHECK(runner.last_error().is_ok());
    runner.stop();
    for (auto model : kModels) {
        auto checkpoint = models->checkpoint(model);
        REQUIRE(checkpoint.is_ok());
        CHECK(*checkpoint == after.last_position);
    }
}
