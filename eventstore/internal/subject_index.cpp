#include "eventstore/internal/subject_index.hpp"

#include <rocksdb/db.h>

#include "base/big_endian.hpp"
#include "eventstore/internal/rocks_status.hpp"

namespace auditorium::eventstore::internal {

Result<std::optional<Position>> SubjectIndex::position(rocksdb::ColumnFamilyHandle* cf,
                                                       const Id& subject) const {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_.db().Get(rocksdb::ReadOptions(), cf, subject.view(), &value);
    if (s.IsNotFound()) return std::optional<Position>();
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading the store's records"));
    if (value.size() != 8)
        return corruption("a malformed row of subject " + subject.hex() + " in " + cf->GetName());
    return std::optional<Position>(get_be64(value.ToStringView()));
}

// Only whether the row exists: the erasure is what matters, and a read of the value is not needed.
Result<bool> SubjectIndex::is_erased(const Id& subject) const {
    rocksdb::PinnableSlice value;
    rocksdb::Status s =
        db_.db().Get(rocksdb::ReadOptions(), db_.cf().erasures, subject.view(), &value);
    if (s.IsNotFound()) return false;
    AUD_RETURN_IF_ERROR(from_rocks(s, "reading erasure records"));
    return true;
}

Result<bool> SubjectIndex::is_held(const Id& subject) const {
    AUD_ASSIGN_OR_RETURN(auto p, position(db_.cf().holds, subject));
    return p.has_value();
}

Result<bool> SubjectIndex::is_erasure_deferred(const Id& subject) const {
    AUD_ASSIGN_OR_RETURN(auto p, position(db_.cf().deferred_erasures, subject));
    return p.has_value();
}

}  // namespace auditorium::eventstore::internal
