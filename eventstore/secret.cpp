#include "eventstore/secret.hpp"

#include <sodium.h>

#include <cassert>
#include <cstring>
#include <string>

namespace auditorium::eventstore {

Secret::Secret(std::size_t capacity)
    : owned_(new char[capacity]()), data_(owned_.get()), capacity_(capacity) {}

Secret::Secret(std::span<char> storage) : data_(storage.data()), capacity_(storage.size()) {}

Secret Secret::zeros(std::size_t size) {
    Secret s(size);
    s.size_ = size;  // new char[]() already zeroed them
    return s;
}

Secret::Secret(Secret&& other) noexcept
    : owned_(std::move(other.owned_)),
      data_(other.data_),
      capacity_(other.capacity_),
      size_(other.size_) {
    other.data_ = nullptr;
    other.capacity_ = 0;
    other.size_ = 0;
}

Secret::~Secret() {
    // sodium_memzero, not memset: the compiler may not drop it as a dead store.
    if (data_ != nullptr) sodium_memzero(data_, capacity_);
}

Status Secret::append(std::string_view bytes) {
    if (bytes.size() > capacity_ - size_) {
        return invalid_argument("longer than " + std::to_string(capacity_) + " bytes");
    }
    if (!bytes.empty()) std::memcpy(data_ + size_, bytes.data(), bytes.size());
    size_ += bytes.size();
    return Status::ok();
}

void Secret::pop_back() {
    assert(size_ > 0);
    if (size_ == 0) return;
    --size_;
    sodium_memzero(data_ + size_, 1);
}

void Secret::clear() {
    if (data_ != nullptr) sodium_memzero(data_, capacity_);
    size_ = 0;
}

void wipe(std::span<char> bytes) { sodium_memzero(bytes.data(), bytes.size()); }

}  // namespace auditorium::eventstore
