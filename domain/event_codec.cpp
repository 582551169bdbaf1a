#include "domain/event_codec.hpp"

#include <flatbuffers/flatbuffers.h>

#include <cstring>
#include <vector>

#include "domain/internal/checks.hpp"
#include "domain/schema/events_generated.h"

namespace auditorium::domain {

namespace {

using internal::Overloaded;
namespace fb = auditorium::domain::fb;
using Builder = flatbuffers::FlatBufferBuilder;

fb::Id128 to_fb(const Id& id) { return fb::Id128(flatbuffers::span<const std::uint8_t, 16>(id.bytes().data(), 16)); }

Id from_fb(const fb::Id128* id) {
    if (id == nullptr) return Id();
    Id::Bytes b{};
    std::memcpy(b.data(), id->bytes()->data(), b.size());
    return Id(b);
}

std::string str(const flatbuffers::String* s) { return s == nullptr ? std::string() : s->str(); }

std::string finish(Builder& b) { return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()); }

EncodedEvent make_event(std::string type, std::string clear) {
    EncodedEvent e;
    e.type = std::move(type);
    e.clear = std::move(clear);
    return e;
}

// Checks `bytes` as a T and hands it to `read`. flatbuffers reads scalars in place, so a buffer
// not aligned as it was built (8 bytes) is copied first.
template <class T, class F>
auto with_table(std::string_view bytes, F&& read) -> decltype(read(static_cast<const T*>(nullptr))) {
    std::vector<std::uint64_t> aligned;
    if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(std::uint64_t) != 0) {
        aligned.resize((bytes.size() + 7) / 8);
        std::memcpy(aligned.data(), bytes.data(), bytes.size());
        bytes = std::string_view(reinterpret_cast<const char*>(aligned.data()), bytes.size());
    }
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    flatbuffers::Verifier verifier(data, bytes.size());
    if (!verifier.VerifyBuffer<T>(nullptr)) return corruption("event bytes fail the format check");
    return read(flatbuffers::GetRoot<T>(data));
}

Result<WorkspaceRole> role_of(std::uint8_t v) {
    if (v > static_cast<std::uint8_t>(WorkspaceRole::kCompliance)) return corruption("unknown workspace role");
    return static_cast<WorkspaceRole>(v);
}

Result<SessionStatus> status_of(std::uint8_t v) {
    if (v > static_cast<std::uint8_t>(SessionStatus::kOnDemand)) return corruption("unknown session status");
    return static_cast<SessionStatus>(v);
}

std::uint8_t u8(auto e) { return static_cast<std::uint8_t>(e); }

Status wrong_type(std::string_view family, const StoredEvent& s) {
    return invalid_argument("not a " + std::string(family) + " event this build knows: " + std::string(s.type) +
                            " version " + std::to_string(s.schema_version));
}

// ---- webinar settings ----

flatbuffers::Offset<fb::WebinarSettingsV1> settings_to_fb(Builder& b, const WebinarSettings& s) {
    std::vector<flatbuffers::Offset<fb::RegistrationFieldV1>> fields;
    for (const auto& f : s.fields) {
        std::vector<flatbuffers::Offset<flatbuffers::String>> options;
        for (const auto& o : f.options) options.push_back(b.CreateString(o));
        fields.push_back(fb::CreateRegistrationFieldV1(b, b.CreateString(f.key), b.CreateString(f.label), u8(f.kind),
                                                       b.CreateVector(options), f.required));
    }
    return fb::CreateWebinarSettingsV1(b, b.CreateString(s.title), b.CreateString(s.slug), b.CreateString(s.description),
                                       b.CreateString(s.language), s.is_public, s.registration_page_enabled,
                                       s.replay_enabled, b.CreateVector(fields));
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
            if (f->kind() > u8(RegistrationField::Kind::kMultipleChoice)) return corruption("unknown field kind");
            RegistrationField field{str(f->key()), str(f->label()), static_cast<RegistrationField::Kind>(f->kind()), {},
                                    f->required()};
            if (f->options() != nullptr) {
                for (const auto* o : *f->options()) field.options.push_back(o->str());
            }
            out.fields.push_back(std::move(field));
        }
    }
    return out;
}

