#include "eventstore/store.hpp"

#include "eventstore/internal/public_random.hpp"
#include "eventstore/internal/rocks_store.hpp"
#include "eventstore/sodium_init.hpp"

namespace auditorium::eventstore {

std::filesystem::path default_keys_dir(const std::filesystem::path& data_dir) {
    std::filesystem::path d = data_dir;
    if (!d.has_filename()) d = d.parent_path();  // "var/data/" -> "var/data"
    return d.parent_path() / "keys";
}

Result<std::unique_ptr<Store>> Store::open(const StoreOptions& options) {
    return internal::RocksStore::open(options);
}

std::optional<VersionConflict> conflict_of(const Status& status) {
    if (status.code() != StatusCode::kAborted) return std::nullopt;
    if (const auto* c = status.detail<VersionConflict>()) return *c;
    return std::nullopt;
}

Id random_id() {
    require_sodium();
    Id::Bytes b;
    internal::public_random(b.data(), b.size());
    return Id(b);
}

Status validate_stream_name(std::string_view stream) {
    if (stream.empty() || stream.size() > 200) {
        return invalid_argument("stream: a stream name has 1..200 characters");
    }
    if (stream[0] < 'a' || stream[0] > 'z') {
        return invalid_argument("stream: '" + std::string(stream) +
                                "' must start with a letter a-z");
    }
    for (char c : stream) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                        c == ':' || c == '-';
        if (!ok) {
            return invalid_argument("stream: '" + std::string(stream) +
                                    "' may hold only [a-z0-9._:-]");
        }
    }
    return Status::ok();
}

std::string_view stream_type(std::string_view stream) { return stream.substr(0, stream.find('-')); }

std::string ExpectedVersion::to_string() const {
    if (is_any()) return "any";
    if (version_ == 0) return "no stream";
    return std::to_string(version_);
}

std::string_view key_class_name(KeyClass c) {
    switch (c) {
        case KeyClass::kSystem: return "system";
        case KeyClass::kPersonal: return "personal";
        case KeyClass::kRetained: return "retained";
    }
    return "unknown";
}

}  // namespace auditorium::eventstore
