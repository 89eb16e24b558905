#pragma once
// UTF-8 validity (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF). What a client sends is checked before the gateway uses it as
// text, and whatever the gateway quotes back in a fault or a JSON error is
// made valid first: an answer must be well-formed even when the request was
// not.

#include <cstddef>
#include <string>
#include <string_view>

namespace qaqpa {

/// Length of the longest valid UTF-8 prefix of `s`.
std::size_t valid_utf8_prefix(std::string_view s) noexcept;

inline bool valid_utf8(std::string_view s) noexcept { return valid_utf8_prefix(s) == s.size(); }

/// `s` with each invalid byte replaced by U+FFFD (the replacement character).
std::string to_valid_utf8(std::string_view s);

} // namespace qaqpa