// The personal part of a registration: what is sealed under the person's key.
std::string registrant_bytes(const Registered& e) {
    Builder pb;
    std::vector<flatbuffers::Offset<fb::AnswerV1>> answers;
    for (const auto& [key, values] : e.answers) {
        std::vector<flatbuffers::Offset<flatbuffers::String>> vs;
        for (const auto& v : values) vs.push_back(pb.CreateString(v));
        answers.push_back(fb::CreateAnswerV1(pb, pb.CreateString(key), pb.CreateVector(vs)));
    }
    pb.Finish(fb::CreateRegistrantV1(pb, pb.CreateString(e.email), pb.CreateString(e.first_name),
                                     pb.CreateString(e.last_name), pb.CreateVector(answers),
                                     pb.CreateString(e.link_token), pb.CreateString(e.access_key)));
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

}  // namespace

// ---- encoding ----

EncodedEvent encode(const WorkspaceEvent& event) {
    Builder b;
    return std::visit(
        Overloaded{
            [&](const WorkspaceCreated& e) {
                const auto w = to_fb(e.workspace), o = to_fb(e.owner);
                b.Finish(fb::CreateWorkspaceCreatedV1(b, &w, b.CreateString(e.name), b.CreateString(e.slug), &o, e.at_us));
                return make_event("workspace.created", finish(b));
            },
            [&](const WorkspaceSettingsChanged& e) {
                const auto by = to_fb(e.by);
                const auto name = e.name ? b.CreateString(*e.name) : flatbuffers::Offset<flatbuffers::String>();
                fb::WorkspaceSettingsChangedV1Builder t(b);
                t.add_by(&by);
                if (e.name) t.add_name(name);
                if (e.company_page_enabled) t.add_company_page_enabled(*e.company_page_enabled);
                t.add_at_us(e.at_us);
                b.Finish(t.Finish());
                return make_event("workspace.settings_changed", finish(b));
            },
            [&](const MemberInvited& e) {
                const auto by = to_fb(e.by), m = to_fb(e.member);
                b.Finish(fb::CreateMemberInvitedV1(b, &by, &m, u8(e.role), e.at_us));
                return make_event("workspace.member_invited", finish(b));
            },
            [&](const MemberRoleChanged& e) {
                const auto by = to_fb(e.by), m = to_fb(e.member);
                b.Finish(fb::CreateMemberRoleChangedV1(b, &by, &m, u8(e.from), u8(e.to), e.at_us));
                return make_event("workspace.member_role_changed", finish(b));
            },
            [&](const MemberRemoved& e) {
                const auto by = to_fb(e.by), m = to_fb(e.member);
                b.Finish(fb::CreateMemberRemovedV1(b, &by, &m, e.at_us));
                return make_event("workspace.member_removed", finish(b));
            },
            [&](const WorkspaceDeleted& e) {
                const auto by = to_fb(e.by);
                b.Finish(fb::CreateWorkspaceDeletedV1(b, &by, e.at_us));
                return make_event("workspace.deleted", finish(b));
            },
            [&](const ApiTokenCreated& e) {
                const auto by = to_fb(e.by), t = to_fb(e.token);
                b.Finish(fb::CreateApiTokenCreatedV1(b, &by, &t, b.CreateString(e.name), e.at_us));
                return make_event("workspace.api_token_created", finish(b));
            },
            [&](const ApiTokenRevoked& e) {
                const auto by = to_fb(e.by), t = to_fb(e.token);
                b.Finish(fb::CreateApiTokenRevokedV1(b, &by, &t, e.at_us));
                return make_event("workspace.api_token_revoked", finish(b));
            },
            [&](const PrivacyRequested& e) {
                const auto by = to_fb(e.by), r = to_fb(e.request), subject = to_fb(e.subject);
                b.Finish(fb::CreatePrivacyRequestedV1(b, &by, &r, u8(e.kind), &subject, e.at_us));
                return make_event("workspace.privacy_requested", finish(b));
            },
            [&](const AuditExportRequested& e) {
                const auto by = to_fb(e.by), r = to_fb(e.request);
                b.Finish(fb::CreateAuditExportRequestedV1(b, &by, &r, e.since_us, e.until_us, e.at_us));
                return make_event("workspace.audit_export_requested", finish(b));
            },
            [&](const WorkspaceSnapshotted& e) {
                std::vector<flatbuffers::Offset<fb::MemberV1>> members;
                for (const auto& [member, role] : e.state.members) {
                    const auto m = to_fb(member);
                    members.push_back(fb::CreateMemberV1(b, &m, u8(role)));
                }
                std::vector<flatbuffers::Offset<fb::ApiTokenV1>> tokens;
                for (const auto& [token, name] : e.state.api_tokens) {
                    const auto t = to_fb(token);
                    tokens.push_back(fb::CreateApiTokenV1(b, &t, b.CreateString(name)));
                }
                const auto w = to_fb(e.state.id);
                const auto name = b.CreateString(e.state.name), slug = b.CreateString(e.state.slug);
                const auto member_vec = b.CreateVector(members);
                const auto token_vec = b.CreateVector(tokens);
                b.Finish(fb::CreateWorkspaceSnapshotV1(b, &w, name, slug, e.state.company_page_enabled, member_vec,
                                                       e.at_us, token_vec, e.state.deleted));
                return make_event("workspace.snapshot", finish(b));
            },
        },
        event);
}

