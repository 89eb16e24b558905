#pragma once
// Content digests (OpenSSL).

#include <string>
#include <string_view>

namespace qaqpa::crypto {

/// SHA-256 of `data`, lower-case hex.
std::string sha256_hex(std::string_view data);

} // namespace qaqpa::crypto
