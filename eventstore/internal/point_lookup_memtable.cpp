#include "eventstore/internal/point_lookup_memtable.hpp"

#include <rocksdb/slice.h>
#include <rocksdb/version.h>

// GetDynamicPrefixIterator below relies on how this RocksDB's MemTableRep::Get treats the
// iterator it asks for; check it again (under ASan: leak or double free) before moving on.
#if ROCKSDB_MAJOR != 7 || ROCKSDB_MINOR != 8
#error "re-check MemTableRep::Get's ownership of GetDynamicPrefixIterator's result"
#endif

#include <algorithm>
#include <cstdlib>
#include <new>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/mutex.hpp"

namespace auditorium::eventstore::internal {

namespace {

using Entries = std::vector<const char*>;

std::string_view user_key_of(const char* entry) {
    const rocksdb::Slice internal = rocksdb::GetLengthPrefixedSlice(entry);
    return std::string_view(internal.data(), internal.size() - 8);  // minus sequence and type
}

// A multimap from user key to entry by open addressing: linear probing over a power-of-two table
// kept at most half full, so an insert or a lookup reads a few neighbouring slots where a
// node-based map allocates a node per insert and chases a pointer per node (measured: a tenth of
// the writer thread's time with batched appends). Each slot keeps its key's hash, so a probe
// compares hashes first and growing the table hashes no key again. Not thread-safe.
class FlatIndex {
public:
    void insert(std::string_view key, const char* entry) {
        if ((size_ + 1) * 2 > slots_.size()) grow();
        place(Slot{hash_of(key), entry});
        ++size_;
    }

    // Calls visit(entry) for every entry of `key`, in no particular order.
    template <class Visit>
    void for_each_of(std::string_view key, Visit&& visit) const {
        if (slots_.empty()) return;
        const std::uint64_t hash = hash_of(key);
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = hash & mask; slots_[i].entry != nullptr; i = (i + 1) & mask) {
            if (slots_[i].hash == hash && user_key_of(slots_[i].entry) == key)
                visit(slots_[i].entry);
        }
    }

    std::size_t memory() const { return slots_.capacity() * sizeof(Slot); }

private:
    struct Slot {
        std::uint64_t hash = 0;
        const char* entry = nullptr;  // nullptr: empty
    };
    // Small to start: RocksDB counts the table in the memtable's size, and a small write buffer
    // (as in the tests) must not look full before anything is in it.
    static constexpr std::size_t kFirstSlots = std::size_t{1} << 10;

    static std::uint64_t hash_of(std::string_view key) {
        return std::hash<std::string_view>{}(key);
    }

    void place(const Slot& slot) {
        const std::size_t mask = slots_.size() - 1;
        std::size_t i = slot.hash & mask;
        while (slots_[i].entry != nullptr) i = (i + 1) & mask;
        slots_[i] = slot;
    }

    void grow() {
        std::vector<Slot> old(slots_.empty() ? kFirstSlots : slots_.size() * 2);
        old.swap(slots_);
        for (const Slot& slot : old) {
            if (slot.entry != nullptr) place(slot);
        }
    }

    std::vector<Slot> slots_;
    std::size_t size_ = 0;
};

// Walks a sorted list of memtable entries. Seek and SeekForPrev compare against the internal key.
class SortedIterator : public rocksdb::MemTableRep::Iterator {
public:
    SortedIterator(const rocksdb::MemTableRep::KeyComparator& compare,
                   std::shared_ptr<const Entries> entries)
        : compare_(compare), entries_(std::move(entries)), at_(entries_->size()) {}

    bool Valid() const override { return at_ < entries_->size(); }
    const char* key() const override { return (*entries_)[at_]; }
    void Next() override { ++at_; }
    void Prev() override { at_ = at_ == 0 ? entries_->size() : at_ - 1; }
    void Seek(const rocksdb::Slice& internal_key, const char* /*memtable_key*/) override {
        const auto it = std::lower_bound(
            entries_->begin(), entries_->end(), internal_key,
            [&](const char* e, const rocksdb::Slice& k) { return compare_(e, k) < 0; });
        at_ = static_cast<std::size_t>(it - entries_->begin());
    }
    void SeekForPrev(const rocksdb::Slice& internal_key, const char* /*memtable_key*/) override {
        const auto it = std::upper_bound(
            entries_->begin(), entries_->end(), internal_key,
            [&](const rocksdb::Slice& k, const char* e) { return compare_(e, k) > 0; });
        at_ = it == entries_->begin() ? entries_->size()
                                      : static_cast<std::size_t>(it - entries_->begin()) - 1;
    }
    void SeekToFirst() override { at_ = 0; }
    void SeekToLast() override { at_ = entries_->empty() ? 0 : entries_->size() - 1; }

protected:
    void reset(std::shared_ptr<const Entries> entries) {
        entries_ = std::move(entries);
        at_ = entries_->size();
    }

private:
    const rocksdb::MemTableRep::KeyComparator& compare_;
    std::shared_ptr<const Entries> entries_;
    std::size_t at_;
};

class PointLookupRep final : public rocksdb::MemTableRep {
public:
    PointLookupRep(const KeyComparator& compare, rocksdb::Allocator* allocator)
        : MemTableRep(allocator), compare_(compare) {}

    ~PointLookupRep() override {
        for (void* block : arena_iterators_) ::operator delete(block);
    }

    void Insert(rocksdb::KeyHandle handle) override {
        const char* entry = static_cast<const char*>(handle);
        WriterLock lock(mu_);
        entries_.push_back(entry);
        by_user_key_.insert(user_key_of(entry), entry);
    }