EncodedEvent encode(const WebinarEvent& event) {
    Builder b;
    return std::visit(
        Overloaded{
            [&](const WebinarCreated& e) {
                const auto w = to_fb(e.webinar), ws = to_fb(e.workspace), o = to_fb(e.owner);
                const auto s = settings_to_fb(b, e.settings);
                b.Finish(fb::CreateWebinarCreatedV1(b, &w, &ws, &o, s, e.at_us));
                return make_event("webinar.created", finish(b));
            },
            [&](const WebinarEdited& e) {
                const auto by = to_fb(e.by);
                const auto s = settings_to_fb(b, e.settings);
                b.Finish(fb::CreateWebinarEditedV1(b, &by, s, e.at_us));
                return make_event("webinar.edited", finish(b));
            },
            [&](const WebinarPublished& e) {
                const auto by = to_fb(e.by);
                b.Finish(fb::CreateWebinarPublishedV1(b, &by, e.at_us));
                return make_event("webinar.published", finish(b));
            },
            [&](const ModeratorAssigned& e) {
                const auto by = to_fb(e.by), m = to_fb(e.member);
                b.Finish(fb::CreateModeratorAssignedV1(b, &by, &m, e.at_us));
                return make_event("webinar.moderator_assigned", finish(b));
            },
            [&](const WebinarDeleted& e) {
                const auto by = to_fb(e.by);
                b.Finish(fb::CreateWebinarDeletedV1(b, &by, e.at_us));
                return make_event("webinar.deleted", finish(b));
            },
            [&](const GuestSpeakerInvited& e) {
                const auto by = to_fb(e.by), g = to_fb(e.guest);
                b.Finish(fb::CreateGuestSpeakerInvitedV1(b, &by, &g, e.at_us));
                EncodedEvent out = make_event("webinar.guest_speaker_invited", finish(b));
                Builder pb;
                pb.Finish(fb::CreateGuestV1(pb, pb.CreateString(e.email), pb.CreateString(e.first_name),
                                            pb.CreateString(e.last_name)));
                out.subject = e.guest;
                if (!e.erased) out.personal = finish(pb);
                return out;
            },
            [&](const GuestSpeakerRevoked& e) {
                const auto by = to_fb(e.by), g = to_fb(e.guest);
                b.Finish(fb::CreateGuestSpeakerRevokedV1(b, &by, &g, e.at_us));
                return make_event("webinar.guest_speaker_revoked", finish(b));
            },
            [&](const WebinarSnapshotted& e) {
                const WebinarState& st = e.state;
                const auto settings = settings_to_fb(b, st.settings);
                std::vector<fb::Id128> moderators;
                for (const auto& m : st.moderators) moderators.push_back(to_fb(m));
                const auto mods = b.CreateVectorOfStructs(moderators);
                std::vector<fb::Id128> guests;
                for (const auto& g : st.guests) guests.push_back(to_fb(g));
                const auto gs = b.CreateVectorOfStructs(guests);
                const auto w = to_fb(st.id), ws = to_fb(st.workspace), o = to_fb(st.owner);
                b.Finish(fb::CreateWebinarSnapshotV1(b, &w, &ws, &o, settings, st.published, st.deleted, mods, e.at_us,
                                                     gs));
                return make_event("webinar.snapshot", finish(b));
            },
        },
        event);
}

