#pragma once
// Writing JSON text by hand where a document model would cost more than the
// line it builds (log lines, journal rows): one escaping rule for all of it.

#include <string>
#include <string_view>

namespace qaqpa {

/// Appends `text` as a JSON string's contents (no quotes): `"` `\` and
/// control characters escaped, invalid UTF-8 replaced by U+FFFD.
void append_json_escaped(std::string& out, std::string_view text);

} // namespace qaqpa
