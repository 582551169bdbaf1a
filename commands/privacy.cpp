// Privacy requests (command_handler.hpp, handle_privacy): find the person the request names, in
// the requesting workspace, record the request, then carry it out through the store.
#include "commands/command_handler.hpp"
#include "domain/rejection.hpp"

namespace auditorium::commands {

Result<std::optional<domain::Registered>> CommandHandler::find_subject(
    const PrivacySubject& who, domain::RequestPrivacy& command) {
    std::optional<domain::Registered> registrant;
    switch (who.kind) {
        case PrivacySubject::Kind::kRegistrant: {
            AUD_ASSIGN_OR_RETURN(registrant, registration(who.id));
            if (registrant) {
                command.subject = registrant->person;
                command.subject_workspace = registrant->workspace;
            }
            break;
        }
        case PrivacySubject::Kind::kGuestSpeaker: {
            AUD_ASSIGN_OR_RETURN(domain::WebinarState w, webinar(who.webinar));
            if (w.exists && w.guests.count(who.id) != 0) {
                command.subject = who.id;
                command.subject_workspace = w.workspace;
            }
            break;
        }
        case PrivacySubject::Kind::kMember: {
            AUD_ASSIGN_OR_RETURN(domain::WorkspaceState s, this->workspace(command.workspace));
            if (s.members.count(who.id) != 0) {
                command.subject = who.id;
                command.subject_workspace = s.id;
            }
            break;
        }
    }
    return registrant;
}

Status CommandHandler::carry_out(const domain::RequestPrivacy& command, PrivacyOutcome& out) {
    const auto kind = command.kind;
    const Id& by = command.by;
    switch (kind) {
        case domain::PrivacyRequestKind::kAccess: {
            if (read_models_ != nullptr && !command.subject.is_none()) {
                AUD_ASSIGN_OR_RETURN(auto positions, read_models_->entries_of(command.subject));
                for (eventstore::Position p : positions) {
                    AUD_ASSIGN_OR_RETURN(auto read, log_.read_all(p, 1));
                    for (auto& e : read) {
                        if (!e.purged) out.entries.push_back(std::move(e));
                    }
                }
            }
            break;
        }
        case domain::PrivacyRequestKind::kErasure: {
            AUD_ASSIGN_OR_RETURN(out.carried_out, keys_.erase(command.subject, by));
            break;
        }
        case domain::PrivacyRequestKind::kLegalHold:
        case domain::PrivacyRequestKind::kReleaseHold: {
            AUD_ASSIGN_OR_RETURN(
                out.carried_out,
                keys_.set_legal_hold(command.subject, by,
                                     kind == domain::PrivacyRequestKind::kLegalHold));
            break;
        }
    }
    return Status::ok();
}

Result<PrivacyOutcome> CommandHandler::handle_privacy(const Id& workspace, const Id& by,
                                                      const Id& request,
                                                      domain::PrivacyRequestKind kind,
                                                      const PrivacySubject& who) {
    // Find the person, and the workspace they belong to, from what the request names.
    domain::RequestPrivacy command{workspace, by, request, kind, Id(), std::nullopt};
    AUD_ASSIGN_OR_RETURN(std::optional<domain::Registered> registrant, find_subject(who, command));
    if (kind == domain::PrivacyRequestKind::kAccess &&
        who.kind != PrivacySubject::Kind::kRegistrant && read_models_ == nullptr) {
        return domain::broken_rule(
            "access_needs_read_models",
            "access to guest speakers and members reads the subject index of the read models");
    }
    PrivacyOutcome out;
    AUD_ASSIGN_OR_RETURN(out.recorded, handle(domain::WorkspaceCommand{command}));
    if (kind == domain::PrivacyRequestKind::kAccess) out.registrant = registrant;
    AUD_RETURN_IF_ERROR(carry_out(command, out));
    return out;
}

}  // namespace auditorium::commands
