// What the per-aggregate event codecs (domain/*_codec.cpp) share: conversions between domain
// values and their flatbuffers form (schema/events.fbs), the checked read of a buffer, and the
// type-name table lookup every decoder is built on. Only the codecs include this (it pulls in the
// generated schema). Pure functions; thread-safe.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/aligned.hpp"
#include "base/id.hpp"
#include "base/result.hpp"
#include "domain/event_codec.hpp"
#include "domain/event_types.hpp"
#include "domain/schema/events_generated.h"

namespace auditorium::domain::internal {

using Builder = flatbuffers::FlatBufferBuilder;

fb::Id128 to_fb(const Id& id);
Id from_fb(const fb::Id128* id);                // a missing id reads as none
std::string str(const flatbuffers::String* s);  // a missing string reads as empty
std::string finish(Builder& b);                 // the finished buffer's bytes

// An event of `type` with `clear` as its clear part and no personal part.
EncodedEvent make_event(EventType type, std::string clear);

inline std::uint8_t u8(auto e) { return static_cast<std::uint8_t>(e); }

// Checks `bytes` as a T and hands it to `read`. flatbuffers reads scalars in place, so a buffer
// not aligned as it was built (8 bytes) is copied first.
template <class T, class F>
auto with_table(std::string_view bytes, F&& read)
    -> decltype(read(static_cast<const T*>(nullptr))) {
    std::vector<std::uint64_t> aligned;
    bytes = aligned_8(bytes, aligned);
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    flatbuffers::Verifier verifier(data, bytes.size());
    if (!verifier.VerifyBuffer<T>(nullptr)) return corruption("event bytes fail the format check");
    return read(flatbuffers::GetRoot<T>(data));
}

// InvalidArgument: `s` is not an event of `family` (at its version) that this build knows.
Status wrong_type(std::string_view family, const StoredEvent& s);

// One row of an aggregate's decoder table: the type (name and version) and how to decode it.
template <class Event>
struct DecodeRule {
    EventType type;
    Result<Event> (*decode)(const StoredEvent&);
};

// Decodes `s` by the rule whose type has its name and version; wrong_type when none has.
template <class Event>
Result<Event> decode_by_table(std::string_view family, std::span<const DecodeRule<Event>> rules,
                              const StoredEvent& s) {
    for (const auto& rule : rules) {
        if (rule.type.name == s.type && rule.type.version == s.schema_version)
            return rule.decode(s);
    }
    return wrong_type(family, s);
}

}  // namespace auditorium::domain::internal
