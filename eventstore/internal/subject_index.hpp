// SubjectIndex: the point reads of the rows that say what the store did to a subject: erased
// (`erasures`), under legal hold (`holds`), its erasure deferred by one (`deferred_erasures`).
// Each row's value is the position of the store record that wrote it.
//
// Thread safety: stateless over a LedgerDb; any thread.
#pragma once

#include <optional>

#include "base/id.hpp"
#include "base/result.hpp"
#include "eventstore/internal/ledger_db.hpp"
#include "eventstore/types.hpp"

namespace rocksdb {
struct ReadOptions;
}  // namespace rocksdb

namespace auditorium::eventstore::internal {

class SubjectIndex {
public:
    explicit SubjectIndex(const LedgerDb& db) : db_(db) {}

    // The position `cf`'s row for `subject` holds; nullopt without one; Corruption when malformed.
    Result<std::optional<Position>> position(rocksdb::ColumnFamilyHandle* cf,
                                             const Id& subject) const;
    Result<bool> is_erased(const Id& subject) const;
    Result<bool> is_held(const Id& subject) const;
    Result<bool> is_erasure_deferred(const Id& subject) const;

    const LedgerDb::Handles& cf() const { return db_.cf(); }

private:
    const LedgerDb& db_;
};

}  // namespace auditorium::eventstore::internal
