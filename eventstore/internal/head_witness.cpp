#include "eventstore/internal/head_witness.hpp"

#include "base/file.hpp"
#include "eventstore/internal/layout.hpp"

namespace fs = std::filesystem;

namespace auditorium::eventstore::internal::head_witness {

fs::path file_in(const fs::path& keys_dir) { return keys_dir / layout::kHeadWitnessFile; }

Result<std::optional<SignedTreeHead>> read(const fs::path& keys_dir) {
    const fs::path file = file_in(keys_dir);
    auto bytes = file::read_file(file);
    if (!bytes && bytes.status().code() == StatusCode::kNotFound)
        return std::optional<SignedTreeHead>();
    if (!bytes) return bytes.status();
    auto head = decode_tree_head(*bytes);
    if (!head)
        return corruption("the head witness " + file.string() +
                          " is malformed: " + head.status().message());
    return std::optional<SignedTreeHead>(std::move(head).value());
}

Status write(const fs::path& keys_dir, const SignedTreeHead& head) {
    return file::write_file_atomic(file_in(keys_dir), encode_tree_head(head));
}

Status check_extends(const SignedTreeHead& head, std::uint64_t size, const RootAt& root_at,
                     std::string_view what) {
    if (size < head.size) {
        return data_loss(
            "the ledger ends at position " + std::to_string(size) + " but " + std::string(what) +
            " says it had " + std::to_string(head.size) + " entries: position " +
            std::to_string(size + 1) +
            " onward is missing; nothing was opened for writing. "
            "Restore from a backup (docs/backups.md, \"When the store refuses to open\")");
    }
    if (head.size == 0 || !root_at) return Status::ok();
    auto root = root_at(head.size);
    if (!root) return root.status().with_context("checking " + std::string(what));
    if (*root != head.root) {
        return corruption("the ledger does not extend " + std::string(what) +
                          ": its root at size " + std::to_string(head.size) +
                          " differs; entries were changed or removed");
    }
    return Status::ok();
}

}  // namespace auditorium::eventstore::internal::head_witness