EncodedEvent encode(const SessionEvent& event) {
    Builder b;
    return std::visit(
        Overloaded{
            [&](const SessionScheduled& e) {
                const auto s = to_fb(e.session), w = to_fb(e.webinar), ws = to_fb(e.workspace), h = to_fb(e.host),
                           by = to_fb(e.by);
                b.Finish(fb::CreateSessionScheduledV1(b, &s, &w, &ws, &h, e.starts_at_us, b.CreateString(e.time_zone),
                                                      e.duration_minutes, &by, e.at_us));
                return make_event("session.scheduled", finish(b));
            },
            [&](const SessionStatusChanged& e) {
                const auto by = to_fb(e.by);
                b.Finish(fb::CreateSessionStatusChangedV1(b, u8(e.from), u8(e.to), &by, e.at_us));
                return make_event("session.status_changed", finish(b));
            },
            [&](const SessionDeleted& e) {
                const auto by = to_fb(e.by);
                b.Finish(fb::CreateSessionDeletedV1(b, &by, e.at_us));
                return make_event("session.deleted", finish(b));
            },
            [&](const SessionSnapshotted& e) {
                const SessionState& st = e.state;
                const auto s = to_fb(st.id), w = to_fb(st.webinar), ws = to_fb(st.workspace), h = to_fb(st.host);
                b.Finish(fb::CreateSessionSnapshotV1(b, &s, &w, &ws, &h, st.starts_at_us, b.CreateString(st.time_zone),
                                                     st.duration_minutes, u8(st.status), e.at_us, st.deleted));
                return make_event("session.snapshot", finish(b));
            },
        },
        event);
}

EncodedEvent encode(const RegistrationEvent& event) {
    Builder b;
    return std::visit(
        Overloaded{
            [&](const Registered& e) {
                const auto r = to_fb(e.registration), p = to_fb(e.person), s = to_fb(e.session), w = to_fb(e.webinar),
                           ws = to_fb(e.workspace);
                b.Finish(fb::CreateRegisteredV1(b, &r, &p, &s, &w, &ws, e.at_us));
                EncodedEvent out = make_event("registration.created", finish(b));
                out.subject = e.person;
                out.personal = registrant_bytes(e);
                return out;
            },
            [&](const RegistrationSnapshotted& e) {
                const Registered& g = e.registered;
                const auto r = to_fb(g.registration), p = to_fb(g.person), s = to_fb(g.session), w = to_fb(g.webinar),
                           ws = to_fb(g.workspace);
                b.Finish(fb::CreateRegistrationSnapshotV1(b, &r, &p, &s, &w, &ws, g.at_us, e.canceled, e.at_us));
                EncodedEvent out = make_event("registration.snapshot", finish(b));
                out.subject = g.person;
                if (!g.erased) out.personal = registrant_bytes(g);  // an erased person's data stays gone
                return out;
            },
            [&](const RegistrationCanceled& e) {
                const auto by = to_fb(e.by);
                b.Finish(fb::CreateRegistrationCanceledV1(b, &by, e.at_us));
                return make_event("registration.canceled", finish(b));
            },
        },
        event);
}

EncodedEvent encode(const ReservationEvent& event) {
    Builder b;
    return std::visit(Overloaded{
                          [&](const EmailReserved& e) {
                              const auto r = to_fb(e.registration);
                              b.Finish(fb::CreateEmailReservedV1(b, &r, e.at_us));
                              return make_event("registration.email_reserved", finish(b));
                          },
                          [&](const EmailReleased& e) {
                              const auto r = to_fb(e.registration);
                              b.Finish(fb::CreateEmailReleasedV1(b, &r, e.at_us));
                              return make_event("registration.email_released", finish(b));
                          },
                          [&](const ReservationSnapshotted& e) {
                              const auto h = to_fb(e.state.holder.value_or(Id()));
                              b.Finish(fb::CreateReservationSnapshotV1(b, &h, e.at_us));
                              return make_event("registration.reservation_snapshot", finish(b));
                          },
                      },
                      event);
}

// ---- decoding ----

