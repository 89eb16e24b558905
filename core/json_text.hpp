#pragma once
// Writing JSON text by hand where a document model would cost more than the
// line it builds (log lines, journal rows): one escaping rule for all of it.

#include <optional>
#include <string>
#include <string_view>

namespace qaqpa {

/// Appends `text` as a JSON string's contents (no quotes): `"` `\` and
/// control characters escaped, invalid UTF-8 replaced by U+FFFD.
void append_json_escaped(std::string& out, std::string_view text);

/// Whether `text` is exactly one JSON value (whitespace around it allowed).
bool is_json_value(std::string_view text);

/// The decoded contents of `text` when it is one JSON string; nullopt otherwise.
std::optional<std::string> json_string_contents(std::string_view text);

} // namespace qaqpa
