// The webinar's and the session's events <-> their stored form (event_codec.hpp): one encoder per
// event and a decoder table per aggregate, keyed by type name and version.
#include <vector>

#include "domain/event_codec.hpp"
#include "domain/internal/codec_support.hpp"

namespace auditorium::domain {

namespace {

using namespace internal;
namespace types = event_types;

Result<SessionStatus> status_of(std::uint8_t v) {
    if (v > static_cast<std::uint8_t>(SessionStatus::kOnDemand))
        return corruption("unknown session status");
    return static_cast<SessionStatus>(v);
}

flatbuffers::Offset<fb::WebinarSettingsV1> settings_to_fb(Builder& b, const WebinarSettings& s) {
    std::vector<flatbuffers::Offset<fb::RegistrationFieldV1>> fields;
    for (const auto& f : s.fields) {
        std::vector<flatbuffers::Offset<flatbuffers::String>> options;
        for (const auto& o : f.options) options.push_back(b.CreateString(o));
        // One builder call per statement, last argument first: the bytes must not depend on the
        // compiler's order of evaluating arguments, and this is the order GCC used when the stored
        // bytes were first written (domain/event_codec.hpp).
        const auto option_vec = b.CreateVector(options);
        const auto label = b.CreateString(f.label);
        const auto key = b.CreateString(f.key);
        fields.push_back(
            fb::CreateRegistrationFieldV1(b, key, label, u8(f.kind), option_vec, f.required));
    }
    const auto field_vec = b.CreateVector(fields);
    const auto language = b.CreateString(s.language);
    const auto description = b.CreateString(s.description);
    const auto slug = b.CreateString(s.slug);
    const auto title = b.CreateString(s.title);
    return fb::CreateWebinarSettingsV1(b, title, slug, description, language, s.is_public,
                                       s.registration_page_enabled, s.replay_enabled, field_vec);
}

Result<WebinarSettings> settings_from_fb(const fb::WebinarSettingsV1* s) {
    if (s == nullptr) return corruption("webinar settings missing");
    WebinarSettings out;
    out.title = str(s->title());
    out.slug = str(s->slug());
    out.description = str(s->description());
    out.language = str(s->language());
    out.is_public = s->is_public();
    out.registration_page_enabled = s->registration_page_enabled();
    out.replay_enabled = s->replay_enabled();
    if (s->fields() != nullptr) {
        for (const auto* f : *s->fields()) {
            if (f->kind() > u8(RegistrationField::Kind::kMultipleChoice))
                return corruption("unknown field kind");
            RegistrationField field{str(f->key()),
                                    str(f->label()),
                                    static_cast<RegistrationField::Kind>(f->kind()),
                                    {},
                                    f->required()};
            if (f->options() != nullptr) {
                for (const auto* o : *f->options()) field.options.push_back(o->str());
            }
            out.fields.push_back(std::move(field));
        }
    }
    return out;
}

// ---- encoding: webinars ----

EncodedEvent encode_one(const WebinarCreated& e) {
    Builder b;
    const auto w = to_fb(e.webinar), ws = to_fb(e.workspace), o = to_fb(e.owner);
    const auto s = settings_to_fb(b, e.settings);
    b.Finish(fb::CreateWebinarCreatedV1(b, &w, &ws, &o, s, e.at_us));
    return make_event(types::kWebinarCreated, finish(b));
}

EncodedEvent encode_one(const WebinarEdited& e) {
    Builder b;
    const auto by = to_fb(e.by);
    const auto s = settings_to_fb(b, e.settings);
    b.Finish(fb::CreateWebinarEditedV1(b, &by, s, e.at_us));
    return make_event(types::kWebinarEdited, finish(b));
}

EncodedEvent encode_one(const WebinarPublished& e) {
    Builder b;
    const auto by = to_fb(e.by);
    b.Finish(fb::CreateWebinarPublishedV1(b, &by, e.at_us));
    return make_event(types::kWebinarPublished, finish(b));
}

EncodedEvent encode_one(const ModeratorAssigned& e) {
    Builder b;
    const auto by = to_fb(e.by), m = to_fb(e.member);
    b.Finish(fb::CreateModeratorAssignedV1(b, &by, &m, e.at_us));
    return make_event(types::kModeratorAssigned, finish(b));
}

EncodedEvent encode_one(const WebinarDeleted& e) {
    Builder b;
    const auto by = to_fb(e.by);
    b.Finish(fb::CreateWebinarDeletedV1(b, &by, e.at_us));
    return make_event(types::kWebinarDeleted, finish(b));
}

// The guest's name and address are the personal part, sealed under the guest's key.
EncodedEvent encode_one(const GuestSpeakerInvited& e) {
    Builder b;
    const auto by = to_fb(e.by), g = to_fb(e.guest);
    b.Finish(fb::CreateGuestSpeakerInvitedV1(b, &by, &g, e.at_us));
    EncodedEvent out = make_event(types::kGuestSpeakerInvited, finish(b));
    Builder pb;
    // One builder call per statement, last argument first: the bytes must not depend on the
    // compiler's order of evaluating arguments, and this is the order GCC used when the stored
    // bytes were first written (domain/event_codec.hpp).
    const auto last_name = pb.CreateString(e.last_name);
    const auto first_name = pb.CreateString(e.first_name);
    const auto email = pb.CreateString(e.email);
    pb.Finish(fb::CreateGuestV1(pb, email, first_name, last_name));
    out.subject = e.guest;
    if (!e.erased) out.personal = finish(pb);
    return out;
}

EncodedEvent encode_one(const GuestSpeakerRevoked& e) {
    Builder b;
    const auto by = to_fb(e.by), g = to_fb(e.guest);
    b.Finish(fb::CreateGuestSpeakerRevokedV1(b, &by, &g, e.at_us));
    return make_event(types::kGuestSpeakerRevoked, finish(b));
}

EncodedEvent encode_one(const WebinarSnapshotted& e) {
    Builder b;
    const WebinarState& st = e.state;
    const auto settings = settings_to_fb(b, st.settings);
    std::vector<fb::Id128> moderators;
    for (const auto& m : st.moderators) moderators.push_back(to_fb(m));
    const auto mods = b.CreateVectorOfStructs(moderators);
    std::vector<fb::Id128> guests;
    for (const auto& g : st.guests) guests.push_back(to_fb(g));
    const auto gs = b.CreateVectorOfStructs(guests);
    const auto w = to_fb(st.id), ws = to_fb(st.workspace), o = to_fb(st.owner);
    b.Finish(fb::CreateWebinarSnapshotV1(b, &w, &ws, &o, settings, st.published, st.deleted, mods,
                                         e.at_us, gs));
    return make_event(types::kWebinarSnapshot, finish(b));
}

// ---- encoding: sessions ----

EncodedEvent encode_one(const SessionScheduled& e) {
    Builder b;
    const auto s = to_fb(e.session), w = to_fb(e.webinar), ws = to_fb(e.workspace),
               h = to_fb(e.host), by = to_fb(e.by);
    b.Finish(fb::CreateSessionScheduledV1(b, &s, &w, &ws, &h, e.starts_at_us,
                                          b.CreateString(e.time_zone), e.duration_minutes, &by,
                                          e.at_us));
    return make_event(types::kSessionScheduled, finish(b));
}

EncodedEvent encode_one(const SessionStatusChanged& e) {
    Builder b;
    const auto by = to_fb(e.by);
    b.Finish(fb::CreateSessionStatusChangedV1(b, u8(e.from), u8(e.to), &by, e.at_us));
    return make_event(types::kSessionStatusChanged, finish(b));
}

EncodedEvent encode_one(const SessionDeleted& e) {
    Builder b;
    const auto by = to_fb(e.by);
    b.Finish(fb::CreateSessionDeletedV1(b, &by, e.at_us));
    return make_event(types::kSessionDeleted, finish(b));
}

EncodedEvent encode_one(const SessionSnapshotted& e) {
    Builder b;
    const SessionState& st = e.state;
    const auto s = to_fb(st.id), w = to_fb(st.webinar), ws = to_fb(st.workspace),
               h = to_fb(st.host);
    b.Finish(fb::CreateSessionSnapshotV1(b, &s, &w, &ws, &h, st.starts_at_us,
                                         b.CreateString(st.time_zone), st.duration_minutes,
                                         u8(st.status), e.at_us, st.deleted));
    return make_event(types::kSessionSnapshot, finish(b));
}

// ---- decoding: webinars ----

Result<WebinarEvent> webinar_created(const StoredEvent& s) {
    return with_table<fb::WebinarCreatedV1>(
        s.clear, [](const fb::WebinarCreatedV1* t) -> Result<WebinarEvent> {
            AUD_ASSIGN_OR_RETURN(WebinarSettings settings, settings_from_fb(t->settings()));
            return WebinarEvent{WebinarCreated{from_fb(t->webinar()), from_fb(t->workspace()),
                                               from_fb(t->owner()), std::move(settings),
                                               t->at_us()}};
        });
}

Result<WebinarEvent> webinar_edited(const StoredEvent& s) {
    return with_table<fb::WebinarEditedV1>(
        s.clear, [](const fb::WebinarEditedV1* t) -> Result<WebinarEvent> {
            AUD_ASSIGN_OR_RETURN(WebinarSettings settings, settings_from_fb(t->settings()));
            return WebinarEvent{WebinarEdited{from_fb(t->by()), std::move(settings), t->at_us()}};
        });
}

Result<WebinarEvent> webinar_published(const StoredEvent& s) {
    return with_table<fb::WebinarPublishedV1>(
        s.clear, [](const fb::WebinarPublishedV1* t) -> Result<WebinarEvent> {
            return WebinarEvent{WebinarPublished{from_fb(t->by()), t->at_us()}};
        });
}

Result<WebinarEvent> moderator_assigned(const StoredEvent& s) {
    return with_table<fb::ModeratorAssignedV1>(
        s.clear, [](const fb::ModeratorAssignedV1* t) -> Result<WebinarEvent> {
            return WebinarEvent{
                ModeratorAssigned{from_fb(t->by()), from_fb(t->member()), t->at_us()}};
        });
}

Result<WebinarEvent> webinar_snapshot(const StoredEvent& s) {
    return with_table<fb::WebinarSnapshotV1>(
        s.clear, [](const fb::WebinarSnapshotV1* t) -> Result<WebinarEvent> {
            WebinarSnapshotted e;
            AUD_ASSIGN_OR_RETURN(e.state.settings, settings_from_fb(t->settings()));
            e.state.exists = true;
            e.state.id = from_fb(t->webinar());
            e.state.workspace = from_fb(t->workspace());
            e.state.owner = from_fb(t->owner());
            e.state.published = t->published();
            e.state.deleted = t->deleted();
            if (t->moderators() != nullptr) {
                for (const auto* m : *t->moderators()) e.state.moderators.insert(from_fb(m));
            }
            if (t->guests() != nullptr) {
                for (const auto* g : *t->guests()) e.state.guests.insert(from_fb(g));
            }
            e.at_us = t->at_us();
            return WebinarEvent{std::move(e)};
        });
}

// The guest's personal part reads as erased when it was erased or never written.
Result<WebinarEvent> guest_speaker_invited(const StoredEvent& s) {
    AUD_ASSIGN_OR_RETURN(
        GuestSpeakerInvited e,
        with_table<fb::GuestSpeakerInvitedV1>(
            s.clear, [](const fb::GuestSpeakerInvitedV1* t) -> Result<GuestSpeakerInvited> {
                GuestSpeakerInvited g;
                g.by = from_fb(t->by());
                g.guest = from_fb(t->guest());
                g.at_us = t->at_us();
                return g;
            }));
    if (s.erased || !s.personal) {
        e.erased = true;
    } else {
        AUD_RETURN_IF_ERROR(
            with_table<fb::GuestV1>(*s.personal, [&](const fb::GuestV1* t) -> Status {
                e.email = str(t->email());
                e.first_name = str(t->first_name());
                e.last_name = str(t->last_name());
                return Status::ok();
            }));
    }
    return WebinarEvent{std::move(e)};
}

Result<WebinarEvent> guest_speaker_revoked(const StoredEvent& s) {
    return with_table<fb::GuestSpeakerRevokedV1>(
        s.clear, [](const fb::GuestSpeakerRevokedV1* t) -> Result<WebinarEvent> {
            return WebinarEvent{
                GuestSpeakerRevoked{from_fb(t->by()), from_fb(t->guest()), t->at_us()}};
        });
}

Result<WebinarEvent> webinar_deleted(const StoredEvent& s) {
    return with_table<fb::WebinarDeletedV1>(
        s.clear, [](const fb::WebinarDeletedV1* t) -> Result<WebinarEvent> {
            return WebinarEvent{WebinarDeleted{from_fb(t->by()), t->at_us()}};
        });
}

constexpr DecodeRule<WebinarEvent> kWebinarDecoders[] = {
    {types::kWebinarCreated, webinar_created},
    {types::kWebinarEdited, webinar_edited},
    {types::kWebinarPublished, webinar_published},
    {types::kModeratorAssigned, moderator_assigned},
    {types::kWebinarSnapshot, webinar_snapshot},
    {types::kGuestSpeakerInvited, guest_speaker_invited},
    {types::kGuestSpeakerRevoked, guest_speaker_revoked},
    {types::kWebinarDeleted, webinar_deleted},
};

// ---- decoding: sessions ----

Result<SessionEvent> session_scheduled(const StoredEvent& s) {
    return with_table<fb::SessionScheduledV1>(
        s.clear, [](const fb::SessionScheduledV1* t) -> Result<SessionEvent> {
            return SessionEvent{SessionScheduled{
                from_fb(t->session()), from_fb(t->webinar()), from_fb(t->workspace()),
                from_fb(t->host()), t->starts_at_us(), str(t->time_zone()), t->duration_minutes(),
                from_fb(t->by()), t->at_us()}};
        });
}

Result<SessionEvent> session_snapshot(const StoredEvent& s) {
    return with_table<fb::SessionSnapshotV1>(
        s.clear, [](const fb::SessionSnapshotV1* t) -> Result<SessionEvent> {
            SessionSnapshotted e;
            AUD_ASSIGN_OR_RETURN(e.state.status, status_of(t->status()));
            e.state.exists = true;
            e.state.id = from_fb(t->session());
            e.state.webinar = from_fb(t->webinar());
            e.state.workspace = from_fb(t->workspace());
            e.state.host = from_fb(t->host());
            e.state.starts_at_us = t->starts_at_us();
            e.state.time_zone = str(t->time_zone());
            e.state.duration_minutes = t->duration_minutes();
            e.state.deleted = t->deleted();
            e.at_us = t->at_us();
            return SessionEvent{std::move(e)};
        });
}

Result<SessionEvent> session_deleted(const StoredEvent& s) {
    return with_table<fb::SessionDeletedV1>(
        s.clear, [](const fb::SessionDeletedV1* t) -> Result<SessionEvent> {
            return SessionEvent{SessionDeleted{from_fb(t->by()), t->at_us()}};
        });
}

Result<SessionEvent> session_status_changed(const StoredEvent& s) {
    return with_table<fb::SessionStatusChangedV1>(
        s.clear, [](const fb::SessionStatusChangedV1* t) -> Result<SessionEvent> {
            AUD_ASSIGN_OR_RETURN(SessionStatus from, status_of(t->from_status()));
            AUD_ASSIGN_OR_RETURN(SessionStatus to, status_of(t->to_status()));
            return SessionEvent{SessionStatusChanged{from, to, from_fb(t->by()), t->at_us()}};
        });
}

constexpr DecodeRule<SessionEvent> kSessionDecoders[] = {
    {types::kSessionScheduled, session_scheduled},
    {types::kSessionSnapshot, session_snapshot},
    {types::kSessionDeleted, session_deleted},
    {types::kSessionStatusChanged, session_status_changed},
};

}  // namespace

EncodedEvent encode(const WebinarEvent& event) {
    return std::visit([](const auto& e) { return encode_one(e); }, event);
}

EncodedEvent encode(const SessionEvent& event) {
    return std::visit([](const auto& e) { return encode_one(e); }, event);
}

Result<WebinarEvent> decode_webinar_event(const StoredEvent& stored) {
    return decode_by_table<WebinarEvent>("webinar", kWebinarDecoders, stored);
}

Result<SessionEvent> decode_session_event(const StoredEvent& stored) {
    return decode_by_table<SessionEvent>("session", kSessionDecoders, stored);
}

}  // namespace auditorium::domain
