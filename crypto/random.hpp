#pragma once
// Cryptographically strong random bytes (OpenSSL's DRBG).

#include <cstddef>
#include <span>
#include <string>

namespace qaqpa::crypto {

/// Fills `out`; false when the DRBG failed (never silently weak).
bool random_bytes(std::span<unsigned char> out) noexcept;

/// `n` random bytes as lower-case hex (2n characters); throws when the DRBG
/// fails.
std::string random_hex(std::size_t n);

} // namespace qaqpa::crypto
