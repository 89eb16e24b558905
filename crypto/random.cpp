#include "crypto/random.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace qaqpa::crypto {

bool random_bytes(std::span<unsigned char> out) noexcept {
    return RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
}

std::string random_hex(std::size_t n) {
    std::vector<unsigned char> raw(n);
    if (!random_bytes(raw)) throw std::runtime_error("the random generator failed");
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (unsigned char b : raw) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

} // namespace qaqpa::crypto
