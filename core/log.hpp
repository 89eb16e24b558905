#pragma once
// Structured, levelled logging to stderr: "<time> <level> <subsystem>: <text>".
// The level is checked before anything is formatted.

#include <fmt/format.h>

#include <string_view>

namespace qaqpa::log {

enum class level { debug, info, warn, error, off };

void set_level(level l) noexcept;
bool enabled(level l) noexcept;
void write(level l, std::string_view subsystem, std::string_view text);

/// Parses "debug" | "info" | "warn" | "error" | "off".
bool parse_level(std::string_view name, level& out) noexcept;

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