Result<WorkspaceEvent> decode_workspace_event(const StoredEvent& s) {
    if (s.schema_version != 1) return wrong_type("workspace", s);
    if (s.type == "workspace.created") {
        return with_table<fb::WorkspaceCreatedV1>(s.clear, [](const fb::WorkspaceCreatedV1* t) -> Result<WorkspaceEvent> {
            return WorkspaceEvent{WorkspaceCreated{from_fb(t->workspace()), str(t->name()), str(t->slug()),
                                                   from_fb(t->owner()), t->at_us()}};
        });
    }
    if (s.type == "workspace.settings_changed") {
        return with_table<fb::WorkspaceSettingsChangedV1>(
            s.clear, [](const fb::WorkspaceSettingsChangedV1* t) -> Result<WorkspaceEvent> {
                WorkspaceSettingsChanged e;
                e.by = from_fb(t->by());
                if (t->name() != nullptr) e.name = t->name()->str();
                if (t->company_page_enabled()) e.company_page_enabled = *t->company_page_enabled();
                e.at_us = t->at_us();
                return WorkspaceEvent{std::move(e)};
            });
    }
    if (s.type == "workspace.member_invited") {
        return with_table<fb::MemberInvitedV1>(s.clear, [](const fb::MemberInvitedV1* t) -> Result<WorkspaceEvent> {
            AUD_ASSIGN_OR_RETURN(WorkspaceRole role, role_of(t->role()));
            return WorkspaceEvent{MemberInvited{from_fb(t->by()), from_fb(t->member()), role, t->at_us()}};
        });
    }
    if (s.type == "workspace.member_role_changed") {
        return with_table<fb::MemberRoleChangedV1>(
            s.clear, [](const fb::MemberRoleChangedV1* t) -> Result<WorkspaceEvent> {
                AUD_ASSIGN_OR_RETURN(WorkspaceRole from, role_of(t->from_role()));
                AUD_ASSIGN_OR_RETURN(WorkspaceRole to, role_of(t->to_role()));
                return WorkspaceEvent{MemberRoleChanged{from_fb(t->by()), from_fb(t->member()), from, to, t->at_us()}};
            });
    }
    if (s.type == "workspace.snapshot") {
        return with_table<fb::WorkspaceSnapshotV1>(s.clear, [](const fb::WorkspaceSnapshotV1* t) -> Result<WorkspaceEvent> {
            WorkspaceSnapshotted e;
            e.state.exists = true;
            e.state.id = from_fb(t->workspace());
            e.state.name = str(t->name());
            e.state.slug = str(t->slug());
            e.state.company_page_enabled = t->company_page_enabled();
            if (t->members() != nullptr) {
                for (const auto* m : *t->members()) {
                    AUD_ASSIGN_OR_RETURN(WorkspaceRole role, role_of(m->role()));
                    e.state.members[from_fb(m->member())] = role;
                }
            }
            if (t->api_tokens() != nullptr) {
                for (const auto* k : *t->api_tokens()) e.state.api_tokens[from_fb(k->token())] = str(k->name());
            }
            e.state.deleted = t->deleted();
            e.at_us = t->at_us();
            return WorkspaceEvent{std::move(e)};
        });
    }
    if (s.type == "workspace.deleted") {
        return with_table<fb::WorkspaceDeletedV1>(s.clear, [](const fb::WorkspaceDeletedV1* t) -> Result<WorkspaceEvent> {
            return WorkspaceEvent{WorkspaceDeleted{from_fb(t->by()), t->at_us()}};
        });
    }
    if (s.type == "workspace.api_token_created") {
        return with_table<fb::ApiTokenCreatedV1>(s.clear, [](const fb::ApiTokenCreatedV1* t) -> Result<WorkspaceEvent> {
            return WorkspaceEvent{ApiTokenCreated{from_fb(t->by()), from_fb(t->token()), str(t->name()), t->at_us()}};
        });
    }
    if (s.type == "workspace.api_token_revoked") {
        return with_table<fb::ApiTokenRevokedV1>(s.clear, [](const fb::ApiTokenRevokedV1* t) -> Result<WorkspaceEvent> {
            return WorkspaceEvent{ApiTokenRevoked{from_fb(t->by()), from_fb(t->token()), t->at_us()}};
        });
    }
    if (s.type == "workspace.privacy_requested") {
        return with_table<fb::PrivacyRequestedV1>(s.clear, [](const fb::PrivacyRequestedV1* t) -> Result<WorkspaceEvent> {
            if (t->kind() > u8(PrivacyRequestKind::kReleaseHold)) return corruption("unknown privacy request kind");
            return WorkspaceEvent{PrivacyRequested{from_fb(t->by()), from_fb(t->request()),
                                                   static_cast<PrivacyRequestKind>(t->kind()), from_fb(t->subject()),
                                                   t->at_us()}};
        });
    }
    if (s.type == "workspace.audit_export_requested") {
        return with_table<fb::AuditExportRequestedV1>(
            s.clear, [](const fb::AuditExportRequestedV1* t) -> Result<WorkspaceEvent> {
                return WorkspaceEvent{AuditExportRequested{from_fb(t->by()), from_fb(t->request()), t->since_us(),
                                                           t->until_us(), t->at_us()}};
            });
    }
    if (s.type == "workspace.member_removed") {
        return with_table<fb::MemberRemovedV1>(s.clear, [](const fb::MemberRemovedV1* t) -> Result<WorkspaceEvent> {
            return WorkspaceEvent{MemberRemoved{from_fb(t->by()), from_fb(t->member()), t->at_us()}};
        });
    }
    return wrong_type("workspace", s);
}

