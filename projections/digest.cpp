#include "projections/digest.hpp"

#include <sodium.h>

#include "base/big_endian.hpp"
#include "projections/read_models.hpp"

namespace auditorium::projections {
namespace {

void add_sized(crypto_hash_sha256_state& h, std::string_view bytes) {
    std::string len;
    put_be32(len, static_cast<std::uint32_t>(bytes.size()));
    crypto_hash_sha256_update(&h, reinterpret_cast<const unsigned char*>(len.data()), len.size());
    crypto_hash_sha256_update(&h, reinterpret_cast<const unsigned char*>(bytes.data()),
                              bytes.size());
}

}  // namespace

Result<std::vector<ModelDigest>> digest_models(const ModelStore& models,
                                               eventstore::PrivacyKeys& keys) {
    std::vector<ModelDigest> out;
    for (auto model : kModels) {
        ModelDigest d;
        d.model = std::string(model.name);
        AUD_ASSIGN_OR_RETURN(d.position, models.checkpoint(model));
        crypto_hash_sha256_state h;
        crypto_hash_sha256_init(&h);
        Status failed = Status::ok();
        AUD_RETURN_IF_ERROR(models.scan(model, "", [&](std::string_view key, const Row& row) {
            auto open = open_row(keys, model, key, row);
            if (!open) {
                failed = open.status().with_context("read model " + d.model);
                return false;
            }
            add_sized(h, key);
            add_sized(h, open->clear);
            const unsigned char present = open->personal ? 1 : 0;
            crypto_hash_sha256_update(&h, &present, 1);
            if (open->personal) add_sized(h, *open->personal);
            ++d.rows;
            return true;
        }));
        AUD_RETURN_IF_ERROR(failed);
        unsigned char digest[crypto_hash_sha256_BYTES];
        crypto_hash_sha256_final(&h, digest);
        d.sha256_hex =
            to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
        out.push_back(std::move(d));
    }
    return out;
}

}  // namespace auditorium::projections
