#include "projections/model_store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/write_batch_with_index.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <system_error>

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

std::string row_key(std::string_view model, std::string_view key) {
    std::string k;
    k.reserve(2 + model.size() + key.size());
    k.push_back('m');
    k.append(model);
    k.push_back('\0');
    k.append(key);
    return k;
}

std::string checkpoint_key(std::string_view model) { return "c" + std::string(model); }

std::string personal_key(const Id& subject, std::string_view model, std::string_view key) {
    std::string k = "p";
    k.append(subject.view());
    k.append(model);
    k.push_back('\0');
    k.append(key);
    return k;
}

std::string be64(std::uint64_t v) {
    std::string out(8, '\0');
    for (int i = 7; i >= 0; --i, v >>= 8) out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xff);
    return out;
}

std::uint64_t get_be64(std::string_view s) {
    std::uint64_t v = 0;
    for (unsigned char c : s.substr(0, 8)) v = (v << 8) | c;
    return v;
}

std::string encode_row(std::string_view clear, const Id& subject, std::string_view sealed) {
    std::string out;
    out.reserve(4 + clear.size() + (subject.is_none() ? 0 : 16 + sealed.size()));
    const auto n = static_cast<std::uint32_t>(clear.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
    out.append(clear);
    if (!subject.is_none()) {
        out.append(subject.view());
        out.append(sealed);
    }
    return out;
}

Result<Row> decode_row(std::string_view bytes) {
    if (bytes.size() < 4) return corruption("a read-model row is shorter than its header");
    std::uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
    if (bytes.size() < 4 + std::size_t{n}) return corruption("a read-model row is shorter than its clear part");
    Row row;
    row.clear = std::string(bytes.substr(4, n));
    const std::string_view rest = bytes.substr(4 + n);
    if (rest.empty()) return row;
    if (rest.size() < 16) return corruption("a read-model row has a truncated subject");
    row.subject = *Id::from_bytes(rest.substr(0, 16));
    row.sealed = std::string(rest.substr(16));
    return row;
}

// Visits the rows of `model` under `prefix` through `it` (positioned by this function).
Status scan_rows(rocksdb::Iterator& it, std::string_view model, std::string_view prefix,
                 const std::function<bool(std::string_view, const Row&)>& visit) {
    const std::string start = row_key(model, prefix);
    const std::size_t strip = 2 + model.size();
    for (it.Seek(start); it.Valid() && it.key().starts_with(start); it.Next()) {
        AUD_ASSIGN_OR_RETURN(Row row, decode_row(it.value().ToStringView()));
        if (!visit(it.key().ToStringView().substr(strip), row)) break;
    }
    return from_rocks(it.status(), "reading the read models");
}

}  // namespace

fs::path default_models_dir(const fs::path& data_dir) {
    fs::path d = data_dir;
    if (d.filename().empty()) d = d.parent_path();  // "var/data/"
    return d.parent_path() / "models";
}

std::string sealing_context(std::string_view model, std::string_view key) { return row_key(model, key); }

Result<OpenRow> open_row(eventstore::Store& store, std::string_view model, std::string_view key, const Row& row) {
    OpenRow out{row.clear, row.subject, std::nullopt};
    if (row.subject.is_none()) return out;
    AUD_ASSIGN_OR_RETURN(out.personal, store.open_for_model(row.subject, sealing_context(model, key), row.sealed));
    return out;
}

Result<std::unique_ptr<ModelStore>> ModelStore::open(const fs::path& dir, Mode mode) {
    std::unique_ptr<ModelStore> models(new ModelStore(mode));
    rocksdb::Options o;
    o.compression = rocksdb::kNoCompression;  // sealed fields and ids do not compress
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s;
    if (mode == Mode::kReadOnly) {
        if (!fs::exists(dir / "CURRENT")) {
            return not_found("no read models in " + dir.string() + " (has `serve` run?)");
        }
        std::string tmpl = (fs::temp_directory_path() / "auditorium-models-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) return unavailable("creating a scratch directory");
        models->scratch_ = tmpl;
        o.max_open_files = -1;  // required by secondary instances
        s = rocksdb::DB::OpenAsSecondary(o, dir.string(), models->scratch_.string(), &raw);
    } else {
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) return unavailable("creating " + dir.string() + ": " + ec.message());
        ::chmod(dir.c_str(), 0700);
        o.create_if_missing = true;
        s = rocksdb::DB::Open(o, dir.string(), &raw);
    }
    if (!s.ok()) return from_rocks(s, "opening the read models in " + dir.string());
    models->db_.reset(raw);
    return models;
}

ModelStore::~ModelStore() {
    if (db_ && mode_ == Mode::kReadWrite) (void)db_->FlushWAL(true);
    db_.reset();
    if (!scratch_.empty()) {
        std::error_code ec;
        fs::remove_all(scratch_, ec);
    }
}

Status ModelStore::catch_up() {
    if (mode_ != Mode::kReadOnly) return Status::ok();
    return from_rocks(db_->TryCatchUpWithPrimary(), "catching up with the read models");
}

Result<eventstore::Position> ModelStore::checkpoint(std::string_view model) const {
    std::string v;
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), checkpoint_key(model), &v);
    if (s.IsNotFound()) return eventstore::Position{0};
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading a read model's checkpoint"));
    if (v.size() != 8) return corruption("the checkpoint of read model " + std::string(model) + " is malformed");
    return eventstore::Position{get_be64(v)};
}