Result<WebinarEvent> decode_webinar_event(const StoredEvent& s) {
    if (s.schema_version != 1) return wrong_type("webinar", s);
    if (s.type == "webinar.created") {
        return with_table<fb::WebinarCreatedV1>(s.clear, [](const fb::WebinarCreatedV1* t) -> Result<WebinarEvent> {
            AUD_ASSIGN_OR_RETURN(WebinarSettings settings, settings_from_fb(t->settings()));
            return WebinarEvent{WebinarCreated{from_fb(t->webinar()), from_fb(t->workspace()), from_fb(t->owner()),
                                               std::move(settings), t->at_us()}};
        });
    }
    if (s.type == "webinar.edited") {
        return with_table<fb::WebinarEditedV1>(s.clear, [](const fb::WebinarEditedV1* t) -> Result<WebinarEvent> {
            AUD_ASSIGN_OR_RETURN(WebinarSettings settings, settings_from_fb(t->settings()));
            return WebinarEvent{WebinarEdited{from_fb(t->by()), std::move(settings), t->at_us()}};
        });
    }
    if (s.type == "webinar.published") {
        return with_table<fb::WebinarPublishedV1>(s.clear, [](const fb::WebinarPublishedV1* t) -> Result<WebinarEvent> {
            return WebinarEvent{WebinarPublished{from_fb(t->by()), t->at_us()}};
        });
    }
    if (s.type == "webinar.moderator_assigned") {
        return with_table<fb::ModeratorAssignedV1>(s.clear, [](const fb::ModeratorAssignedV1* t) -> Result<WebinarEvent> {
            return WebinarEvent{ModeratorAssigned{from_fb(t->by()), from_fb(t->member()), t->at_us()}};
        });
    }
    if (s.type == "webinar.snapshot") {
        return with_table<fb::WebinarSnapshotV1>(s.clear, [](const fb::WebinarSnapshotV1* t) -> Result<WebinarEvent> {
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
    if (s.type == "webinar.guest_speaker_invited") {
        AUD_ASSIGN_OR_RETURN(GuestSpeakerInvited e,
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
            AUD_RETURN_IF_ERROR(with_table<fb::GuestV1>(*s.personal, [&](const fb::GuestV1* t) -> Status {
                e.email = str(t->email());
                e.first_name = str(t->first_name());
                e.last_name = str(t->last_name());
                return Status::ok();
            }));
        }
        return WebinarEvent{std::move(e)};
    }
    if (s.type == "webinar.guest_speaker_revoked") {
        return with_table<fb::GuestSpeakerRevokedV1>(
            s.clear, [](const fb::GuestSpeakerRevokedV1* t) -> Result<WebinarEvent> {
                return WebinarEvent{GuestSpeakerRevoked{from_fb(t->by()), from_fb(t->guest()), t->at_us()}};
            });
    }
    if (s.type == "webinar.deleted") {
        return with_table<fb::WebinarDeletedV1>(s.clear, [](const fb::WebinarDeletedV1* t) -> Result<WebinarEvent> {
            return WebinarEvent{WebinarDeleted{from_fb(t->by()), t->at_us()}};
        });
    }
    return wrong_type("webinar", s);
}

Result<SessionEvent> decode_session_event(const StoredEvent& s) {
    if (s.schema_version != 1) return wrong_type("session", s);
    if (s.type == "session.scheduled") {
        return with_table<fb::SessionScheduledV1>(s.clear, [](const fb::SessionScheduledV1* t) -> Result<SessionEvent> {
            return SessionEvent{SessionScheduled{from_fb(t->session()), from_fb(t->webinar()), from_fb(t->workspace()),
                                                 from_fb(t->host()), t->starts_at_us(), str(t->time_zone()),
                                                 t->duration_minutes(), from_fb(t->by()), t->at_us()}};
        });
    }
    if (s.type == "session.snapshot") {
        return with_table<fb::SessionSnapshotV1>(s.clear, [](const fb::SessionSnapshotV1* t) -> Result<SessionEvent> {
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
    if (s.type == "session.deleted") {
        return with_table<fb::SessionDeletedV1>(s.clear, [](const fb::SessionDeletedV1* t) -> Result<SessionEvent> {
            return SessionEvent{SessionDeleted{from_fb(t->by()), t->at_us()}};
        });
    }
    if (s.type == "session.status_changed") {
        return with_table<fb::SessionStatusChangedV1>(
            s.clear, [](const fb::SessionStatusChangedV1* t) -> Result<SessionEvent> {
                AUD_ASSIGN_OR_RETURN(SessionStatus from, status_of(t->from_status()));
                AUD_ASSIGN_OR_RETURN(SessionStatus to, status_of(t->to_status()));
                return SessionEvent{SessionStatusChanged{from, to, from_fb(t->by()), t->at_us()}};
            });
    }
    return wrong_type("session", s);
}

Result<RegistrationEvent> decode_registration_event(const StoredEvent& s) {
    if (s.schema_version != 1) return wrong_type("registration", s);
    if (s.type == "registration.created") {
        AUD_ASSIGN_OR_RETURN(
            Registered e, with_table<fb::RegisteredV1>(s.clear, [](const fb::RegisteredV1* t) -> Result<Registered> {
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
    if (s.type == "registration.snapshot") {
        RegistrationSnapshotted snap;
        AUD_RETURN_IF_ERROR(with_table<fb::RegistrationSnapshotV1>(s.clear, [&](const fb::RegistrationSnapshotV1* t) -> Status {
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
    if (s.type == "registration.canceled") {
        return with_table<fb::RegistrationCanceledV1>(
            s.clear, [](const fb::RegistrationCanceledV1* t) -> Result<RegistrationEvent> {
                return RegistrationEvent{RegistrationCanceled{from_fb(t->by()), t->at_us()}};
            });
    }
    return wrong_type("registration", s);
}

Result<ReservationEvent> decode_reservation_event(const StoredEvent& s) {
    if (s.schema_version != 1) return wrong_type("reservation", s);
    if (s.type == "registration.email_reserved") {
        return with_table<fb::EmailReservedV1>(s.clear, [](const fb::EmailReservedV1* t) -> Result<ReservationEvent> {
            return ReservationEvent{EmailReserved{from_fb(t->registration()), t->at_us()}};
        });
    }
    if (s.type == "registration.reservation_snapshot") {
        return with_table<fb::ReservationSnapshotV1>(
            s.clear, [](const fb::ReservationSnapshotV1* t) -> Result<ReservationEvent> {
                ReservationSnapshotted e;
                const Id holder = from_fb(t->holder());
                if (!holder.is_none()) e.state.holder = holder;
                e.at_us = t->at_us();
                return ReservationEvent{std::move(e)};
            });
    }
    if (s.type == "registration.email_released") {
        return with_table<fb::EmailReleasedV1>(s.clear, [](const fb::EmailReleasedV1* t) -> Result<ReservationEvent> {
            return ReservationEvent{EmailReleased{from_fb(t->registration()), t->at_us()}};
        });
    }
    return wrong_type("reservation", s);
}

}  // namespace auditorium::domain
