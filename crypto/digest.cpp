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

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, sha256_md(), nullptr);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(2 * len, '\0');
    for (unsigned int i = 0; i < len; ++i) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 0xf];
    }
    return out;
}

} // namespace qaqpa::crypto
