#include "eventstore/internal/entry_codec.hpp"

#include <cstring>

#include "base/aligned.hpp"
#include "eventstore/schema/entry_generated.h"

namespace auditorium::eventstore::internal {
namespace fb = ::auditorium::ledger;
namespace {

fb::Id128 to_fb(const Id& id) {
    return fb::Id128(flatbuffers::span<const std::uint8_t, 16>(id.bytes().data(), 16));
}

Id from_fb(const fb::Id128* id) {
    if (id == nullptr) return Id();
    Id::Bytes b;
    std::memcpy(b.data(), id->bytes()->data(), b.size());
    return Id(b);
}

std::string bytes_of(const flatbuffers::Vector<std::uint8_t>* v) {
    if (v == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(v->data()), v->size());
}

bool valid_key_class(std::uint8_t c) { return c <= static_cast<std::uint8_t>(KeyClass::kRetained); }

}  // namespace

SectionBinding binding_of(const EntryHeader& header, const Id& subject, KeyClass key_class,
                          std::uint32_t key_id) {
    return SectionBinding{header.position, header.stream, header.version, header.type,
                          header.event_id, subject,       key_class,      key_id};
}

std::string encode_entry(const EntryHeader& h, std::string_view clear,
                         const std::vector<StoredSection>& sections) {
    std::size_t size_hint = 256 + clear.size() + h.stream.size() + h.type.size();
    for (const auto& s : sections) size_hint += s.ciphertext.size() + 128;
    flatbuffers::FlatBufferBuilder b(size_hint);

    std::vector<flatbuffers::Offset<fb::Section>> section_offsets;
    section_offsets.reserve(sections.size());
    for (const auto& s : sections) {
        auto commitment = b.CreateVector(reinterpret_cast<const std::uint8_t*>(s.commitment.data()),
                                         s.commitment.size());
        auto nonce =
            b.CreateVector(reinterpret_cast<const std::uint8_t*>(s.nonce.data()), s.nonce.size());
        auto ciphertext = b.CreateVector(reinterpret_cast<const std::uint8_t*>(s.ciphertext.data()),
                                         s.ciphertext.size());
        const fb::Id128 subject = to_fb(s.subject);
        section_offsets.push_back(fb::CreateSection(b, &subject,
                                                    static_cast<std::uint8_t>(s.key_class),
                                                    s.key_id, commitment, nonce, ciphertext));
    }
    auto sections_vec = b.CreateVector(section_offsets);
    auto clear_vec =
        b.CreateVector(reinterpret_cast<const std::uint8_t*>(clear.data()), clear.size());
    auto stream = b.CreateString(h.stream);
    auto type = b.CreateString(h.type);
    const fb::Id128 event_id = to_fb(h.event_id);
    const fb::Id128 actor = to_fb(h.actor);
    const fb::Id128 subject = to_fb(h.subject);
    const fb::Id128 correlation = to_fb(h.correlation);
    const fb::Id128 causation = to_fb(h.causation);
    auto entry = fb::CreateEntry(b, kEntryFormat, h.position, stream, h.version, &event_id, type,
                                 h.schema_version, h.recorded_at_us, &actor, &subject, &correlation,
                                 &causation, clear_vec, sections_vec);
    b.Finish(entry, fb::EntryIdentifier());
    return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

namespace {

// The format checks every reader runs, without copying anything out. `aligned` keeps the copy of
// a misaligned buffer alive (base/aligned.hpp).
Result<const fb::Entry*> checked_entry(std::string_view& bytes,
                                       std::vector<std::uint64_t>& aligned) {
    bytes = aligned_8(bytes, aligned);
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    flatbuffers::Verifier verifier(data, bytes.size());
    if (!fb::VerifyEntryBuffer(verifier)) return corruption("entry bytes fail the format check");
    const fb::Entry* e = fb::GetEntry(data);
    if (e->format() != kEntryFormat) {
        return corruption("unknown entry format " + std::to_string(e->format()));
    }
    if (e->stream() == nullptr || e->event_type() == nullptr || e->event_id() == nullptr) {
        return corruption("entry lacks a stream, a type or an event id");
    }
    if (e->sections() != nullptr) {
        for (const fb::Section* s : *e->sections()) {
            if (!valid_key_class(s->key_class())) return corruption("unknown key class in section");
        }
    }
    return e;
}

}  // namespace

Result<EntrySummary> summarize_entry(std::string_view bytes) {
    std::vector<std::uint64_t> aligned;
    AUD_ASSIGN_OR_RETURN(const fb::Entry* e, checked_entry(bytes, aligned));
    return EntrySummary{e->position(), e->sections() == nullptr ? 0 : e->sections()->size(),
                        e->event_type()->string_view().substr(0, 6) == "store."};
}

std::string seal_and_encode(const EntryHeader& header, std::string_view clear,
                            const std::vector<SectionInput>& inputs, const SectionKey* keys,
                            const std::uint8_t* nonces, std::vector<StoredSection>& scratch) {
    scratch.clear();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const SectionInput& in = inputs[i];
        const SectionKey& key = keys[i];
        SealedSection sealed =
            seal(key.key, binding_of(header, in.subject, in.key_class, key.key_id), in.plaintext,
                 nonces + i * kNonceSize);
        StoredSection& out = scratch.emplace_back();
        out.subject = in.subject;
        out.key_class = in.key_class;
        out.key_id = key.key_id;
        out.commitment.assign(reinterpret_cast<const char*>(sealed.commitment.data()),
                              kCommitmentSize);
        out.nonce.assign(reinterpret_cast<const char*>(sealed.nonce.data()), kNonceSize);
        out.ciphertext = std::move(sealed.ciphertext);
    }
    return encode_entry(header, clear, scratch);
}

namespace {

void read_header(const fb::Entry* e, EntryHeader& h) {
    h.position = e->position();
    h.stream = e->stream()->str();
    h.version = e->stream_version();
    h.event_id = from_fb(e->event_id());
    h.type = e->event_type()->str();
    h.schema_version = e->schema_version();
    h.recorded_at_us = e->recorded_at_us();
    h.actor = from_fb(e->actor());
    h.subject = from_fb(e->subject());
    h.correlation = from_fb(e->correlation());
    h.causation = from_fb(e->causation());
}

}  // namespace

Result<EntryHeader> decode_entry_header(std::string_view bytes) {
    std::vector<std::uint64_t> aligned;
    AUD_ASSIGN_OR_RETURN(const fb::Entry* e, checked_entry(bytes, aligned));
    EntryHeader h;
    read_header(e, h);
    return h;
}

Result<DecodedEntry> decode_entry(std::string_view bytes) {
    std::vector<std::uint64_t> aligned;
    AUD_ASSIGN_OR_RETURN(const fb::Entry* e, checked_entry(bytes, aligned));
    DecodedEntry d;
    read_header(e, d.header);
    d.clear = bytes_of(e->clear());
    if (e->sections() != nullptr) {
        d.sections.reserve(e->sections()->size());
        for (const fb::Section* s : *e->sections()) {
            StoredSection out;
            out.subject = from_fb(s->subject());
            out.key_class = static_cast<KeyClass>(s->key_class());
            out.key_id = s->key_id();
            out.commitment = bytes_of(s->commitment());
            out.nonce = bytes_of(s->nonce());
            out.ciphertext = bytes_of(s->ciphertext());
            d.sections.push_back(std::move(out));
        }
    }
    return d;
}

}  // namespace auditorium::eventstore::internal
