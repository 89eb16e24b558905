#pragma once
// Password hashing for IS logins: scrypt (OpenSSL) with a random salt.
// Stored form: "scrypt$<N>$<r>$<p>$<salt base64>$<key base64>".

#include <optional>
#include <string>
#include <string_view>

namespace qaqpa::crypto {

struct scrypt_params {
    unsigned long n = 1 << 14; ///< CPU/memory cost (16 MiB with r = 8)
    unsigned long r = 8;
    unsigned long p = 1;
};

/// Hashes a password with a fresh 16-byte salt.
std::string hash_password(std::string_view password, scrypt_params params = {});

/// Checks a password against a stored hash in constant time. A malformed
/// hash or absurd parameters verify as false.
bool verify_password(std::string_view password, std::string_view stored);

/// True when `stored` has the hash format (used to validate config).
bool is_password_hash(std::string_view stored);

} // namespace qaqpa::crypto
