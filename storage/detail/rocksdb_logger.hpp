#pragma once
// RocksDB's own diagnostics go to the node's log, not to a LOG file in the
// data directory: one log to read, and nothing written to a full disk (in
// Debian's RocksDB 7.8 a write to its LOG file after one that failed for
// want of space trips an assertion and aborts the process).

#include "core/log.hpp"

#include <rocksdb/env.h>

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace qaqpa::storage::detail {

class rocksdb_logger final : public rocksdb::Logger {
public:
    explicit rocksdb_logger(rocksdb::InfoLogLevel level) : rocksdb::Logger(level) {}

    using rocksdb::Logger::Logv;
    void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }

    void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
        if (level < GetInfoLogLevel() || repeated(format)) return;
        char line[1024];
        std::vsnprintf(line, sizeof line, format, ap);
        std::string_view text(line);
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
        if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) log::error("rocksdb", "{}", text);
        else if (level == rocksdb::InfoLogLevel::WARN_LEVEL) log::warn("rocksdb", "{}", text);
        else log::debug("rocksdb", "{}", text);
    }

private:
    /// One line per call site per minute: while a disk is full RocksDB
    /// repeats itself at every recovery attempt.
    bool repeated(const char* format) {
        const auto now = std::chrono::steady_clock::now();
        std::lock_guard lk(mutex_);
        auto [it, fresh] = last_.try_emplace(format, now);
        if (!fresh && now - it->second < std::chrono::minutes(1)) return true;
        it->second = now;
        return false;
    }

    std::mutex mutex_;
    std::unordered_map<const char*, std::chrono::steady_clock::time_point> last_;
};

} // namespace qaqpa::storage::detail
