#include "projections/model_store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cassert>
#include <system_error>

#include "base/big_endian.hpp"
#include "eventstore/database_files.hpp"

namespace auditorium::projections {
namespace fs = std::filesystem;

namespace {

// The one place where rocksdb::Status becomes ours in this folder.
Status from_rocks(const rocksdb::Status& s, std::string_view context) {
    if (s.ok()) return Status::ok();
    std::string m = std::string(context) + ": " + s.ToString();
    if (s.IsCorruption()) return corruption(std::move(m));
    if (s.IsNoSpace() || s.IsIOError() || s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) {
        return unavailable(std::move(m));
    }
    return internal_error(std::move(m));
}

std::string row_key(Model model, std::string_view key) {
    std::string k;
    k.reserve(2 + key.size());
    k.push_back('m');
    k.push_back(model.code);
    k.append(key);
    return k;
}

std::string checkpoint_key(Model model) { return std::string("c") + model.code; }

constexpr std::string_view kFormatKey = "f";

std::string personal_key(const Id& subject, Model model, std::string_view key) {
    std::string k = "p";
    k.append(subject.view());
    k.push_back(model.code);
    k.append(key);
    return k;
}

std::string encode_row(std::string_view clear, const Id& subject, std::string_view sealed) {
    std::string out;
    out.reserve(4 + clear.size() + (subject.is_none() ? 0 : 16 + sealed.size()));
    put_be32(out, static_cast<std::uint32_t>(clear.size()));
    out.append(clear);
    if (!subject.is_none()) {
        out.append(subject.view());
        out.append(sealed);
    }
    return out;
}

Result<Row> decode_row(std::string_view bytes) {
    if (bytes.size() < 4) return corruption("a read-model row is shorter than its header");
    const std::uint32_t n = get_be32(bytes);
    if (bytes.size() < 4 + std::size_t{n})
        return corruption("a read-model row is shorter than its clear part");
    Row row;
    row.clear = std::string(bytes.substr(4, n));
    const std::string_view rest = bytes.substr(4 + n);
    if (rest.empty()) return row;
    if (rest.size() < 16) return corruption("a read-model row has a truncated subject");
    row.subject = *Id::from_bytes(rest.substr(0, 16));
    row.sealed = std::string(rest.substr(16));
    return row;
}

// Visits the stored keys under `prefix`, from `start` (at or after `prefix`), through `it`.
Status scan_stored(rocksdb::Iterator& it, std::string_view prefix,
                   const std::function<bool(std::string_view, std::string_view)>& visit,
                   std::string_view start) {
    for (it.Seek(rocksdb::Slice(start.data(), start.size()));
         it.Valid() && it.key().starts_with(prefix); it.Next()) {
        if (!visit(it.key().ToStringView(), it.value().ToStringView())) break;
    }
    return from_rocks(it.status(), "reading the read models");
}

// Adapts a row visitor to raw keys and values of one model.
std::function<bool(std::string_view, std::string_view)> as_rows(
    const std::function<bool(std::string_view, const Row&)>& visit, Status& failed) {
    return [&visit, &failed](std::string_view key, std::string_view value) {
        auto row = decode_row(value);
        if (!row) {
            failed = row.status();
            return false;
        }
        return visit(key.substr(2), *row);
    };
}

}  // namespace

fs::path default_models_dir(const fs::path& data_dir) {
    fs::path d = data_dir;
    if (d.filename().empty()) d = d.parent_path();  // "var/data/"
    return d.parent_path() / "models";
}

std::string sealing_context(Model model, std::string_view key) { return row_key(model, key); }

Result<OpenRow> open_row(eventstore::PrivacyKeys& keys, Model model, std::string_view key,
                         const Row& row) {
    OpenRow out{row.clear, row.subject, std::nullopt};
    if (row.subject.is_none()) return out;
    AUD_ASSIGN_OR_RETURN(out.personal,
                         keys.open_for_model(row.subject, sealing_context(model, key), row.sealed));
    return out;
}

namespace {

rocksdb::Options model_options(ModelStore::Mode mode, rocksdb::Env* env) {
    using Mode = ModelStore::Mode;
    rocksdb::Options o;
    if (env != nullptr) o.env = env;
    o.compression = rocksdb::kNoCompression;  // sealed fields and ids do not compress
    // A batch is written in key order: each insert starts from the previous one of its model
    // instead of searching the whole skiplist.
    o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(2));
    // Folding asks mostly for rows that do not exist yet (a new registration's): bloom filters in
    // the memtable and the SSTs answer those without a search.
    rocksdb::BlockBasedTableOptions table;
    table.checksum = rocksdb::kXXH3;  // not Debian's table-driven CRC32C (as the ledger's)
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    o.memtable_prefix_bloom_size_ratio = 0.05;
    o.memtable_whole_key_filtering = true;
    // Small memtables: a skiplist that fits the caches takes an insert several times faster than
    // a 64 MiB one (measured: rebuild 29,000 -> 44,000 events/s at 16 MiB).
    o.write_buffer_size = 16 << 20;
    if (mode == Mode::kScratch) {
        // A rebuild folds mostly without reading (new rows, keys per entry), so level-0 files cost
        // it little and compacting them often costs it a lot: with random keys every compaction
        // into level 1 rewrites most of level 1 (measured at a million events: 38,000-40,000
        // events/s compacting at 4 files, 43,500-50,300 at 16). Still bounded, for very large
        // ledgers.
        o.level0_file_num_compaction_trigger = 16;
        o.level0_slowdown_writes_trigger = 48;
        o.level0_stop_writes_trigger = 64;
    }
    o.create_if_missing = false;  // ModelStore::open decides, from the directory's files
    o.info_log = eventstore::rocks_info_log("read models");
    if (mode == Mode::kReadOnly) o.max_open_files = -1;  // required by secondary instances
    return o;
}

Status closed_after_failure() {
    return unavailable("the read models are closed after a failed write, to be opened again");
}

}  // namespace

