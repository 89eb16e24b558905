#pragma once
// One pass of Boost.JSON over what a REST party sends: it judges the whole
// text, builds the document of the envelope only (the payload stands in as a
// null: it is carried as the text that came, never built, so numbers never
// pass through a double), finds the payload's exact text and names the first
// repeated key (the document model would keep one of them silently; a request
// must not mean two things). Where the parser's events cannot place the
// payload in the text (a key spelt with escapes, say), the source scan of
// json_source.hpp places it instead.

#include "core/errors.hpp"

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace qaqpa::rest::detail {

struct envelope {
    boost::json::value root;
    /// The text of the value at the path asked for; nullopt when absent.
    std::optional<std::string_view> payload;
    /// The first repeated key outside the payload, as a path
    /// ("request/requestInfo/messageId"); empty when none.
    std::string repeated_key;
};

/// Memory for one envelope: the document's values come from `storage`;
/// the parser's stack starts in `stack` (so small bodies stay off the heap).
struct envelope_memory {
    boost::json::storage_ptr storage;
    unsigned char* stack = nullptr;
    std::size_t stack_size = 0;
};

/// `path`: object keys from the root to the payload (empty: none is looked
/// for). Fails (invalid_request) when `text` is not one JSON value, naming
/// the reason and the byte.
result<envelope> read_envelope(std::string_view text, std::span<const std::string_view> path, const envelope_memory& memory,
                               std::size_t max_depth = 256);

} // namespace qaqpa::rest::detail
