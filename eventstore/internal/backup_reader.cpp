#include "eventstore/internal/backup_reader.hpp"

#include <algorithm>
#include <cstring>

#include "base/file.hpp"
#include "eventstore/minisign.hpp"

namespace auditorium::eventstore::internal::backup_reader {
namespace fs = std::filesystem;
using backup_format::Kind;
namespace {

std::string target_list(const std::vector<fs::path>& targets) {
    std::string out;
    for (const auto& t : targets) out += (out.empty() ? "" : ", ") + t.string();
    return out;
}

bool newer(std::int64_t a_time, const std::string& a_id, std::int64_t b_time,
           const std::string& b_id) {
    return a_time != b_time ? a_time > b_time : a_id > b_id;
}

}  // namespace

Result<LedgerBackup> find_ledger_backup(const std::vector<fs::path>& targets,
                                        const std::string& id) {
    if (!id.empty() && !backup_format::valid_id(id))
        return invalid_argument("id: \"" + id + "\" is not a backup id");
    std::optional<LedgerBackup> best;
    for (const fs::path& target : targets) {
        AUD_ASSIGN_OR_RETURN(auto manifests, backup_format::list_manifests(target, Kind::kLedger));
        for (auto& [found_id, text] : manifests) {
            if (!id.empty() && found_id != id) continue;
            auto m = backup_format::decode_ledger_manifest(text);
            if (!m)
                return m.status().with_context(
                    backup_format::paths(target, Kind::kLedger, found_id).manifest.string());
            if (m->id != found_id) {
                return corruption("the manifest of backup " + found_id + " names backup " + m->id);
            }
            if (!id.empty()) {
                return LedgerBackup{target, backup_format::paths(target, Kind::kLedger, found_id),
                                    std::move(m).value(), std::move(text)};
            }
            if (!best ||
                newer(m->created_at_us, m->id, best->manifest.created_at_us, best->manifest.id)) {
                best = LedgerBackup{target, backup_format::paths(target, Kind::kLedger, found_id),
                                    std::move(m).value(), std::move(text)};
            }
        }
    }
    if (best) return std::move(best).value();
    if (!id.empty()) return not_found("no ledger backup " + id + " in " + target_list(targets));
    return not_found("no ledger backup in " + target_list(targets));
}

Result<std::optional<VaultBackup>> find_vault_backup(const fs::path& target,
                                                     const std::string& id) {
    const auto p = backup_format::paths(target, Kind::kVault, id);
    auto text = file::read_file(p.manifest);
    if (!text) {
        if (text.status().code() == StatusCode::kNotFound) return std::optional<VaultBackup>();
        return text.status();
    }
    auto m = backup_format::decode_vault_manifest(*text);
    if (!m) return m.status().with_context(p.manifest.string());
    if (m->id != id)
        return corruption("the manifest of vault backup " + id + " names backup " + m->id);
    return std::optional<VaultBackup>(
        VaultBackup{target, p, std::move(m).value(), std::move(text).value()});
}

Result<std::optional<VaultBackup>> newest_vault_backup(const std::vector<fs::path>& targets) {
    std::optional<VaultBackup> best;
    for (const fs::path& target : targets) {
        AUD_ASSIGN_OR_RETURN(auto manifests, backup_format::list_manifests(target, Kind::kVault));
        for (auto& [id, text] : manifests) {
            auto m = backup_format::decode_vault_manifest(text);
            if (!m || m->id != id) continue;
            if (!best ||
                newer(m->created_at_us, m->id, best->manifest.created_at_us, best->manifest.id)) {
                best = VaultBackup{target, backup_format::paths(target, Kind::kVault, id),
                                   std::move(m).value(), std::move(text)};
            }
        }
    }
    return best;
}

Result<PublicKeys> signing_keys_of(Store& store, const std::string& trusted) {
    AUD_ASSIGN_OR_RETURN(auto keys, store.signing_keys());
    PublicKeys out;
    for (const auto& k : keys) {
        if (!trusted.empty() && k.key != trusted) continue;
        out[k.id] = k.key;
    }
    if (out.empty()) {
        return corruption(trusted.empty()
                              ? "the backup's ledger lists no signing key"
                              : "the trusted public key is not among the backup's signing keys");
    }
    return out;
}

Result<PublicKeys> manifest_signer(const SigningKeyId& id, const std::string& key,
                                   const std::string& trusted) {
    if (!trusted.empty() && key != trusted) {
        return corruption("the backup is signed by key " + signing_key_id_hex(id) +
                          ", not by the trusted public key");
    }
    return PublicKeys{{id, key}};
}

Status check_signer_in_ledger(Store& store, const PublicKeys& signer) {
    AUD_ASSIGN_OR_RETURN(auto keys, store.signing_keys());
    for (const auto& signing : signer) {
        const auto& [id, key] = signing;
        const bool listed =
            std::any_of(keys.begin(), keys.end(), [&](const Store::SigningPublicKey& k) {
                return k.id == signing.first &&
                       k.key == signing.second;  // clang 14 cannot capture bindings
            });
        if (!listed) {
            return corruption("the manifest's signer, key " + signing_key_id_hex(id) +
                              ", is not a signing key of the ledger in the backup");
        }
    }
    return Status::ok();
}

Result<std::string> check_manifest_signature(const backup_format::Paths& paths,
                                             std::string_view text, const PublicKeys& keys) {
    auto minisig = file::read_file(paths.signature);
    if (!minisig) {
        if (minisig.status().code() == StatusCode::kNotFound) {
            return corruption("the manifest's signature " + paths.signature.string() +
                              " is missing");
        }
        return minisig.status();
    }
    for (const auto& [id, key] : keys) {
        minisign::PublicKey pk;
        pk.id = id;
        std::memcpy(pk.key.data(), key.data(), pk.key.size());
        auto verifier = minisign::FileVerifier::start(pk, *minisig);
        if (!verifier) {
            if (verifier.status().code() == StatusCode::kInvalidArgument) continue;  // another key
            return verifier.status().with_context(paths.signature.string());
        }
        verifier->update(text);
        auto comment = verifier->finish();
        if (!comment) {
            return corruption("the manifest " + paths.manifest.string() +
                              " does not match its signature (it was changed)");
        }
        return comment;
    }
    return corruption("the manifest " + paths.manifest.string() +
                      " is not signed by a trusted signing key of the ledger");
}

Status check_tree_head(const SignedTreeHead& head, const Id& store_id, const PublicKeys& keys) {
    if (head.store_id != store_id) {
        return corruption("the manifest's tree head belongs to store " + head.store_id.hex() +
                          ", not " + store_id.hex());
    }
    const auto key = keys.find(head.key_id);
    if (key == keys.end()) {
        return corruption("the manifest's tree head is signed by key " +
                          signing_key_id_hex(head.key_id) +
                          ", not a trusted signing key of the ledger");
    }
    if (!verify_tree_head(head, key->second).is_ok()) {
        return corruption("the manifest's tree head of size " + std::to_string(head.size) +
                          ": its signature does not verify");
    }
    return Status::ok();
}

}  // namespace auditorium::eventstore::internal::backup_reader
