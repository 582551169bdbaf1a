// Secret: a passphrase or a key held in a buffer that is wiped (sodium_memzero) when its holder is
// destroyed or cleared.
//
// Unlike a std::string, a Secret never reallocates: a string that grows leaves the bytes it held in
// the freed block, where no destructor wipes them, and a short one moves by copying its bytes. A
// Secret's capacity is fixed when it is made; an append that would exceed it is refused. Moving a
// Secret hands over the buffer itself; the moved-from holder is empty and owns nothing.
//
// Thread safety: a value owned by one thread at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "base/status.hpp"

namespace auditorium::eventstore {

class Secret {
public:
    // An empty secret owning a heap buffer of `capacity` bytes.
    explicit Secret(std::size_t capacity);
    // An empty secret in the caller's `storage`, which must outlive it; wiped in full when the
    // secret (or the last holder it was moved to) is destroyed. Lets a test look at the bytes
    // after the holder is gone.
    explicit Secret(std::span<char> storage);
    // A secret of `size` zero bytes, for a function that writes a key of that size into data().
    static Secret zeros(std::size_t size);

    Secret(Secret&& other) noexcept;
    Secret& operator=(Secret&&) = delete;
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
    ~Secret();

    // InvalidArgument (and nothing appended) when `bytes` do not fit in what is left.
    Status append(std::string_view bytes);
    // REQUIRES: !empty(). The byte removed is wiped.
    void pop_back();
    // Wipes the whole buffer (not only the bytes in use); the secret is then empty.
    void clear();

    std::string_view view() const { return {data_, size_}; }
    char* data() { return data_; }
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return capacity_; }
    bool empty() const { return size_ == 0; }

private:
    std::unique_ptr<char[]> owned_;  // null when the storage is the caller's
    char* data_ = nullptr;
    std::size_t capacity_ = 0;
    std::size_t size_ = 0;
};

// Overwrites `bytes` with zeros (sodium_memzero: never dropped as a dead store), for secrets held
// in memory the caller does not own, such as the process's environment.
void wipe(std::span<char> bytes);

}  // namespace auditorium::eventstore
