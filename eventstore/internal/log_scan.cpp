#include "eventstore/internal/log_scan.hpp"

#include <fcntl.h>
#include <rocksdb/sst_file_reader.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/crc.hpp>
#include <boost/endian/conversion.hpp>
#include <cerrno>
#include <cstring>
#include <span>
#include <vector>

#include "base/file.hpp"
#include "eventstore/internal/rocks_logger.hpp"

namespace fs = std::filesystem;

namespace auditorium::eventstore::internal::log_scan {
namespace {

// RocksDB's record types (db/log_format.h): full, first, middle, last; 9 sets the log's
// compression. The recyclable types (5..8) never occur: log recycling is off.
bool known_type(std::uint8_t type) { return (type >= 1 && type <= 4) || type == 9; }

class File {
public:
    explicit File(const fs::path& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
    int fd() const { return fd_.get(); }

    // Reads up to buf.size() bytes at `offset`; the count read (less only at the end).
    Result<std::size_t> read_at(std::uint64_t offset, std::span<unsigned char> buf) const {
        std::size_t done = 0;
        while (done < buf.size()) {
            const ssize_t n = ::pread(fd_.get(), buf.data() + done, buf.size() - done,
                                      static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return unavailable(std::string("reading: ") + file::errno_text(errno));
            if (n == 0) break;
            done += static_cast<std::size_t>(n);
        }
        return done;
    }

private:
    file::UniqueFd fd_;  // read only: a failed close loses nothing
};

// Whether every byte from `offset` to the end of the file is zero.
Result<bool> zeros_from(const File& file, std::uint64_t offset) {
    std::vector<unsigned char> buf(1 << 16);
    for (;;) {
        AUD_ASSIGN_OR_RETURN(std::size_t n, file.read_at(offset, buf));
        if (n == 0) return true;
        if (std::any_of(buf.begin(), buf.begin() + static_cast<long>(n),
                        [](unsigned char c) { return c != 0; })) {
            return false;
        }
        offset += n;
    }
}

// The outcome of one block: keep going, or the file's first bad record was found.
struct BlockResult {
    bool bad = false;
    std::uint64_t offset = 0;
    std::string what;
    // The bad record's bytes may be the start of a torn tail: from `zero_check_from` on, the
    // file must hold only zeros (a record cut short by the end of the file needs no check).
    std::optional<std::uint64_t> zero_check_from;
    bool cut_short = false;  // the record runs past the end of the file: a torn tail as it is
};

BlockResult scan_block(std::span<const unsigned char> block, std::uint64_t base,
                       std::uint64_t file_size, LogReport& report) {
    std::size_t pos = 0;
    while (pos < block.size()) {
        const std::uint64_t at = base + pos;
        const std::size_t left = block.size() - pos;
        if (block.size() == kBlockSize && left < kHeaderSize) break;  // the block's padding
        if (left < kHeaderSize)
            return {true, at, "record header cut short by the end of the file", std::nullopt, true};
        const unsigned char* h = block.data() + pos;
        const std::uint32_t stored = boost::endian::load_little_u32(h);
        const std::size_t length = boost::endian::load_little_u16(h + 4);
        const std::uint8_t type = h[6];
        if (type == 0 && length == 0) return {true, at, "zero-filled bytes", at};
        if (kHeaderSize + length > left) {
            if (at + kHeaderSize + length > file_size && base + block.size() == file_size) {
                return {true, at, "record cut short by the end of the file", std::nullopt, true};
            }
            return {true, at, "record length " + std::to_string(length) + " runs past its block",
                    std::nullopt};
        }
        if (!known_type(type))
            return {true, at, "unknown record type " + std::to_string(type), std::nullopt};
        const std::string_view payload(reinterpret_cast<const char*>(h + kHeaderSize), length);
        if (masked_crc(type, payload) != stored) {
            // A power cut can leave a record whose last sectors never reached the disk: zeros.
            const bool ends_in_zero = length > 0 && h[kHeaderSize + length - 1] == 0;
            return {true, at, "checksum mismatch",
                    ends_in_zero ? std::optional<std::uint64_t>(at + kHeaderSize + length)
                                 : std::nullopt};
        }
        ++report.records;
        pos += kHeaderSize + length;
        report.valid_bytes = base + pos;
    }
    return {};
}

}  // namespace

std::uint32_t masked_crc(std::uint8_t type, std::string_view payload) {
    boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;  // CRC-32C
    crc.process_byte(type);
    crc.process_bytes(payload.data(), payload.size());
    const std::uint32_t c = crc.checksum();
    return ((c >> 15) | (c << 17)) + 0xa282ead8u;  // RocksDB's mask (util/crc32c.h)
}

Result<LogReport> scan_log(const fs::path& path) {
    File file(path);
    if (file.fd() < 0) {
        if (errno == ENOENT) return not_found(path.string() + " is gone");
        return unavailable("opening " + path.string() + ": " + file::errno_text(errno));
    }
    struct stat st {};
    if (::fstat(file.fd(), &st) != 0) return unavailable("reading " + path.string());
    const auto size = static_cast<std::uint64_t>(st.st_size);
    LogReport report;
    std::vector<unsigned char> block(kBlockSize);
    for (std::uint64_t base = 0; base < size; base += kBlockSize) {
        auto n = file.read_at(base, block);
        if (!n) return n.status().with_context(path.string());
        const BlockResult r = scan_block(std::span(block.data(), *n), base, size, report);
        if (!r.bad) continue;
        report.bad_offset = r.offset;
        report.what = r.what;
        if (r.zero_check_from) {
            auto zeros = zeros_from(file, *r.zero_check_from);
            if (!zeros) return zeros.status().with_context(path.string());
            report.torn_tail = *zeros;
        } else {
            report.torn_tail = r.cut_short;
        }
        break;
    }
    return report;
}

namespace {

bool is_database_file(const std::string& name) {
    return name == "CURRENT" || name.starts_with("MANIFEST-") || name.ends_with(".sst") ||
           name.ends_with(".log") || name.ends_with(".blob");
}

// The number in "000123.log", or nullopt for another name.
std::optional<std::uint64_t> log_number(const std::string& name) {
    if (!name.ends_with(".log") || name.size() <= 4) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : std::string_view(name).substr(0, name.size() - 4)) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n;
}

std::string advice() {
    return "; nothing was opened or changed: keep a copy of the directory and restore from a "
           "backup "
           "(docs/backups.md, \"When the store refuses to open\")";
}

Status check_log(const fs::path& file, bool tail_may_be_torn, std::string_view what,
                 DirCheck& out) {
    auto report = scan_log(file);
    if (!report && report.status().code() == StatusCode::kNotFound) return Status::ok();
    if (!report) return report.status();
    ++out.logs;
    if (!report->bad_offset) return Status::ok();
    if (report->torn_tail && tail_may_be_torn) {
        std::error_code ec;
        const std::uintmax_t size = fs::file_size(file, ec);
        if (ec) return unavailable("reading the size of " + file.string() + ": " + ec.message());
        out.torn_bytes += size - *report->bad_offset;
        return Status::ok();
    }
    return corruption(std::string(what) + ": " + file.string() + " is damaged at byte " +
                      std::to_string(*report->bad_offset) + " (" + report->what + "), after " +
                      std::to_string(report->records) +
                      " good records; entries past it would be lost" + advice());
}

}  // namespace

Result<DirCheck> check_database_dir(const fs::path& dir, std::string_view what) {
    DirCheck out;
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        out.fresh = true;
        return out;
    }
    bool any = false;
    std::vector<std::pair<std::uint64_t, fs::path>> logs;
    // increment(ec), not ++: the operator throws, and this runs inside Store::open.
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        any = any || is_database_file(name);
        if (auto n = log_number(name)) logs.emplace_back(*n, it->path());
    }
    if (ec) return unavailable("listing " + dir.string() + ": " + ec.message());
    if (!any) {
        out.fresh = true;
        return out;
    }
    const fs::path current = dir / "CURRENT";
    if (!fs::exists(current, ec)) {
        return corruption(
            std::string(what) + ": " + current.string() +
            " is missing beside the database's files, so the list of its files is lost" + advice());
    }
    std::string manifest;
    {
        File f(current);
        std::array<unsigned char, 256> buf{};
        auto n = f.fd() < 0 ? Result<std::size_t>(unavailable("opening " + current.string()))
                            : f.read_at(0, buf);
        if (!n) return n.status();
        manifest.assign(reinterpret_cast<const char*>(buf.data()), *n);
    }
    if (manifest.empty() || manifest.back() != '\n' || !manifest.starts_with("MANIFEST-") ||
        manifest.find('/') != std::string::npos) {
        return corruption(std::string(what) + ": " + current.string() + " is damaged" + advice());
    }
    manifest.pop_back();
    if (!fs::exists(dir / manifest, ec)) {
        return corruption(std::string(what) + ": " + (dir / manifest).string() +
                          ", named by CURRENT, is missing" + advice());
    }
    // RocksDB syncs its manifest after each edit, so only a crash in the middle of one leaves a
    // torn tail, and what that edit described is still in the logs it did not retire.
    AUD_RETURN_IF_ERROR(check_log(dir / manifest, true, what, out));
    std::sort(logs.begin(), logs.end());
    for (std::size_t i = 0; i < logs.size(); ++i) {
        AUD_RETURN_IF_ERROR(check_log(logs[i].second, i + 1 == logs.size(), what, out));
    }
    return out;
}

std::string name_damaged_sst(const fs::path& dir) {
    std::error_code ec;
    std::vector<fs::path> ssts;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".sst") ssts.push_back(it->path());
    }
    std::sort(ssts.begin(), ssts.end());
    for (const auto& sst : ssts) {
        rocksdb::Options o;
        o.info_log = make_rocks_logger("checking " + sst.filename().string());
        rocksdb::SstFileReader reader(o);
        rocksdb::Status s = reader.Open(sst.string());
        if (s.ok()) s = reader.VerifyChecksum();
        if (!s.ok()) return " (" + sst.string() + " is damaged: " + s.ToString() + ")";
    }
    return "";
}

}  // namespace auditorium::eventstore::internal::log_scan
