// The registration's and the e-mail reservation's events <-> their stored form (event_codec.hpp):
// one encoder per event and a decoder table per aggregate, keyed by type name and version.
#include <vector>

#include "domain/event_codec.hpp"
#include "domain/internal/codec_support.hpp"

namespace auditorium::domain {

namespace {

using namespace internal;
namespace types = event_types;

// The personal part of a registration: what is sealed under the person's key.
std::string registrant_bytes(const Registered& e) {
    Builder pb;
    std::vector<flatbuffers::Offset<fb::AnswerV1>> answers;
    for (const auto& [key, values] : e.answers) {
        std::vector<flatbuffers::Offset<flatbuffers::String>> vs;
        for (const auto& v : values) vs.push_back(pb.CreateString(v));
        const auto value_vec = pb.CreateVector(vs);
        const auto key_str = pb.CreateString(key);
        answers.push_back(fb::CreateAnswerV1(pb, key_str, value_vec));
    }
    // One builder call per statement, last argument first: the bytes must not depend on the
    // compiler's order of evaluating arguments, and this is the order GCC used when the stored
    // bytes were first written (domain/event_codec.hpp).
    const auto access_key = pb.CreateString(e.access_key);
    const auto link_token = pb.CreateString(e.link_token);
    const auto answer_vec = pb.CreateVector(answers);
    const auto last_name = pb.CreateString(e.last_name);
    const auto first_name = pb.CreateString(e.first_name);
    const auto email = pb.CreateString(e.email);
    pb.Finish(fb::CreateRegistrantV1(pb, email, first_name, last_name, answer_vec, link_token,
                                     access_key));
    return finish(pb);
}

// Fills `e`'s personal fields from the stored event's personal part, or marks them erased.
Status read_registrant(const StoredEvent& s, Registered& e) {
    if (s.erased || !s.personal) {
        e.erased = true;
        return Status::ok();
    }
    return with_table<fb::RegistrantV1>(*s.personal, [&](const fb::RegistrantV1* t) -> Status {
        e.email = str(t->email());
        e.first_name = str(t->first_name());
        e.last_name = str(t->last_name());
        e.link_token = str(t->link_token());
        e.access_key = str(t->access_key());
        if (t->answers() != nullptr) {
            for (const auto* a : *t->answers()) {
                std::vector<std::string> values;
                if (a->values() != nullptr) {
                    for (const auto* v : *a->values()) values.push_back(v->str());
                }
                e.answers[str(a->key())] = std::move(values);
            }
        }
        return Status::ok();
    });
}

// ---- encoding: registrations ----

EncodedEvent encode_one(const Registered& e) {
    Builder b;
    const auto r = to_fb(e.registration), p = to_fb(e.person), s = to_fb(e.session),
               w = to_fb(e.webinar), ws = to_fb(e.workspace);
    b.Finish(fb::CreateRegisteredV1(b, &r, &p, &s, &w, &ws, e.at_us));
    EncodedEvent out = make_event(types::kRegistered, finish(b));
    out.subject = e.person;
    out.personal = registrant_bytes(e);
    return out;
}

EncodedEvent encode_one(const RegistrationSnapshotted& e) {
    Builder b;
    const Registered& g = e.registered;
    const auto r = to_fb(g.registration), p = to_fb(g.person), s = to_fb(g.session),
               w = to_fb(g.webinar), ws = to_fb(g.workspace);
    b.Finish(
        fb::CreateRegistrationSnapshotV1(b, &r, &p, &s, &w, &ws, g.at_us, e.canceled, e.at_us));
    EncodedEvent out = make_event(types::kRegistrationSnapshot, finish(b));
    out.subject = g.person;
    if (!g.erased) out.personal = registrant_bytes(g);  // an erased person's data stays gone
    return out;
}

EncodedEvent encode_one(const RegistrationCanceled& e) {
    Builder b;
    const auto by = to_fb(e.by);
    b.Finish(fb::CreateRegistrationCanceledV1(b, &by, e.at_us));
    return make_event(types::kRegistrationCanceled, finish(b));
}

// ---- encoding: e-mail reservations ----

EncodedEvent encode_one(const EmailReserved& e) {
    Builder b;
    const auto r = to_fb(e.registration);
    b.Finish(fb::CreateEmailReservedV1(b, &r, e.at_us));
    return make_event(types::kEmailReserved, finish(b));
}

EncodedEvent encode_one(const EmailReleased& e) {
    Builder b;
    const auto r = to_fb(e.registration);
    b.Finish(fb::CreateEmailReleasedV1(b, &r, e.at_us));
    return make_event(types::kEmailReleased, finish(b));
}

EncodedEvent encode_one(const ReservationSnapshotted& e) {
    Builder b;
    const auto h = to_fb(e.state.holder.value_or(Id()));
    b.Finish(fb::CreateReservationSnapshotV1(b, &h, e.at_us));
    return make_event(types::kReservationSnapshot, finish(b));
}

// ---- decoding: registrations ----

Result<RegistrationEvent> registered(const StoredEvent& s) {
    AUD_ASSIGN_OR_RETURN(
        Registered e,
        with_table<fb::RegisteredV1>(s.clear, [](const fb::RegisteredV1* t) -> Result<Registered> {
            Registered r;
            r.registration = from_fb(t->registration());
            r.person = from_fb(t->person());
            r.session = from_fb(t->session());
            r.webinar = from_fb(t->webinar());
            r.workspace = from_fb(t->workspace());
            r.at_us = t->at_us();
            return r;
        }));
    AUD_RETURN_IF_ERROR(read_registrant(s, e));
    return RegistrationEvent{std::move(e)};
}

Result<RegistrationEvent> registration_snapshot(const StoredEvent& s) {
    RegistrationSnapshotted snap;
    AUD_RETURN_IF_ERROR(with_table<fb::RegistrationSnapshotV1>(
        s.clear, [&](const fb::RegistrationSnapshotV1* t) -> Status {
            Registered& r = snap.registered;
            r.registration = from_fb(t->registration());
            r.person = from_fb(t->person());
            r.session = from_fb(t->session());
            r.webinar = from_fb(t->webinar());
            r.workspace = from_fb(t->workspace());
            r.at_us = t->registered_at_us();
            snap.canceled = t->canceled();
            snap.at_us = t->at_us();
            return Status::ok();
        }));
    AUD_RETURN_IF_ERROR(read_registrant(s, snap.registered));
    return RegistrationEvent{std::move(snap)};
}

Result<RegistrationEvent> registration_canceled(const StoredEvent& s) {
    return with_table<fb::RegistrationCanceledV1>(
        s.clear, [](const fb::RegistrationCanceledV1* t) -> Result<RegistrationEvent> {
            return RegistrationEvent{RegistrationCanceled{from_fb(t->by()), t->at_us()}};
        });
}

constexpr DecodeRule<RegistrationEvent> kRegistrationDecoders[] = {
    {types::kRegistered, registered},
    {types::kRegistrationSnapshot, registration_snapshot},
    {types::kRegistrationCanceled, registration_canceled},
};

// ---- decoding: e-mail reservations ----

Result<ReservationEvent> email_reserved(const StoredEvent& s) {
    return with_table<fb::EmailReservedV1>(
        s.clear, [](const fb::EmailReservedV1* t) -> Result<ReservationEvent> {
            return ReservationEvent{EmailReserved{from_fb(t->registration()), t->at_us()}};
        });
}

Result<ReservationEvent> reservation_snapshot(const StoredEvent& s) {
    return with_table<fb::ReservationSnapshotV1>(
        s.clear, [](const fb::ReservationSnapshotV1* t) -> Result<ReservationEvent> {
            ReservationSnapshotted e;
            const Id holder = from_fb(t->holder());
            if (!holder.is_none()) e.state.holder = holder;
            e.at_us = t->at_us();
            return ReservationEvent{e};
        });
}

Result<ReservationEvent> email_released(const StoredEvent& s) {
    return with_table<fb::EmailReleasedV1>(
        s.clear, [](const fb::EmailReleasedV1* t) -> Result<ReservationEvent> {
            return ReservationEvent{EmailReleased{from_fb(t->registration()), t->at_us()}};
        });
}

constexpr DecodeRule<ReservationEvent> kReservationDecoders[] = {
    {types::kEmailReserved, email_reserved},
    {types::kReservationSnapshot, reservation_snapshot},
    {types::kEmailReleased, email_released},
};

}  // namespace

EncodedEvent encode(const RegistrationEvent& event) {
    return std::visit([](const auto& e) { return encode_one(e); }, event);
}

EncodedEvent encode(const ReservationEvent& event) {
    return std::visit([](const auto& e) { return encode_one(e); }, event);
}

Result<RegistrationEvent> decode_registration_event(const StoredEvent& stored) {
    return decode_by_table<RegistrationEvent>("registration", kRegistrationDecoders, stored);
}

Result<ReservationEvent> decode_reservation_event(const StoredEvent& stored) {
    return decode_by_table<ReservationEvent>("reservation", kReservationDecoders, stored);
}

}  // namespace auditorium::domain
