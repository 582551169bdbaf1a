// The read models' own RocksDB, in a directory beside the ledger ("models" next to "data" and
// "keys"), one key space for all models:
//   'm' code row-key                -> Row          the rows of each model (code: one byte a model)
//   'c' code                        -> BE64         each model's checkpoint (last position folded)
//   'p' subject(16) code row-key    -> dependents   the rows holding a sealed field of `subject`,
//                                                   and the rows that go with it at their erasure
//   'f'                             -> kFormat      the layout of the rows (read_models.cpp)
// Models of another format are refused at open, naming what to do: they are derived data, so the
// answer is always to delete them and fold the ledger again.
// A Batch gathers the rows of many entries and every model's checkpoint in memory (reads see them)
// and commit() writes them, in key order, in one RocksDB write batch, so a model and its
// checkpoint never disagree, whatever the crash. Batches are not synced: a lost tail is folded
// again from the checkpoint (the ledger is the durable copy).
//
// A row keeps a person's data only sealed under that person's key (PrivacyKeys::seal_for_model), so
// an erasure makes it unreadable at once; the projection then removes it (Batch::erase_subject).
//
// After a failed commit RocksDB refuses every later write until the database is opened again;
// recover() does that, and the runner folds again from the last committed checkpoint.
//
// Thread safety: the ModelStore's reads may be called from any thread (a scan's visitor must not
// call back into the ModelStore); one thread at a time builds and commits Batches and calls
// recover() (the runner).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>

#include "base/id.hpp"
#include "base/mutex.hpp"
#include "base/result.hpp"
#include "base/status.hpp"
#include "base/temp_directory.hpp"
#include "eventstore/privacy_keys.hpp"

namespace auditorium::projections {

// The default models directory for a ledger directory: its sibling named "models".
std::filesystem::path default_models_dir(const std::filesystem::path& data_dir);

// A read model: its name (digests, messages) and the one byte that prefixes its rows on disk.
struct Model {
    std::string_view name;
    char code;
};

// A row as stored: its clear part and, when it holds a person's data, that part sealed.
struct Row {
    std::string clear;
    Id subject;          // whose data `sealed` is; none when the row holds no person's data
    std::string sealed;  // PrivacyKeys::seal_for_model output; empty when none
};

// A row as read: the personal part opened (nullopt when none, or when its key is gone).
struct OpenRow {
    std::string clear;
    Id subject;
    std::optional<std::string> personal;
};

class ModelStore {
public:
    // Raised whenever a model's keys or rows change meaning. 1: the first (no 'f' key);
    // 2: actors and subjects indexed by a key per entry instead of posting lists;
    // 3: rooms index upcoming sessions by when they fall due.
    static constexpr std::string_view kFormat = "3";

    enum class Mode {
        kReadWrite,  // the live models (serve); created when missing
        kScratch,    // a rebuild in a fresh directory, deleted by its owner: no write-ahead log
        kReadOnly,   // beside a running server (digest): a RocksDB secondary instance
    };
    // `env`: tests only, the file system RocksDB uses (not owned; must outlive the ModelStore).
    static Result<std::unique_ptr<ModelStore>> open(const std::filesystem::path& dir, Mode mode,
                                                    rocksdb::Env* env = nullptr);
    ~ModelStore();
    ModelStore(const ModelStore&) = delete;
    ModelStore& operator=(const ModelStore&) = delete;

    // Read-only mode: sees what the writer has committed since.
    Status catch_up();

    // The last position folded into `model` (0: none).
    Result<eventstore::Position> checkpoint(Model model) const;
    Result<std::optional<Row>> get(Model model, std::string_view key) const;
    // Every row of `model` whose key starts with `prefix`, in key order, until `visit` says false;
    // from the first key at or after `start` when it is given (REQUIRES: it starts with `prefix`).
    Status scan(Model model, std::string_view prefix,
                const std::function<bool(std::string_view key, const Row&)>& visit,
                std::string_view start = {}) const;

    class Batch;
    std::unique_ptr<Batch> batch(eventstore::PrivacyKeys& keys);
    Status commit(Batch& batch);
    // After a failed commit: closes the database, leaving its log as the failed write left it, and
    // opens it again. A no-op when no commit has failed. While it runs, and after a reopen that
    // failed (the disk still failing), reads and commits return Unavailable; call it again later.
    Status recover();

private:
    ModelStore(std::filesystem::path dir, Mode mode, rocksdb::Env* env)
        : dir_(std::move(dir)), mode_(mode), env_(env) {}
    // Writes the format into fresh models; refuses models of another format.
    Status check_format(const std::filesystem::path& dir);
    const std::filesystem::path dir_;
    const Mode mode_;
    rocksdb::Env* const env_;
    // Set by a failed commit. Debian's RocksDB keeps its assertions, and syncing a log whose
    // write failed aborts the process: the destructor then leaves the log as it is (the ledger
    // folds the lost tail again).
    std::atomic<bool> write_failed_{false};
    std::optional<TempDirectory> scratch_;  // the secondary instance's own directory
    // Replaced only by recover(), under an exclusive lock held for the swap alone; reads, batches
    // and commits hold it shared (uncontended but for that swap).
    mutable SharedMutex db_mu_;
    std::unique_ptr<rocksdb::DB> db_
        AUD_GUARDED_BY(db_mu_);  // after scratch_: closed before it goes
};

// Rows and checkpoints on their way to one write batch; reads see the batch's own writes.
class ModelStore::Batch {
public:
    ~Batch();
    Result<std::optional<Row>> get(Model model, std::string_view key);
    Status scan(Model model, std::string_view prefix,
                const std::function<bool(std::string_view key, const Row&)>& visit);
    void put(Model model, std::string_view key, std::string_view clear);
    // Rows that exist only because of a person's data (an index by their address or link): they
    // hold nothing personal themselves, and go entirely at the person's erasure.
    struct Dependent {
        Model model;
        std::string key;
        std::string clear;
    };
    // A row with a person's data: `personal` is sealed under `subject`'s key, bound to the model
    // and key, and `dependents` are written with it. When the subject has no key any more
    // (erased), the row is written without its personal part and without the dependents.
    Status put_personal(Model model, std::string_view key, std::string_view clear,
                        const Id& subject, std::string_view personal,
                        const std::vector<Dependent>& dependents = {});
    // Appends `bytes` to the clear part of a row without a personal part (created when absent):
    // posting lists, grown in place so a batch appends to one row a thousand times cheaply.
    Status append(Model model, std::string_view key, std::string_view bytes);
    void remove(Model model, std::string_view key);
    // Removes `subject`'s sealed fields from every row of every model (the rows stay), and their
    // erasable rows.
    Status erase_subject(const Id& subject);
    void set_checkpoint(Model model, eventstore::Position position);
    std::size_t size() const;

private:
    friend class ModelStore;
    Batch(ModelStore& models, eventstore::PrivacyKeys& keys);
    ModelStore& models_;
    eventstore::PrivacyKeys& keys_;
    // Pending writes in key order (nullopt: a delete), whole keys as on disk.
    std::map<std::string, std::optional<std::string>, std::less<>> pending_;
    Status scan_raw(std::string_view prefix,
                    const std::function<bool(std::string_view key, std::string_view value)>& visit);
    Result<std::optional<std::string>> get_raw(const std::string& key);
};

// The context a sealed field of `model`'s row `key` is bound to.
std::string sealing_context(Model model, std::string_view key);

// Opens a row's personal part with `keys`.
Result<OpenRow> open_row(eventstore::PrivacyKeys& keys, Model model, std::string_view key,
                         const Row& row);

}  // namespace auditorium::projections
