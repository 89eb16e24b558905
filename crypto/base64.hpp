#pragma once
// Base64 (RFC 4648, with padding) for what the edges decode: HTTP Basic
// credentials. OpenSSL does the work.

#include <optional>
#include <string>
#include <string_view>

namespace qaqpa::crypto {

/// The bytes `text` encodes; nullopt when it is not padded base64.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace qaqpa::crypto