Result<std::unique_ptr<ModelStore>> ModelStore::open(const fs::path& dir, Mode mode,
                                                     rocksdb::Env* env) {
    std::unique_ptr<ModelStore> models(new ModelStore(dir, mode, env));
    AUD_ASSIGN_OR_RETURN(auto files, eventstore::check_database_files(dir, "read models"));
    rocksdb::Options o = model_options(mode, env);
    // Only a missing or empty directory becomes new read models: RocksDB would make new ones beside
    // a lost CURRENT and delete the old files as obsolete.
    o.create_if_missing = files.fresh && mode != Mode::kReadOnly;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s;
    if (mode == Mode::kReadOnly) {
        if (files.fresh) {
            return not_found("no read models in " + dir.string() + " (has `serve` run?)");
        }
        std::error_code tmp_ec;
        const fs::path tmp = fs::temp_directory_path(tmp_ec);
        if (tmp_ec) return unavailable("finding the temporary directory: " + tmp_ec.message());
        auto scratch = TempDirectory::make(tmp, "auditorium-models-");
        if (!scratch) return scratch.status();
        models->scratch_.emplace(std::move(scratch).value());
        s = rocksdb::DB::OpenAsSecondary(o, dir.string(), models->scratch_->path().string(), &raw);
    } else {
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) return unavailable("creating " + dir.string() + ": " + ec.message());
        ::chmod(dir.c_str(), 0700);
        s = rocksdb::DB::Open(o, dir.string(), &raw);
    }
    if (!s.ok()) return from_rocks(s, "opening the read models in " + dir.string());
    {
        WriterLock lock(models->db_mu_);
        models->db_.reset(raw);
    }
    AUD_RETURN_IF_ERROR(models->check_format(dir));
    return models;
}

Status ModelStore::check_format(const fs::path& dir) {
    ReaderLock lock(db_mu_);
    std::string format;
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), kFormatKey, &format);
    if (!s.ok() && !s.IsNotFound()) return from_rocks(s, "reading the read models' format");
    if (s.IsNotFound()) {
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
        it->SeekToFirst();
        AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading the read models"));
        if (it->Valid()) {
            format = "1";  // rows from before the format was recorded
        } else if (mode_ == Mode::kReadOnly) {
            return Status::ok();  // a writer that has not written yet
        } else {
            rocksdb::WriteOptions wo;
            wo.sync = mode_ == Mode::kReadWrite;
            wo.disableWAL = mode_ == Mode::kScratch;
            Status written =
                from_rocks(db_->Put(wo, kFormatKey, rocksdb::Slice(kFormat.data(), kFormat.size())),
                           "recording the read models' format");
            if (!written.is_ok()) write_failed_ = true;
            return written;
        }
    }
    if (format == kFormat) return Status::ok();
    return failed_precondition("the read models in " + dir.string() + " have format " + format +
                               "; this version writes format " + std::string(kFormat) +
                               ": delete that directory and they are folded again from the ledger");
}

ModelStore::~ModelStore() {
    if (db_ && mode_ == Mode::kReadWrite && !write_failed_) {
        // A lost tail is folded again from the ledger (model_store.hpp), so this costs time only.
        if (auto s = db_->FlushWAL(true); !s.ok())
            spdlog::warn("read models: syncing at close: {}", s.ToString());
    }
    db_.reset();  // before its scratch directory goes
}

Status ModelStore::catch_up() {
    if (mode_ != Mode::kReadOnly) return Status::ok();
    ReaderLock lock(db_mu_);
    if (!db_) return closed_after_failure();
    return from_rocks(db_->TryCatchUpWithPrimary(), "catching up with the read models");
}

