// Writes the seed corpus the fuzz targets start from, into <dir>/<target>/:
//   fuzz_make_seeds tests/fuzz/corpus
// Entry seeds are real encode_entry output, so the fuzzer starts past the flatbuffers verifier;
// proof seeds are fixed byte patterns that select each mode of fuzz_proof_verifier (its last
// byte picks the mode: odd is the tree mode). The output is committed; keep it small.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "eventstore/internal/entry_codec.hpp"

namespace {

namespace fs = std::filesystem;
using namespace auditorium;
using namespace auditorium::eventstore;
using namespace auditorium::eventstore::internal;

void write(const fs::path& dir, const std::string& name, const std::string& bytes) {
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
}

Id id_of(std::uint8_t fill) {
    Id::Bytes b;
    b.fill(fill);
    return Id(b);
}

EntryHeader header() {
    EntryHeader h;
    h.position = 42;
    h.stream = "meeting-0a1b2c3d";
    h.version = 3;
    h.event_id = id_of(0x10);
    h.type = "meeting.scheduled";
    h.schema_version = 2;
    h.recorded_at_us = 1'700'000'000'000'000;
    h.actor = id_of(0x11);
    h.subject = id_of(0x22);
    h.correlation = id_of(0x33);
    h.causation = id_of(0x44);
    return h;
}

StoredSection section(const Id& subject, KeyClass key_class, std::uint32_t key_id) {
    return StoredSection{subject, key_class, key_id, std::string(32, 'c'), std::string(24, 'n'),
                         "sealed-payload-and-16-byte-tag.."};
}

void entry_seeds(const fs::path& dir) {
    EntryHeader minimal;
    minimal.stream = "s";
    minimal.type = "t";
    write(dir, "minimal", encode_entry(minimal, "", {}));
    write(dir, "clear-only", encode_entry(header(), R"({"title":"weekly"})", {}));
    write(dir, "one-section",
          encode_entry(header(), "{}", {section(id_of(0x22), KeyClass::kPersonal, 1)}));
    write(dir, "three-sections",
          encode_entry(header(), "{\"n\":3}",
                       {section(Id(), KeyClass::kSystem, 0),
                        section(id_of(0x22), KeyClass::kPersonal, 7),
                        section(id_of(0x55), KeyClass::kRetained, 202405)}));
}

// `n` bytes of a fixed pattern, the last one choosing the mode.
std::string pattern(std::size_t n, std::uint8_t step, bool tree_mode) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * step + 1);
    s.back() = static_cast<char>(tree_mode ? 1 : 0);
    return s;
}

void proof_seeds(const fs::path& dir) {
    write(dir, "tree-small", pattern(48, 3, true));
    write(dir, "tree-large", pattern(400, 7, true));
    write(dir, "tree-duplicate-leaves", std::string(160, '\x05') + '\x01');
    write(dir, "raw-short-proof", pattern(200, 5, false));
    write(dir, "raw-long-proof", pattern(2800, 11, false));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    const fs::path root(argv[1]);
    entry_seeds(root / "fuzz_entry_decoder");
    proof_seeds(root / "fuzz_proof_verifier");
    return 0;
}