Result<std::optional<Row>> ModelStore::get(std::string_view model, std::string_view key) const {
    std::string v;
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), row_key(model, key), &v);
    if (s.IsNotFound()) return std::optional<Row>();
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading the read models"));
    AUD_ASSIGN_OR_RETURN(Row row, decode_row(v));
    return std::optional<Row>(std::move(row));
}

Status ModelStore::scan(std::string_view model, std::string_view prefix,
                        const std::function<bool(std::string_view, const Row&)>& visit) const {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    return scan_rows(*it, model, prefix, visit);
}

std::unique_ptr<ModelStore::Batch> ModelStore::batch(eventstore::Store& store) {
    return std::unique_ptr<Batch>(new Batch(*this, store));
}

Status ModelStore::commit(Batch& batch) {
    if (mode_ == Mode::kReadOnly) return failed_precondition("the read models are open read-only");
    rocksdb::WriteOptions wo;
    wo.disableWAL = mode_ == Mode::kScratch;
    AUD_RETURN_IF_ERROR(from_rocks(db_->Write(wo, batch.writes_->GetWriteBatch()), "writing the read models"));
    batch.writes_->Clear();
    return Status::ok();
}

ModelStore::Batch::Batch(ModelStore& models, eventstore::Store& store)
    : models_(models),
      store_(store),
      writes_(std::make_unique<rocksdb::WriteBatchWithIndex>(rocksdb::BytewiseComparator(), 0, true)) {}

ModelStore::Batch::~Batch() = default;

std::size_t ModelStore::Batch::size() const { return writes_->GetWriteBatch()->Count(); }

Result<std::optional<Row>> ModelStore::Batch::get(std::string_view model, std::string_view key) {
    std::string v;
    const rocksdb::Status s =
        writes_->GetFromBatchAndDB(models_.db_.get(), rocksdb::ReadOptions(), row_key(model, key), &v);
    if (s.IsNotFound()) return std::optional<Row>();
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading the read models"));
    AUD_ASSIGN_OR_RETURN(Row row, decode_row(v));
    return std::optional<Row>(std::move(row));
}

Status ModelStore::Batch::scan(std::string_view model, std::string_view prefix,
                               const std::function<bool(std::string_view, const Row&)>& visit) {
    std::unique_ptr<rocksdb::Iterator> it(
        writes_->NewIteratorWithBase(models_.db_->NewIterator(rocksdb::ReadOptions())));
    return scan_rows(*it, model, prefix, visit);
}

void ModelStore::Batch::put(std::string_view model, std::string_view key, std::string_view clear) {
    writes_->Put(row_key(model, key), encode_row(clear, Id(), {}));
}

Status ModelStore::Batch::put_personal(std::string_view model, std::string_view key, std::string_view clear,
                                       const Id& subject, std::string_view personal) {
    AUD_ASSIGN_OR_RETURN(auto sealed, store_.seal_for_model(subject, sealing_context(model, key), personal));
    if (!sealed) {
        put(model, key, clear);
        return Status::ok();
    }
    writes_->Put(row_key(model, key), encode_row(clear, subject, *sealed));
    writes_->Put(personal_key(subject, model, key), "");
    return Status::ok();
}

void ModelStore::Batch::put_erasable(std::string_view model, std::string_view key, std::string_view clear,
                                     const Id& subject) {
    put(model, key, clear);
    writes_->Put(personal_key(subject, model, key), "x");
}

void ModelStore::Batch::remove(std::string_view model, std::string_view key) {
    writes_->Delete(row_key(model, key));
    // A row's sealed-field marker goes with it; the subject is not known here, so the marker is
    // left to erase_subject, which skips rows that are gone.
}

Status ModelStore::Batch::erase_subject(const Id& subject) {
    const std::string prefix = "p" + std::string(subject.view());
    std::unique_ptr<rocksdb::Iterator> it(
        writes_->NewIteratorWithBase(models_.db_->NewIterator(rocksdb::ReadOptions())));
    struct Marked {
        std::string marker;
        std::string row;
        bool whole;  // the row goes, not only its sealed field
    };
    std::vector<Marked> rows;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        const std::string_view rest = it->key().ToStringView().substr(prefix.size());
        rows.push_back({it->key().ToString(), "m" + std::string(rest), it->value() == "x"});
    }
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading the read models"));
    it.reset();
    for (const auto& [marker, key, whole] : rows) {
        writes_->Delete(marker);
        if (whole) {
            writes_->Delete(key);
            continue;
        }
        std::string v;
        const rocksdb::Status s = writes_->GetFromBatchAndDB(models_.db_.get(), rocksdb::ReadOptions(), key, &v);
        if (s.ok()) {
            AUD_ASSIGN_OR_RETURN(Row row, decode_row(v));
            if (row.subject == subject) writes_->Put(key, encode_row(row.clear, Id(), {}));
        } else if (!s.IsNotFound()) {
            return from_rocks(s, "reading the read models");
        }
    }
    return Status::ok();
}

void ModelStore::Batch::set_checkpoint(std::string_view model, eventstore::Position position) {
    writes_->Put(checkpoint_key(model), be64(position));
}

}  // namespace auditorium::projections
