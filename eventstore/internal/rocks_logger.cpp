#include "eventstore/internal/rocks_logger.hpp"

#include <rocksdb/env.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstdarg>
#include <cstdio>

namespace auditorium::eventstore::internal {
namespace {

class SpdlogLogger final : public rocksdb::Logger {
public:
    explicit SpdlogLogger(std::string name)
        : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), name_(std::move(name)) {}

    // A line without a level is INFO in RocksDB's own loggers.
    void Logv(const char* format, va_list ap) override {
        Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
    }

    void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
        if (level < GetInfoLogLevel()) return;
        std::array<char, 1024> line{};
        va_list copy;
        va_copy(copy, ap);
        std::vsnprintf(line.data(), line.size(), format, copy);
        va_end(copy);
        if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {
            spdlog::error("rocksdb ({}): {}", name_, line.data());
        } else {
            spdlog::warn("rocksdb ({}): {}", name_, line.data());
        }
    }

private:
    const std::string name_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> make_rocks_logger(std::string name) {
    return std::make_shared<SpdlogLogger>(std::move(name));
}

}  // namespace auditorium::eventstore::internal