    bool Contains(const char* key) const override {
        ReaderLock lock(mu_);
        bool found = false;
        by_user_key_.for_each_of(user_key_of(key), [&](const char* entry) {
            found = found || compare_(entry, key) == 0;
        });
        return found;
    }

    void MarkReadOnly() override {
        WriterLock lock(mu_);
        read_only_ = true;
    }

    std::size_t ApproximateMemoryUsage() override {
        ReaderLock lock(mu_);
        return entries_.capacity() * sizeof(const char*) + by_user_key_.memory();
    }

    Iterator* GetIterator(rocksdb::Arena* arena) override {
        auto sorted = sorted_entries();
        if (arena == nullptr) return new SortedIterator(compare_, std::move(sorted));
        // RocksDB destroys an iterator it asked to place in its arena without freeing it; the
        // arena is internal to RocksDB, so this rep keeps the memory and frees it when it dies.
        void* block = ::operator new(sizeof(SortedIterator));
        {
            WriterLock lock(mu_);
            arena_iterators_.push_back(block);
        }
        return new (block) SortedIterator(compare_, std::move(sorted));
    }

    // Without a prefix extractor on the column family, RocksDB asks for this iterator only from
    // MemTableRep::Get, which never deletes it (RocksDB's own memtables override Get; LookupKey,
    // its argument, is not public, so we cannot). The rep therefore owns one point iterator per
    // thread and lends it out again: a thread runs one Get at a time.
    Iterator* GetDynamicPrefixIterator(rocksdb::Arena* arena) override {
        if (arena != nullptr) return GetIterator(arena);
        MutexLock lock(point_iterators_mu_);
        auto& it = point_iterators_[std::this_thread::get_id()];
        if (!it) it = std::make_unique<PointIterator>(*this);
        return it.get();
    }

private:
    // Yields the entries of one user key (the prefix is the whole key), as Get and MultiGet need.
    class PointIterator final : public SortedIterator {
    public:
        explicit PointIterator(const PointLookupRep& rep)
            : SortedIterator(rep.compare_, std::make_shared<Entries>()), rep_(rep) {}
        void Seek(const rocksdb::Slice& internal_key, const char* memtable_key) override {
            reset(rep_.entries_of(internal_key));
            SortedIterator::Seek(internal_key, memtable_key);
        }
        void SeekForPrev(const rocksdb::Slice& internal_key, const char* memtable_key) override {
            reset(rep_.entries_of(internal_key));
            SortedIterator::SeekForPrev(internal_key, memtable_key);
        }
        void SeekToFirst() override {
            reset(rep_.sorted_entries());
            SortedIterator::SeekToFirst();
        }
        void SeekToLast() override {
            reset(rep_.sorted_entries());
            SortedIterator::SeekToLast();
        }

    private:
        const PointLookupRep& rep_;
    };

    bool less(const char* a, const char* b) const { return compare_(a, b) < 0; }

    std::shared_ptr<const Entries> entries_of(const rocksdb::Slice& internal_key) const {
        auto out = std::make_shared<Entries>();
        {
            ReaderLock lock(mu_);
            const std::string_view user_key(internal_key.data(), internal_key.size() - 8);
            by_user_key_.for_each_of(user_key, [&](const char* entry) { out->push_back(entry); });
        }
        std::sort(out->begin(), out->end(),
                  [this](const char* a, const char* b) { return less(a, b); });
        return out;
    }

    // The whole list in order. Sorted once when read-only (the flush); a copy each time before.
    std::shared_ptr<const Entries> sorted_entries() const {
        std::shared_ptr<Entries> out;
        bool keep = false;
        {
            WriterLock lock(mu_);
            if (sorted_) return sorted_;
            out = std::make_shared<Entries>(entries_);
            keep = read_only_;
        }
        std::sort(out->begin(), out->end(),
                  [this](const char* a, const char* b) { return less(a, b); });
        if (!keep) return out;
        WriterLock lock(mu_);
        if (!sorted_) sorted_ = std::move(out);
        return sorted_;
    }

    const KeyComparator& compare_;
    mutable SharedMutex mu_;
    Entries entries_ AUD_GUARDED_BY(mu_);
    FlatIndex by_user_key_ AUD_GUARDED_BY(mu_);
    bool read_only_ AUD_GUARDED_BY(mu_) = false;
    mutable std::shared_ptr<const Entries> sorted_ AUD_GUARDED_BY(mu_);
    std::vector<void*> arena_iterators_ AUD_GUARDED_BY(mu_);
    Mutex point_iterators_mu_;
    std::unordered_map<std::thread::id, std::unique_ptr<PointIterator>> point_iterators_
        AUD_GUARDED_BY(point_iterators_mu_);
};

class PointLookupFactory final : public rocksdb::MemTableRepFactory {
public:
    const char* Name() const override { return "auditorium.PointLookupMemTable"; }
    rocksdb::MemTableRep* CreateMemTableRep(const rocksdb::MemTableRep::KeyComparator& compare,
                                            rocksdb::Allocator* allocator,
                                            const rocksdb::SliceTransform*,
                                            rocksdb::Logger*) override {
        return new PointLookupRep(compare, allocator);
    }
};

}  // namespace

std::shared_ptr<rocksdb::MemTableRepFactory> point_lookup_memtable_factory() {
    return std::make_shared<PointLookupFactory>();
}

}  // namespace auditorium::eventstore::internal
