#include "core/log.hpp"

#include "core/clock.hpp"

#include <atomic>
#include <cstdio>

namespace qaqpa::log {
namespace {
std::atomic<level> current{level::info};
constexpr const char* names[] = {"DEBUG", "INFO", "WARN", "ERROR", "OFF"};
} // namespace

void set_level(level l) noexcept { current.store(l, std::memory_order_relaxed); }

bool enabled(level l) noexcept { return l >= current.load(std::memory_order_relaxed); }

void write(level l, std::string_view subsystem, std::string_view text) {
    // One fwrite per line keeps lines whole when threads log at once.
    const auto line = fmt::format("{} {} {}: {}\n", now_datetime(), names[static_cast<int>(l)], subsystem, text);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

bool parse_level(std::string_view name, level& out) noexcept {
    for (int i = 0; i <= static_cast<int>(level::off); ++i) {
        std::string_view n = names[i];
        if (n.size() != name.size()) continue;
        bool same = true;
        for (std::size_t k = 0; k < n.size(); ++k)
            if ((name[k] & ~0x20) != n[k]) same = false;
        if (same) {
            out = static_cast<level>(i);
            return true;
        }
    }
    return false;
}

} // namespace qaqpa::log
