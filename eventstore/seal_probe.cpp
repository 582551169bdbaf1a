#include "eventstore/seal_probe.hpp"

#include <vector>

#include "eventstore/internal/entry_codec.hpp"
#include "eventstore/internal/merkle.hpp"

namespace auditorium::eventstore {

static_assert(SealProbe::kNonceSize == internal::kNonceSize);
static_assert(SealProbe::kCommitmentSize == internal::kCommitmentSize);
static_assert(std::tuple_size_v<merkle::Hash> ==
              std::tuple_size_v<decltype(SealProbe::Sealed::leaf_hash)>);

struct SealProbe::Impl {
    internal::EntryHeader header;
    std::vector<SectionInput> sections;
    std::vector<internal::SectionKey> keys;
    std::vector<internal::StoredSection> scratch;  // reused, as prepare reuses its own
};

SealProbe::SealProbe(std::string stream, std::string type, const Id& subject, std::string payload)
    : impl_(std::make_unique<Impl>()) {
    impl_->header.stream = std::move(stream);
    impl_->header.type = std::move(type);
    impl_->header.subject = subject;
    impl_->header.actor = subject;
    impl_->sections.push_back({subject, KeyClass::kPersonal, std::move(payload)});
    impl_->keys.push_back({internal::DataKey::generate(), 1});
}

SealProbe::~SealProbe() = default;

SealProbe::Sealed SealProbe::seal_and_hash(const Event& event, const std::uint8_t* nonce) {
    internal::EntryHeader& h = impl_->header;
    h.position = event.position;
    h.version = event.version;
    h.event_id = event.event_id;
    h.recorded_at_us = event.recorded_at_us;
    const std::string bytes = internal::seal_and_encode(h, event.clear, impl_->sections,
                                                        impl_->keys.data(), nonce, impl_->scratch);
    return Sealed{bytes.size(), merkle::leaf_hash(bytes)};
}

std::size_t SealProbe::associated_data_size() const {
    const SectionInput& s = impl_->sections[0];
    return internal::associated_data(
               internal::binding_of(impl_->header, s.subject, s.key_class, impl_->keys[0].key_id))
        .size();
}

std::string_view SealProbe::commitment_label() { return internal::kCommitmentLabel; }

}  // namespace auditorium::eventstore
