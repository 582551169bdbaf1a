#include "domain/internal/codec_support.hpp"

namespace auditorium::domain::internal {

fb::Id128 to_fb(const Id& id) {
    return fb::Id128(flatbuffers::span<const std::uint8_t, 16>(id.bytes().data(), 16));
}

Id from_fb(const fb::Id128* id) {
    if (id == nullptr) return Id();
    Id::Bytes b{};
    std::memcpy(b.data(), id->bytes()->data(), b.size());
    return Id(b);
}

std::string str(const flatbuffers::String* s) { return s == nullptr ? std::string() : s->str(); }

std::string finish(Builder& b) {
    return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

EncodedEvent make_event(EventType type, std::string clear) {
    EncodedEvent e;
    e.type = std::string(type.name);
    e.schema_version = type.version;
    e.clear = std::move(clear);
    return e;
}

Status wrong_type(std::string_view family, const StoredEvent& s) {
    return invalid_argument("not a " + std::string(family) + " event this build knows: " +
                            std::string(s.type) + " version " + std::to_string(s.schema_version));
}

}  // namespace auditorium::domain::internal
