// Direct RocksDB access for tests that tamper with the ledger or the vault behind the store's
// back, as an attacker with the disk (or the `ldb` tool) would.
#pragma once

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

namespace auditorium::testing {

class RawDb {
public:
    explicit RawDb(const std::string& path) {
        std::vector<std::string> names;
        REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
        std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
        for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
        rocksdb::DB* raw = nullptr;
        const rocksdb::Status s = rocksdb::DB::Open(rocksdb::Options(), path, cfs, &handles_, &raw);
        INFO(s.ToString());
        REQUIRE(s.ok());
        db_.reset(raw);
        names_ = names;
    }
    ~RawDb() {
        for (auto* h : handles_) (void)db_->DestroyColumnFamilyHandle(h);
        (void)db_->Close();
    }
    rocksdb::ColumnFamilyHandle* cf(const std::string& name) {
        for (std::size_t i = 0; i < names_.size(); ++i) {
            if (names_[i] == name) return handles_[i];
        }
        FAIL("no column family " << name);
        return nullptr;
    }
    std::string get(const std::string& cf_name, const std::string& key) {
        std::string value;
        const auto s = db_->Get(rocksdb::ReadOptions(), cf(cf_name), key, &value);
        INFO(s.ToString());
        REQUIRE(s.ok());
        return value;
    }
    void put(const std::string& cf_name, const std::string& key, const std::string& value) {
        REQUIRE(db_->Put(rocksdb::WriteOptions(), cf(cf_name), key, value).ok());
    }
    void remove(const std::string& cf_name, const std::string& key) {
        REQUIRE(db_->Delete(rocksdb::WriteOptions(), cf(cf_name), key).ok());
    }
    // Every (key, value) whose key starts with `prefix`.
    std::vector<std::pair<std::string, std::string>> scan(const std::string& cf_name,
                                                          const std::string& prefix) {
        std::vector<std::pair<std::string, std::string>> out;
        std::unique_ptr<rocksdb::Iterator> it(
            db_->NewIterator(rocksdb::ReadOptions(), cf(cf_name)));
        for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
            out.emplace_back(it->key().ToString(), it->value().ToString());
        }
        return out;
    }

private:
    std::unique_ptr<rocksdb::DB> db_;
    std::vector<rocksdb::ColumnFamilyHandle*> handles_;
    std::vector<std::string> names_;
};

}  // namespace auditorium::testing