Result<eventstore::Position> ModelStore::checkpoint(Model model) const {
    std::string v;
    ReaderLock lock(db_mu_);
    if (!db_) return closed_after_failure();
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), checkpoint_key(model), &v);
    if (s.IsNotFound()) return eventstore::Position{0};
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading a read model's checkpoint"));
    if (v.size() != 8)
        return corruption("the checkpoint of read model " + std::string(model.name) +
                          " is malformed");
    return eventstore::Position{get_be64(v)};
}

Result<std::optional<Row>> ModelStore::get(Model model, std::string_view key) const {
    std::string v;
    ReaderLock lock(db_mu_);
    if (!db_) return closed_after_failure();
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), row_key(model, key), &v);
    if (s.IsNotFound()) return std::optional<Row>();
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading the read models"));
    AUD_ASSIGN_OR_RETURN(Row row, decode_row(v));
    return std::optional<Row>(std::move(row));
}

Status ModelStore::scan(Model model, std::string_view prefix,
                        const std::function<bool(std::string_view, const Row&)>& visit,
                        std::string_view start) const {
    assert(start.empty() || start.starts_with(prefix));
    ReaderLock lock(db_mu_);
    if (!db_) return closed_after_failure();
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    Status failed = Status::ok();
    const std::string from = row_key(model, start.empty() ? prefix : start);
    AUD_RETURN_IF_ERROR(scan_stored(*it, row_key(model, prefix), as_rows(visit, failed), from));
    return failed;
}

std::unique_ptr<ModelStore::Batch> ModelStore::batch(eventstore::PrivacyKeys& keys) {
    return std::unique_ptr<Batch>(new Batch(*this, keys));
}

Status ModelStore::commit(Batch& batch) {
    if (mode_ == Mode::kReadOnly) return failed_precondition("the read models are open read-only");
    ReaderLock lock(db_mu_);
    if (!db_) return closed_after_failure();
    rocksdb::WriteBatch writes(64 * batch.pending_.size());
    // In key order, so the memtable's skiplist inserts walk forward from the last one.
    for (const auto& [key, value] : batch.pending_) {
        if (value) {
            writes.Put(key, *value);
        } else {
            writes.Delete(key);
        }
    }
    rocksdb::WriteOptions wo;
    wo.disableWAL = mode_ == Mode::kScratch;
    if (Status s = from_rocks(db_->Write(wo, &writes), "writing the read models"); !s.is_ok()) {
        write_failed_ = true;
        return s;
    }
    batch.pending_.clear();
    return Status::ok();
}

Status ModelStore::recover() {
    if (!write_failed_) return Status::ok();
    std::unique_ptr<rocksdb::DB> failed;
    {
        // Taken out under the lock, closed and opened again without it: readers meanwhile get
        // Unavailable instead of waiting on the disk.
        WriterLock lock(db_mu_);
        failed = std::move(db_);
    }
    // Not FlushWAL, as in the destructor: the log ends at the failed write, and RocksDB's
    // assertions abort a sync of such a log.
    failed.reset();
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status s = rocksdb::DB::Open(model_options(mode_, env_), dir_.string(), &raw);
    AUD_RETURN_IF_ERROR(from_rocks(
        s, "opening the read models in " + dir_.string() + " again after a failed write"));
    {
        WriterLock lock(db_mu_);
        db_.reset(raw);
    }
    write_failed_ = false;
    return Status::ok();
}

ModelStore::Batch::Batch(ModelStore& models, eventstore::PrivacyKeys& keys)
    : models_(models), keys_(keys) {}

ModelStore::Batch::~Batch() = default;

std::size_t ModelStore::Batch::size() const { return pending_.size(); }

Result<std::optional<std::string>> ModelStore::Batch::get_raw(const std::string& key) {
    if (auto p = pending_.find(key); p != pending_.end()) return p->second;
    std::string v;
    ReaderLock lock(models_.db_mu_);
    if (!models_.db_) return closed_after_failure();
    const rocksdb::Status s = models_.db_->Get(rocksdb::ReadOptions(), key, &v);
    if (s.IsNotFound()) return std::optional<std::string>();
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading the read models"));
    return std::optional<std::string>(std::move(v));
}

// The stored keys under `prefix` merged with the pending ones (which win; deletes hide).
Status ModelStore::Batch::scan_raw(
    std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit) {
    ReaderLock lock(models_.db_mu_);
    if (!models_.db_) return closed_after_failure();
    std::unique_ptr<rocksdb::Iterator> it(models_.db_->NewIterator(rocksdb::ReadOptions()));
    it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
    auto p = pending_.lower_bound(prefix);
    for (;;) {
        const bool stored = it->Valid() && it->key().starts_with(prefix);
        const bool ours = p != pending_.end() && std::string_view(p->first).starts_with(prefix);
        if (!stored && !ours) break;
        const int order = !stored ? 1 : !ours ? -1 : it->key().ToStringView().compare(p->first);
        if (order < 0) {
            if (!visit(it->key().ToStringView(), it->value().ToStringView())) return Status::ok();
            it->Next();
            continue;
        }
        if (order == 0) it->Next();
        const auto& [key, value] = *p++;
        if (value && !visit(key, *value)) return Status::ok();
    }
    return from_rocks(it->status(), "reading the read models");
}

