#include "core/log.hpp"

#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "core/utf8.hpp"

#include <atomic>
#include <cstdio>

namespace qaqpa::log {
namespace {
std::atomic<level> current{level::info};
std::atomic<format> current_format{format::text};
constexpr const char* names[] = {"DEBUG", "INFO", "WARN", "ERROR", "OFF"};
constexpr const char* json_names[] = {"debug", "info", "warn", "error", "off"};

} // namespace

void set_level(level l) noexcept { current.store(l, std::memory_order_relaxed); }
void set_format(format f) noexcept { current_format.store(f, std::memory_order_relaxed); }

std::string format_line(format f, std::string_view time, level l, std::string_view subsystem, std::string_view text) {
    if (f == format::text) {
        auto line = fmt::format("{} {} {}: ", time, names[static_cast<int>(l)], subsystem);
        line += valid_utf8(text) ? std::string(text) : to_valid_utf8(text);
        for (auto& c : line)
            if (c == '\n' || c == '\r') c = ' '; // one event, one line
        return line + "\n";
    }
    std::string line = "{\"time\":\"";
    line.append(time).append("\",\"level\":\"").append(json_names[static_cast<int>(l)]).append("\",\"subsystem\":\"");
    append_json_escaped(line, subsystem);
    line += "\",\"message\":\"";
    append_json_escaped(line, text);
    return line + "\"}\n";
}

bool enabled(level l) noexcept { return l >= current.load(std::memory_order_relaxed); }

void write(level l, std::string_view subsystem, std::string_view text) {
    // One fwrite per line keeps lines whole when threads log at once.
    const auto line = format_line(current_format.load(std::memory_order_relaxed), now_datetime(), l, subsystem, text);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

bool parse_format(std::string_view name, format& out) noexcept {
    if (name == "text") out = format::text;
    else if (name == "json") out = format::json;
    else return false;
    return true;
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
