#pragma once
// Levelled logging to stderr, one line per event: as text
// ("<time> <level> <subsystem>: <text>") or as a JSON object per line
// ({"time","level","subsystem","message"}) for log collectors. The level is
// checked before anything is formatted; the text is made valid UTF-8.

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace qaqpa::log {

enum class level { debug, info, warn, error, off };
enum class format { text, json };

void set_level(level l) noexcept;
void set_format(format f) noexcept;
/// The line write() emits (without writing it).
std::string format_line(format f, std::string_view time, level l, std::string_view subsystem, std::string_view text);
bool enabled(level l) noexcept;
void write(level l, std::string_view subsystem, std::string_view text);

/// Parses "debug" | "info" | "warn" | "error" | "off".
bool parse_level(std::string_view name, level& out) noexcept;
/// Parses "text" | "json".
bool parse_format(std::string_view name, format& out) noexcept;

template <class... A>
void debug(std::string_view sub, fmt::format_string<A...> f, A&&... a) {
    if (enabled(level::debug)) write(level::debug, sub, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void info(std::string_view sub, fmt::format_string<A...> f, A&&... a) {
    if (enabled(level::info)) write(level::info, sub, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void warn(std::string_view sub, fmt::format_string<A...> f, A&&... a) {
    if (enabled(level::warn)) write(level::warn, sub, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void error(std::string_view sub, fmt::format_string<A...> f, A&&... a) {
    if (enabled(level::error)) write(level::error, sub, fmt::format(f, std::forward<A>(a)...));
}

} // namespace qaqpa::log