Result<std::optional<Row>> ModelStore::Batch::get(Model model, std::string_view key) {
    AUD_ASSIGN_OR_RETURN(auto v, get_raw(row_key(model, key)));
    if (!v) return std::optional<Row>();
    AUD_ASSIGN_OR_RETURN(Row row, decode_row(*v));
    return std::optional<Row>(std::move(row));
}

Status ModelStore::Batch::scan(Model model, std::string_view prefix,
                               const std::function<bool(std::string_view key, const Row&)>& visit) {
    Status failed = Status::ok();
    AUD_RETURN_IF_ERROR(scan_raw(row_key(model, prefix), as_rows(visit, failed)));
    return failed;
}

void ModelStore::Batch::put(Model model, std::string_view key, std::string_view clear) {
    pending_[row_key(model, key)] = encode_row(clear, Id(), {});
}

Status ModelStore::Batch::put_personal(Model model, std::string_view key, std::string_view clear,
                                       const Id& subject, std::string_view personal,
                                       const std::vector<Dependent>& dependents) {
    AUD_ASSIGN_OR_RETURN(auto sealed,
                         keys_.seal_for_model(subject, sealing_context(model, key), personal));
    if (!sealed) {
        put(model, key, clear);
        return Status::ok();
    }
    pending_[row_key(model, key)] = encode_row(clear, subject, *sealed);
    // The marker lists the dependents' keys (BE16 length, key), for erase_subject.
    std::string marker;
    for (const auto& d : dependents) {
        const std::string k = row_key(d.model, d.key);
        put_be16(marker, static_cast<std::uint16_t>(k.size()));
        marker.append(k);
        pending_[k] = encode_row(d.clear, Id(), {});
    }
    pending_[personal_key(subject, model, key)] = std::move(marker);
    return Status::ok();
}

Status ModelStore::Batch::append(Model model, std::string_view key, std::string_view bytes) {
    const std::string k = row_key(model, key);
    auto p = pending_.find(k);
    if (p == pending_.end() || !p->second) {
        AUD_ASSIGN_OR_RETURN(auto stored, get_raw(k));
        p = pending_.insert_or_assign(k, stored ? std::move(stored) : encode_row("", Id(), {}))
                .first;
    }
    std::string& row = *p->second;
    if (row.size() < 4) return corruption("a read-model row is shorter than its header");
    const std::uint32_t n = get_be32(row);
    if (row.size() != 4 + std::size_t{n})
        return corruption("appending to a read-model row that holds personal data");
    std::string length;
    put_be32(length, n + static_cast<std::uint32_t>(bytes.size()));
    row.replace(0, 4, length);
    row.append(bytes);
    return Status::ok();
}

void ModelStore::Batch::remove(Model model, std::string_view key) {
    // A row's sealed-field marker stays; erase_subject skips rows that are gone or changed hands.
    pending_[row_key(model, key)] = std::nullopt;
}

Status ModelStore::Batch::erase_subject(const Id& subject) {
    const std::string prefix = "p" + std::string(subject.view());
    std::vector<std::pair<std::string, std::string>> marked;  // (marker, its value)
    AUD_RETURN_IF_ERROR(scan_raw(prefix, [&](std::string_view key, std::string_view value) {
        marked.emplace_back(std::string(key), std::string(value));
        return true;
    }));
    for (const auto& [marker, dependents] : marked) {
        pending_[marker] = std::nullopt;
        for (std::size_t at = 0; at + 2 <= dependents.size();) {
            const std::size_t n = get_be16(std::string_view(dependents).substr(at));
            if (at + 2 + n > dependents.size())
                return corruption("a malformed erasure marker in the read models");
            pending_[dependents.substr(at + 2, n)] = std::nullopt;
            at += 2 + n;
        }
        const std::string key = "m" + marker.substr(prefix.size());
        AUD_ASSIGN_OR_RETURN(auto v, get_raw(key));
        if (!v) continue;
        AUD_ASSIGN_OR_RETURN(Row row, decode_row(*v));
        if (row.subject == subject) pending_[key] = encode_row(row.clear, Id(), {});
    }
    return Status::ok();
}

void ModelStore::Batch::set_checkpoint(Model model, eventstore::Position position) {
    pending_[checkpoint_key(model)] = be64(position);
}

}  // namespace auditorium::projections
