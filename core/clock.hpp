#pragma once
// xsd:dateTime in and out. The gateway writes UTC with milliseconds and "Z";
// it reads what real clients send: with or without zone, with or without
// fractions of a second.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qaqpa {

using system_time = std::chrono::system_clock::time_point;

/// "2026-11-23T20:14:37.123Z"
std::string format_datetime(system_time t);

/// The years parse_datetime accepts: the clock counts nanoseconds, so dates
/// far from today cannot be represented (and are not plausible message dates).
inline constexpr int min_year = 1700;
inline constexpr int max_year = 2200;

/// Parses an xsd:dateTime; a value without zone is taken as UTC.
/// Returns nullopt for anything that is not a valid dateTime in
/// [min_year, max_year].
std::optional<system_time> parse_datetime(std::string_view text);

inline std::string now_datetime() { return format_datetime(std::chrono::system_clock::now()); }

/// format_datetime of Unix milliseconds.
inline std::string format_unix_ms(std::int64_t ms) { return format_datetime(system_time(std::chrono::milliseconds(ms))); }

/// An instant as an operator writes it in a query: an xsd:dateTime or Unix
/// milliseconds; nullopt for anything else.
std::optional<std::int64_t> parse_instant_ms(std::string_view text);

} // namespace qaqpa
