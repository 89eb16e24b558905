#include "crypto/digest.hpp"

#include <openssl/evp.h>

namespace qaqpa::crypto {
namespace {

/// Fetched once: an implicit fetch by EVP_sha256() on every call takes
/// OpenSSL's provider lock and searches its store (journal rows hash one
/// each, on the store's committer thread).
const EVP_MD* sha256_md() {
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

} // namespace

sha256_digest sha256(std::string_view data) {
    sha256_digest d{};
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), d.data(), &len, sha256_md(), nullptr);
    return d;
}

std::string to_hex(const sha256_digest& d) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(2 * d.size(), '\0');
    for (std::size_t i = 0; i < d.size(); ++i) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 0xf];
    }
    return out;
}

sha256_digest digest_from_hex(std::string_view hex) {
    sha256_digest d{};
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (hex.size() != 2 * d.size()) return {};
    for (std::size_t i = 0; i < d.size(); ++i) {
        const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return {};
        d[i] = static_cast<unsigned char>(hi << 4 | lo);
    }
    return d;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

} // namespace qaqpa::crypto
