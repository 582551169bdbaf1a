// IndexVerifier: the streams and event_ids indexes against the entries (verify_rows.hpp).
// Both walks are point checks into the ledger, so memory stays constant whatever its size; the
// counts tie each index to the number of entries, so a dropped row is caught as well as a changed
// one.
#include <rocksdb/db.h>

#include <cstring>

#include "base/big_endian.hpp"
#include "eventstore/internal/layout.hpp"
#include "eventstore/internal/rocks_status.hpp"
#include "eventstore/internal/verify_rows.hpp"

namespace auditorium::eventstore::internal {

Status IndexVerifier::run(Position end) {
    AUD_RETURN_IF_ERROR(check_streams(end));
    return check_event_ids(end);
}

// Each stream's runs must give versions 1, 2, ... with no gap or overlap, every live entry they
// name must be of that stream and version, and the runs together must cover every position once
// in count (purged entries keep their runs).
Status IndexVerifier::check_streams(Position end) {
    std::unique_ptr<rocksdb::Iterator> it(db_.db().NewIterator(ro_, db_.cf().streams));
    std::string stream;
    StreamVersion next = 1;
    std::uint64_t covered = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const std::string_view key = it->key().ToStringView();
        const std::string_view value = it->value().ToStringView();
        const std::size_t zero = key.find('\0');
        if (zero == std::string_view::npos || key.size() != zero + 9 || value.size() != 16) {
            return corruption("streams: a malformed row (key " + to_hex(key.substr(0, 64)) + ")");
        }
        const std::string_view name = key.substr(0, zero);
        if (name != stream) {
            stream = std::string(name);
            next = 1;
        }
        const StreamVersion first = get_be64(key.substr(zero + 1));
        const std::uint64_t count = get_be64(value.substr(8));
        if (first != next || count == 0 || count > end) {
            return corruption(
                "streams: the run of stream " + stream + " at version " + std::to_string(first) +
                " does not continue its versions (expected version " + std::to_string(next) + ")");
        }
        AUD_RETURN_IF_ERROR(check_run(stream, first, count, get_be64(value), end));
        next = first + count;
        covered += count;
    }
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading streams"));
    if (covered != end) {
        return corruption("streams: the runs cover " + std::to_string(covered) +
                          " entries but the ledger holds " + std::to_string(end));
    }
    return Status::ok();
}

Status IndexVerifier::check_run(std::string_view stream, StreamVersion first, std::uint64_t count,
                                Position first_position, Position end) {
    const std::string run = "streams: the run of stream " + std::string(stream) + " at version " +
                            std::to_string(first);
    if (first_position == 0 || first_position > end || count > end - first_position + 1) {
        return corruption(run + " names positions beyond the ledger");
    }
    for (std::uint64_t i = 0; i < count; ++i) {
        const Position p = first_position + i;
        AUD_ASSIGN_OR_RETURN(auto h, header_at(p, run));
        if (!h || (h->stream == stream && h->version == first + i)) continue;
        return corruption(run + " names position " + std::to_string(p) + ", which holds " +
                          h->stream + " version " + std::to_string(h->version));
    }
    return Status::ok();
}

// Each row must name its entry (the same event id, stream and version); a purged entry's row must
// agree with the streams index. The rows must number the entries.
Status IndexVerifier::check_event_ids(Position end) {
    std::unique_ptr<rocksdb::Iterator> it(db_.db().NewIterator(ro_, db_.cf().event_ids));
    std::uint64_t rows = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        AUD_RETURN_IF_ERROR(
            check_event_id(it->key().ToStringView(), it->value().ToStringView(), end));
        ++rows;
    }
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading event_ids"));
    if (rows != end) {
        return corruption("event_ids: " + std::to_string(rows) + " rows but the ledger holds " +
                          std::to_string(end) + " entries");
    }
    return Status::ok();
}

Status IndexVerifier::check_event_id(std::string_view id, std::string_view value, Position end) {
    const std::string row = "event_ids: the row of event id " + to_hex(id.substr(0, 16));
    if (id.size() != 16 || value.size() <= 16) return corruption(row + " is malformed");
    const Position p = get_be64(value);
    const StreamVersion version = get_be64(value.substr(8));
    const std::string_view stream = value.substr(16);
    if (p == 0 || p > end)
        return corruption(row + " names position " + std::to_string(p) + ", beyond the ledger");
    AUD_ASSIGN_OR_RETURN(auto h, header_at(p, row));
    if (h) {
        if (h->event_id.view() == id && h->stream == stream && h->version == version)
            return Status::ok();
        return corruption(row + " names position " + std::to_string(p) + ", which holds event id " +
                          h->event_id.hex() + " of " + h->stream + " version " +
                          std::to_string(h->version));
    }
    AUD_ASSIGN_OR_RETURN(auto indexed, stream_position(stream, version));
    if (indexed && *indexed == p) return Status::ok();
    return corruption(row + " names purged position " + std::to_string(p) + " as " +
                      std::string(stream) + " version " + std::to_string(version) +
                      ", which the streams index does not");
}

Result<std::optional<EntryHeader>> IndexVerifier::header_at(Position p, std::string_view what) {
    std::string bytes;
    rocksdb::Status s = db_.db().Get(ro_, db_.cf().ledger, layout::position_key(p), &bytes);
    if (s.IsNotFound())
        return data_loss(std::string(what) + ": position " + std::to_string(p) + " is missing");
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading the ledger"));
    if (layout::is_purged_value(bytes)) return std::optional<EntryHeader>();
    auto h = decode_entry_header(bytes);
    if (!h) return h.status().with_context("position " + std::to_string(p));
    return std::optional<EntryHeader>(std::move(h).value());
}

Result<std::optional<Position>> IndexVerifier::stream_position(std::string_view stream,
                                                               StreamVersion version) {
    std::unique_ptr<rocksdb::Iterator> it(db_.db().NewIterator(ro_, db_.cf().streams));
    it->SeekForPrev(layout::stream_key(stream, version));
    AUD_RETURN_IF_ERROR(from_rocks(it->status(), "reading streams"));
    const std::string prefix = layout::stream_prefix(stream);
    if (!it->Valid() || !it->key().starts_with(prefix) || it->key().size() != prefix.size() + 8 ||
        it->value().size() != 16) {
        return std::optional<Position>();
    }
    const StreamVersion first = get_be64(it->key().ToStringView().substr(prefix.size()));
    const std::string_view v = it->value().ToStringView();
    if (version < first || version - first >= get_be64(v.substr(8)))
        return std::optional<Position>();
    return std::optional<Position>(get_be64(v) + (version - first));
}

}  // namespace auditorium::eventstore::internal
