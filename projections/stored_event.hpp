// What the event codec reads of a store entry: its type, schema version, clear part and personal
// section (open, or marked erased). Pure; thread-safe.
#pragma once

#include "domain/event_codec.hpp"
#include "eventstore/types.hpp"

namespace auditorium::projections {

inline domain::StoredEvent stored_event(const eventstore::Entry& e) {
    domain::StoredEvent s;
    s.type = e.type;
    s.schema_version = e.schema_version;
    s.clear = e.clear;
    for (const auto& section : e.sections) {
        if (section.key_class != eventstore::KeyClass::kPersonal) continue;
        if (section.state == eventstore::Section::State::kOpen)
            s.personal = std::string_view(section.plaintext);
        if (section.state == eventstore::Section::State::kErased) s.erased = true;
    }
    return s;
}

}  // namespace auditorium::projections
