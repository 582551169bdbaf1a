#include "eventstore/internal/erasures.hpp"

#include <spdlog/spdlog.h>

#include "eventstore/internal/backup_format.hpp"
#include "eventstore/internal/erasure_register.hpp"
#include "eventstore/internal/vault.hpp"
#include "eventstore/minisign.hpp"

namespace auditorium::eventstore::internal {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kErasureType = "store.subject_erased";
constexpr std::uint32_t kPersonalKeyId = 1;  // personal keys: one per subject

}  // namespace

// ---- at open ----

Status Erasures::finish_pending_shreds() {
    AUD_ASSIGN_OR_RETURN(auto pending, vault_.pending_shreds());
    for (const Id& subject : pending) {
        AUD_ASSIGN_OR_RETURN(bool erased, subjects_.is_erased(subject));
        if (erased) {
            // backups: registered before the key goes, as in erase() (internal/backup.cpp).
            AUD_RETURN_IF_ERROR(record_pending_erasure_in_backups(subject));
            AUD_RETURN_IF_ERROR(vault_.destroy_personal_keys(subject));
        }
        AUD_RETURN_IF_ERROR(vault_.clear_pending_shred(subject));
    }
    return Status::ok();
}

// ---- holds and erasures ----

Result<Position> Erasures::set_legal_hold(const Id& subject, const Id& actor, bool held) {
    if (subject.is_none()) return invalid_argument("subject: a legal hold needs a subject");
    AUD_ASSIGN_OR_RETURN(auto current, subjects_.position(subjects_.cf().holds, subject));
    if (held && current) return *current;
    if (!held && !current) {
        return failed_precondition("subject " + subject.hex() + " is not under legal hold");
    }
    using W = PreparedEntry::IndexWrite;
    NewEvent record;
    record.event_id = random_id();
    record.type = held ? "store.legal_hold_set" : "store.legal_hold_released";
    record.actor = actor;
    record.subject = subject;
    AUD_ASSIGN_OR_RETURN(auto appended,
                         pipeline_.append_store_record(
                             "hold-" + subject.hex(), ExpectedVersion::any(), std::move(record),
                             {W{W::Family::kHolds, std::string(subject.view()), !held}}));
    if (!held) {
        AUD_ASSIGN_OR_RETURN(bool deferred, subjects_.is_erasure_deferred(subject));
        if (deferred) AUD_RETURN_IF_ERROR(erase_now(subject, actor).status());
    }
    return appended.first_position;
}

Result<Position> Erasures::erase(const Id& subject, const Id& actor) {
    if (subject.is_none()) return invalid_argument("subject: an erasure needs a subject");
    AUD_ASSIGN_OR_RETURN(bool held, subjects_.is_held(subject));
    if (held) {
        AUD_ASSIGN_OR_RETURN(auto erased, subjects_.position(subjects_.cf().erasures, subject));
        if (erased) return *erased;
        AUD_ASSIGN_OR_RETURN(auto deferred,
                             subjects_.position(subjects_.cf().deferred_erasures, subject));
        if (deferred) return *deferred;
        using W = PreparedEntry::IndexWrite;
        NewEvent record;
        record.event_id = random_id();
        record.type = "store.erasure_deferred";
        record.actor = actor;
        record.subject = subject;
        AUD_ASSIGN_OR_RETURN(
            auto appended,
            pipeline_.append_store_record(
                "erasure-deferred-" + subject.hex(), ExpectedVersion::any(), std::move(record),
                {W{W::Family::kDeferredErasures, std::string(subject.view())}}));
        spdlog::info("event store: erasure deferred by a legal hold, at position {}",
                     appended.first_position);
        return appended.first_position;
    }
    return erase_now(subject, actor);
}

Result<Position> Erasures::erase_now(const Id& subject, const Id& actor) {
    const auto existing = [&] { return subjects_.position(subjects_.cf().erasures, subject); };
    AUD_ASSIGN_OR_RETURN(auto before, existing());
    if (before) return *before;

    AUD_RETURN_IF_ERROR(vault_.mark_pending_shred(subject));
    NewEvent record;
    record.event_id = random_id();
    record.type = std::string(kErasureType);
    record.actor = actor;
    record.subject = subject;
    using W = PreparedEntry::IndexWrite;
    auto appended = pipeline_.append_store_record(
        "erasure-" + subject.hex(), ExpectedVersion::no_stream(), std::move(record),
        {W{W::Family::kErasures, std::string(subject.view())},
         W{W::Family::kDeferredErasures, std::string(subject.view()), true}});
    Position position = 0;
    if (appended) {
        position = appended->first_position;
    } else if (conflict_of(appended.status())) {
        // Erased concurrently: the other call's record stands.
        AUD_ASSIGN_OR_RETURN(auto other, existing());
        if (!other) return internal_error("erasure stream exists without an erasure record");
        position = *other;
    } else {
        return appended.status();
    }
    AUD_RETURN_IF_ERROR(record_erasure_in_backups(subject, position));
    AUD_RETURN_IF_ERROR(vault_.destroy_personal_keys(subject));
    AUD_RETURN_IF_ERROR(vault_.clear_pending_shred(subject));
    spdlog::info("event store: subject erased at position {}", position);
    return position;
}

// ---- the erasure register ----

Status Erasures::record_erasure_in_backups(const Id& subject, Position position) {
    if (config_.backup_targets.empty()) return Status::ok();
    AUD_ASSIGN_OR_RETURN(auto key, reader_.active_signing_key());
    for (const fs::path& target : config_.backup_targets) {
        std::error_code ec;
        if (!fs::is_directory(target, ec)) {
            return unavailable("backup target " + target.string() +
                               " is not available, so the erasure of subject " + subject.hex() +
                               " (recorded at position " + std::to_string(position) +
                               ") cannot be registered there; its key is kept until it is: retry "
                               "the erasure, or reopen the store, once the target is back");
        }
        AUD_RETURN_IF_ERROR(erasure_register::append(target / backup_format::kRegisterFile,
                                                     config_.store_id, subject, position,
                                                     config_.now_us(), key));
    }
    return Status::ok();
}

Status Erasures::record_pending_erasure_in_backups(const Id& subject) {
    if (config_.backup_targets.empty()) return Status::ok();
    AUD_ASSIGN_OR_RETURN(auto position, subjects_.position(subjects_.cf().erasures, subject));
    if (!position) return not_found("subject " + subject.hex() + " has no erasure record");
    return record_erasure_in_backups(subject, *position);
}

// ---- restore steps inside the restored store ----

Result<Erasures::RegisterApplied> Erasures::apply_erasure_register(
    const std::vector<Id>& subjects) {
    RegisterApplied out;
    for (const Id& subject : subjects) {
        AUD_ASSIGN_OR_RETURN(bool erased, subjects_.is_erased(subject));
        if (erased) {
            AUD_ASSIGN_OR_RETURN(
                auto key, vault_.key_for_opening(subject, KeyClass::kPersonal, kPersonalKeyId));
            if (key) {
                AUD_RETURN_IF_ERROR(vault_.destroy_personal_keys(subject));
                ++out.keys_destroyed;
            }
            continue;
        }
        // At once, even under a legal hold the backup still records: only erasures actually
        // carried out (never deferred ones) reach the register, so the hold was released since.
        AUD_RETURN_IF_ERROR(
            erase_now(subject, Id()).status().with_context("applying the erasure register"));
        out.erased.push_back(subject);
    }
    return out;
}

}  // namespace auditorium::eventstore::internal
