// A RocksDB memtable for an index that is written in random key order and only ever read by
// point lookups (the event-id index). Inserting a random key into the default skiplist is an
// ordered search through a list of a million entries, a third of the writer's time; RocksDB's
// hash memtables insert in O(1) but build their order at flush by inserting every entry into a
// fresh skiplist, the same cost again on the flush thread. This one keeps a hash index for point
// lookups (open addressing, see the .cpp) and an unsorted list, and sorts the list once
// (std::sort) when the memtable is flushed.
//
// Lookups go through RocksDB's prefix iterator (GetDynamicPrefixIterator), which RocksDB uses for
// Get and MultiGet: it yields the entries of exactly the looked-up user key, in order. The column
// family must have no prefix extractor (the rep lends that iterator out, see the .cpp). A full
// iterator (flush, or a total-order scan) sorts a copy of the list: an index read by point
// lookups is never scanned while it is written.
//
// Thread safety: as RocksDB requires of a memtable: one writer inserts while any number of
// readers look up and iterate (a reader-writer lock guards the list and the index).
#pragma once

#include <rocksdb/memtablerep.h>

#include <memory>

namespace auditorium::eventstore::internal {

std::shared_ptr<rocksdb::MemTableRepFactory> point_lookup_memtable_factory();

}  // namespace auditorium::eventstore::internal
