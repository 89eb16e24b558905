#include "crypto/hmac.hpp"

#include "crypto/random.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>

namespace qaqpa::crypto {
namespace {

const std::array<unsigned char, 32>& process_key() {
    static const auto key = [] {
        std::array<unsigned char, 32> k{};
        if (!random_bytes(k)) throw std::runtime_error("the random generator failed");
        return k;
    }();
    return key;
}

struct mac_ctx_free {
    void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

} // namespace

sha256_mac process_hmac(std::string_view data) {
    thread_local std::unique_ptr<EVP_MAC_CTX, mac_ctx_free> ctx = [] {
        std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr), EVP_MAC_free);
        std::unique_ptr<EVP_MAC_CTX, mac_ctx_free> c(EVP_MAC_CTX_new(mac.get()));
        char sha256[] = "SHA256";
        const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", sha256, 0), OSSL_PARAM_construct_end()};
        const auto& key = process_key();
        EVP_MAC_init(c.get(), key.data(), key.size(), params);
        return c;
    }();
    sha256_mac d{};
    std::size_t len = 0;
    EVP_MAC_init(ctx.get(), nullptr, 0, nullptr); // keeps the key
    EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
    EVP_MAC_final(ctx.get(), d.data(), &len, d.size());
    return d;
}

bool equal_constant_time(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace qaqpa::crypto
