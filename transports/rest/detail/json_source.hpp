#pragma once
// What a parsed JSON document no longer shows: where a value lay in the text
// (a payload is carried as the text that came, never re-serialised: numbers
// never pass through a double) and whether an object repeated a key (the
// document model keeps one of them silently; a request must not mean two
// things). Runs over text Boost.JSON has already accepted, so it only tells
// tokens apart and never judges them.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace qaqpa::rest::detail {

struct source_facts {
    /// The text of the value at the path asked for; nullopt when absent.
    std::optional<std::string_view> value_at_path;
    /// The first repeated key, as a path ("request/requestInfo/messageId");
    /// empty when none. The value at the path is opaque and not looked into.
    std::string repeated_key;
};

/// `text` must be one valid JSON value. `path`: object keys from the root.
source_facts scan_source(std::string_view text, std::span<const std::string_view> path);

} // namespace qaqpa::rest::detail
