// The workspace's events <-> their stored form (event_codec.hpp): one encoder per event and a
// decoder table keyed by type name and version.
#include <vector>

#include "domain/event_codec.hpp"
#include "domain/internal/codec_support.hpp"

namespace auditorium::domain {

namespace {

using namespace internal;
namespace types = event_types;

Result<WorkspaceRole> role_of(std::uint8_t v) {
    if (v > static_cast<std::uint8_t>(WorkspaceRole::kCompliance))
        return corruption("unknown workspace role");
    return static_cast<WorkspaceRole>(v);
}

// ---- encoding ----

EncodedEvent encode_one(const WorkspaceCreated& e) {
    Builder b;
    const auto w = to_fb(e.workspace), o = to_fb(e.owner);
    // One builder call per statement, last argument first: the bytes must not depend on the
    // compiler's order of evaluating arguments, and this is the order GCC used when the stored
    // bytes were first written (domain/event_codec.hpp).
    const auto slug = b.CreateString(e.slug);
    const auto name = b.CreateString(e.name);
    b.Finish(fb::CreateWorkspaceCreatedV1(b, &w, name, slug, &o, e.at_us));
    return make_event(types::kWorkspaceCreated, finish(b));
}

EncodedEvent encode_one(const WorkspaceSettingsChanged& e) {
    Builder b;
    const auto by = to_fb(e.by);
    const auto name = e.name ? b.CreateString(*e.name) : flatbuffers::Offset<flatbuffers::String>();
    fb::WorkspaceSettingsChangedV1Builder t(b);
    t.add_by(&by);
    if (e.name) t.add_name(name);
    if (e.company_page_enabled) t.add_company_page_enabled(*e.company_page_enabled);
    t.add_at_us(e.at_us);
    b.Finish(t.Finish());
    return make_event(types::kWorkspaceSettingsChanged, finish(b));
}

EncodedEvent encode_one(const MemberInvited& e) {
    Builder b;
    const auto by = to_fb(e.by), m = to_fb(e.member);
    b.Finish(fb::CreateMemberInvitedV1(b, &by, &m, u8(e.role), e.at_us));
    return make_event(types::kMemberInvited, finish(b));
}

EncodedEvent encode_one(const MemberRoleChanged& e) {
    Builder b;
    const auto by = to_fb(e.by), m = to_fb(e.member);
    b.Finish(fb::CreateMemberRoleChangedV1(b, &by, &m, u8(e.from), u8(e.to), e.at_us));
    return make_event(types::kMemberRoleChanged, finish(b));
}

EncodedEvent encode_one(const MemberRemoved& e) {
    Builder b;
    const auto by = to_fb(e.by), m = to_fb(e.member);
    b.Finish(fb::CreateMemberRemovedV1(b, &by, &m, e.at_us));
    return make_event(types::kMemberRemoved, finish(b));
}

EncodedEvent encode_one(const WorkspaceDeleted& e) {
    Builder b;
    const auto by = to_fb(e.by);
    b.Finish(fb::CreateWorkspaceDeletedV1(b, &by, e.at_us));
    return make_event(types::kWorkspaceDeleted, finish(b));
}

EncodedEvent encode_one(const ApiTokenCreated& e) {
    Builder b;
    const auto by = to_fb(e.by), t = to_fb(e.token);
    b.Finish(fb::CreateApiTokenCreatedV1(b, &by, &t, b.CreateString(e.name), e.at_us));
    return make_event(types::kApiTokenCreated, finish(b));
}

EncodedEvent encode_one(const ApiTokenRevoked& e) {
    Builder b;
    const auto by = to_fb(e.by), t = to_fb(e.token);
    b.Finish(fb::CreateApiTokenRevokedV1(b, &by, &t, e.at_us));
    return make_event(types::kApiTokenRevoked, finish(b));
}

EncodedEvent encode_one(const PrivacyRequested& e) {
    Builder b;
    const auto by = to_fb(e.by), r = to_fb(e.request), subject = to_fb(e.subject);
    b.Finish(fb::CreatePrivacyRequestedV1(b, &by, &r, u8(e.kind), &subject, e.at_us));
    return make_event(types::kPrivacyRequested, finish(b));
}

EncodedEvent encode_one(const AuditExportRequested& e) {
    Builder b;
    const auto by = to_fb(e.by), r = to_fb(e.request);
    b.Finish(fb::CreateAuditExportRequestedV1(b, &by, &r, e.since_us, e.until_us, e.at_us));
    return make_event(types::kAuditExportRequested, finish(b));
}

EncodedEvent encode_one(const WorkspaceSnapshotted& e) {
    Builder b;
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
    b.Finish(fb::CreateWorkspaceSnapshotV1(b, &w, name, slug, e.state.company_page_enabled,
                                           member_vec, e.at_us, token_vec, e.state.deleted));
    return make_event(types::kWorkspaceSnapshot, finish(b));
}

// ---- decoding ----

Result<WorkspaceEvent> workspace_created(const StoredEvent& s) {
    return with_table<fb::WorkspaceCreatedV1>(
        s.clear, [](const fb::WorkspaceCreatedV1* t) -> Result<WorkspaceEvent> {
            return WorkspaceEvent{WorkspaceCreated{from_fb(t->workspace()), str(t->name()),
                                                   str(t->slug()), from_fb(t->owner()),
                                                   t->at_us()}};
        });
}

Result<WorkspaceEvent> settings_changed(const StoredEvent& s) {
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

Result<WorkspaceEvent> member_invited(const StoredEvent& s) {
    return with_table<fb::MemberInvitedV1>(
        s.clear, [](const fb::MemberInvitedV1* t) -> Result<WorkspaceEvent> {
            AUD_ASSIGN_OR_RETURN(WorkspaceRole role, role_of(t->role()));
            return WorkspaceEvent{
                MemberInvited{from_fb(t->by()), from_fb(t->member()), role, t->at_us()}};
        });
}

Result<WorkspaceEvent> member_role_changed(const StoredEvent& s) {
    return with_table<fb::MemberRoleChangedV1>(
        s.clear, [](const fb::MemberRoleChangedV1* t) -> Result<WorkspaceEvent> {
            AUD_ASSIGN_OR_RETURN(WorkspaceRole from, role_of(t->from_role()));
            AUD_ASSIGN_OR_RETURN(WorkspaceRole to, role_of(t->to_role()));
            return WorkspaceEvent{
                MemberRoleChanged{from_fb(t->by()), from_fb(t->member()), from, to, t->at_us()}};
        });
}

Result<WorkspaceEvent> workspace_snapshot(const StoredEvent& s) {
    return with_table<fb::WorkspaceSnapshotV1>(
        s.clear, [](const fb::WorkspaceSnapshotV1* t) -> Result<WorkspaceEvent> {
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
                for (const auto* k : *t->api_tokens())
                    e.state.api_tokens[from_fb(k->token())] = str(k->name());
            }
            e.state.deleted = t->deleted();
            e.at_us = t->at_us();
            return WorkspaceEvent{std::move(e)};
        });
}

Result<WorkspaceEvent> workspace_deleted(const StoredEvent& s) {
    return with_table<fb::WorkspaceDeletedV1>(
        s.clear, [](const fb::WorkspaceDeletedV1* t) -> Result<WorkspaceEvent> {
            return WorkspaceEvent{WorkspaceDeleted{from_fb(t->by()), t->at_us()}};
        });
}

Result<WorkspaceEvent> api_token_created(const StoredEvent& s) {
    return with_table<fb::ApiTokenCreatedV1>(
        s.clear, [](const fb::ApiTokenCreatedV1* t) -> Result<WorkspaceEvent> {
            return WorkspaceEvent{
                ApiTokenCreated{from_fb(t->by()), from_fb(t->token()), str(t->name()), t->at_us()}};
        });
}

Result<WorkspaceEvent> api_token_revoked(const StoredEvent& s) {
    return with_table<fb::ApiTokenRevokedV1>(
        s.clear, [](const fb::ApiTokenRevokedV1* t) -> Result<WorkspaceEvent> {
            return WorkspaceEvent{
                ApiTokenRevoked{from_fb(t->by()), from_fb(t->token()), t->at_us()}};
        });
}

Result<WorkspaceEvent> privacy_requested(const StoredEvent& s) {
    return with_table<fb::PrivacyRequestedV1>(
        s.clear, [](const fb::PrivacyRequestedV1* t) -> Result<WorkspaceEvent> {
            if (t->kind() > u8(PrivacyRequestKind::kReleaseHold))
                return corruption("unknown privacy request kind");
            return WorkspaceEvent{PrivacyRequested{from_fb(t->by()), from_fb(t->request()),
                                                   static_cast<PrivacyRequestKind>(t->kind()),
                                                   from_fb(t->subject()), t->at_us()}};
        });
}

Result<WorkspaceEvent> audit_export_requested(const StoredEvent& s) {
    return with_table<fb::AuditExportRequestedV1>(
        s.clear, [](const fb::AuditExportRequestedV1* t) -> Result<WorkspaceEvent> {
            return WorkspaceEvent{AuditExportRequested{from_fb(t->by()), from_fb(t->request()),
                                                       t->since_us(), t->until_us(), t->at_us()}};
        });
}

Result<WorkspaceEvent> member_removed(const StoredEvent& s) {
    return with_table<
        fb::MemberRemovedV1>(s.clear, [](const fb::MemberRemovedV1* t) -> Result<WorkspaceEvent> {
        return WorkspaceEvent{MemberRemoved{from_fb(t->by()), from_fb(t->member()), t->at_us()}};
    });
}

constexpr DecodeRule<WorkspaceEvent> kDecoders[] = {
    {types::kWorkspaceCreated, workspace_created},
    {types::kWorkspaceSettingsChanged, settings_changed},
    {types::kMemberInvited, member_invited},
    {types::kMemberRoleChanged, member_role_changed},
    {types::kWorkspaceSnapshot, workspace_snapshot},
    {types::kWorkspaceDeleted, workspace_deleted},
    {types::kApiTokenCreated, api_token_created},
    {types::kApiTokenRevoked, api_token_revoked},
    {types::kPrivacyRequested, privacy_requested},
    {types::kAuditExportRequested, audit_export_requested},
    {types::kMemberRemoved, member_removed},
};

}  // namespace

EncodedEvent encode(const WorkspaceEvent& event) {
    return std::visit([](const auto& e) { return encode_one(e); }, event);
}

Result<WorkspaceEvent> decode_workspace_event(const StoredEvent& stored) {
    return decode_by_table<WorkspaceEvent>("workspace", kDecoders, stored);
}

}  // namespace auditorium::domain
