#include "crypto/digest.hpp"

#include <openssl/evp.h>

#include <fmt/format.h>

namespace qaqpa::crypto {

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    std::string out;
    out.reserve(2 * len);
    for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
    return out;
}

} // namespace qaqpa::crypto
