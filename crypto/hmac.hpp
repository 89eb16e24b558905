#pragma once
// HMAC-SHA256 and constant-time comparison (OpenSSL).

#include <array>
#include <string_view>

namespace qaqpa::crypto {

using sha256_mac = std::array<unsigned char, 32>;

/// HMAC-SHA256 of `data` under a random key made once per process: a value
/// worth keeping in memory (a verified password's mark) and useless outside
/// this process. Each thread keeps its own keyed context, so a call
/// allocates nothing.
sha256_mac process_hmac(std::string_view data);

/// Whether `a` and `b` are equal, in time that depends on their length only.
bool equal_constant_time(std::string_view a, std::string_view b) noexcept;

} // namespace qaqpa::crypto
