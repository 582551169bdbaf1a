// The read models' own store on a failing file system: a write that fails is reported, the store
// still closes cleanly, what was committed before is there when it is opened again, and the
// models recover from the failure without a restart.
#include "projections/model_store.hpp"

#include <catch2/catch.hpp>

#include "projections/read_models.hpp"
#include "projections/runner.hpp"

#include "tests/support/fault_fs.hpp"
#include "tests/support/status.hpp"
#include "tests/support/store_fixture.hpp"

using namespace auditorium;
using namespace auditorium::projections;
using namespace auditorium::testing;

namespace {

constexpr Model kTest{"test", 't'};

std::unique_ptr<ModelStore> must_open(const std::filesystem::path& dir,
                                      rocksdb::Env* env = nullptr) {
    auto m = ModelStore::open(dir, ModelStore::Mode::kReadWrite, env);
    REQUIRE_OK(m);
    return std::move(m).value();
}

// A ledger, and read models beside it on a file system that fails on demand.
struct FaultyModels {
    StoreDir ledger;
    std::unique_ptr<eventstore::Store> store = ledger.open();
    std::shared_ptr<FaultFileSystem> fs = std::make_shared<FaultFileSystem>();
    std::unique_ptr<rocksdb::Env> env = make_env(fs);
    std::filesystem::path dir = ledger.dir / "models";
    std::unique_ptr<ModelStore> models = must_open(dir, env.get());

    // Commits one row and the test model's checkpoint; returns the outcome.
    Status commit_row(const std::string& key, const std::string& clear,
                      eventstore::Position checkpoint) {
        auto batch = models->batch(*store);
        batch->put(kTest, key, clear);
        batch->set_checkpoint(kTest, checkpoint);
        return models->commit(*batch);
    }
};

eventstore::Position must_checkpoint(const ModelStore& models, Model model) {
    auto checkpoint = models.checkpoint(model);
    REQUIRE_OK(checkpoint);
    return *checkpoint;
}

std::optional<Row> must_get(const ModelStore& models, std::string_view key) {
    auto row = models.get(kTest, key);
    REQUIRE_OK(row);
    return *row;
}

}  // namespace

// Debian's RocksDB keeps its assertions: syncing a log whose write failed used to abort the
// process when the store closed.
TEST_CASE("a read-model write that fails on a full disk is reported and the models still close") {
    FaultyModels f;
    REQUIRE(f.commit_row("kept", "before the disk filled", 7).is_ok());
    f.fs->set_space_limit(f.fs->bytes_appended() + 10);
    const Status failed = f.commit_row("lost", std::string(4096, 'x'), 8);
    CHECK(failed.code() == StatusCode::kUnavailable);
    CHECK_THAT(failed.message(), Catch::Matchers::Contains("writing the read models"));
    f.models.reset();  // closes here: no abort

    f.fs->clear_space_limit();
    auto models = must_open(f.dir);
    CHECK(must_checkpoint(*models, kTest) == 7);
    const auto kept = must_get(*models, "kept");
    REQUIRE(kept.has_value());
    CHECK(kept->clear == "before the disk filled");
    CHECK_FALSE(must_get(*models, "lost").has_value());
}

// RocksDB refuses every write after one has failed, until the database is opened again (it
// resumes by itself only after a full disk); before recover() the live models stayed behind the
// ledger after a failed write until the server restarted.
TEST_CASE("after a failed read-model write, recover() reopens the models and writes go on") {
    FaultyModels f;
    REQUIRE(f.commit_row("kept", "before the disk failed", 7).is_ok());
    CHECK(f.models->recover().is_ok());  // nothing failed: nothing to do

    f.fs->fail_appends();
    REQUIRE(f.commit_row("lost", std::string(4096, 'x'), 8).code() == StatusCode::kUnavailable);
    f.fs->clear_append_failures();
    // The disk works again, but this database does not write any more.
    CHECK_FALSE(f.commit_row("refused", "after the disk worked again", 8).is_ok());

    // While the disk still fails, opening again fails too, and the models answer Unavailable.
    f.fs->fail_appends();
    REQUIRE(f.models->recover().code() == StatusCode::kUnavailable);
    CHECK(f.models->checkpoint(kTest).status().code() == StatusCode::kUnavailable);
    CHECK(f.models->get(kTest, "kept").status().code() == StatusCode::kUnavailable);
    CHECK(f.models->scan(kTest, "", [](std::string_view, const Row&) { return true; }).code() ==
          StatusCode::kUnavailable);
    CHECK(f.commit_row("closed", "while closed", 8).code() == StatusCode::kUnavailable);
    f.fs->clear_append_failures();

    const Status recovered = f.models->recover();
    INFO(recovered.to_string());
    REQUIRE(recovered.is_ok());
    CHECK(must_checkpoint(*f.models, kTest) ==
          7);  // the failed batch is not there: folded again from 7
    REQUIRE(f.commit_row("again", "folded again", 8).is_ok());
    CHECK(must_checkpoint(*f.models, kTest) == 8);
    CHECK(must_get(*f.models, "kept").has_value());
    CHECK(must_get(*f.models, "again").has_value());
    CHECK_FALSE(must_get(*f.models, "lost").has_value());
}

// The live runner meets a failed write, reports it, and catches up with the ledger by itself once
// the disk works again: no restart.
TEST_CASE("the live runner recovers from a failed read-model write without a restart") {
    FaultyModels f;
    ProjectionRunner runner(*f.store, *f.store, *f.models);
    runner.start();
    const auto wait = [&](eventstore::Position p) {
        return runner.wait_for(p, std::chrono::steady_clock::now() + std::chrono::seconds(30));
    };
    const auto first = must_append(*f.store, "s", {make_event(), make_event()});
    REQUIRE(wait(first.last_position) == first.last_position);

    f.fs->fail_appends();
    const auto during = must_append(*f.store, "s", {make_event(), make_event(), make_event()});
    // The runner cannot get past the failing disk.
    const Status failed =
        runner.wait_for_error(std::chrono::steady_clock::now() + std::chrono::seconds(30));
    CHECK(failed.code() == StatusCode::kUnavailable);
    CHECK(runner.position() == first.last_position);
    CHECK(runner.position() < during.last_position);

    f.fs->clear_append_failures();
    const auto after = must_append(*f.store, "s", {make_event()});
    CHECK(wait(after.last_position) == after.last_position);
    CHECK(runner.last_error().is_ok());
    runner.stop();
    for (auto model : kModels) CHECK(must_checkpoint(*f.models, model) == after.last_position);
}
