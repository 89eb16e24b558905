#pragma once
// Writing JSON text by hand where a document model would cost more than the
// line it builds (log lines, journal rows): one escaping rule for all of it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace qaqpa {

/// Appends `text` as a JSON string's contents (no quotes): `"` `\` and
/// control characters escaped, invalid UTF-8 replaced by U+FFFD.
void append_json_escaped(std::string& out, std::string_view text);

/// What makes `text` not exactly one JSON value: the parser's reason and the
/// byte it stopped at.
struct json_flaw {
    std::string reason;
    std::size_t at = 0;
};

/// Checks `text` is exactly one JSON value (whitespace around it allowed),
/// nested at most `max_depth` deep, without building it: nullopt when it is.
std::optional<json_flaw> find_json_flaw(std::string_view text, std::size_t max_depth = 256);

/// Whether `text` is exactly one JSON value, nested at most 256 deep.
inline bool is_json_value(std::string_view text) { return !find_json_flaw(text); }

/// The decoded contents of `text` when it is one JSON string; nullopt otherwise.
std::optional<std::string> json_string_contents(std::string_view text);

} // namespace qaqpa
