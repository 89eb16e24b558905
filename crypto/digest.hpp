#pragma once
// Content digests (OpenSSL).

#include <array>
#include <string>
#include <string_view>

namespace qaqpa::crypto {

using sha256_digest = std::array<unsigned char, 32>;

/// SHA-256 of `data`.
sha256_digest sha256(std::string_view data);
/// SHA-256 of `data`, lower-case hex.
std::string sha256_hex(std::string_view data);
/// Lower-case hex of a digest.
std::string to_hex(const sha256_digest& d);
/// A digest from its hex (either case); all zeros when `hex` is not 64 hex digits.
sha256_digest digest_from_hex(std::string_view hex);

} // namespace qaqpa::crypto
