#include "routing/authenticator.hpp"

#include "crypto/password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <memory>

namespace qaqpa::routing {
namespace {

using digest = std::array<unsigned char, 32>;

/// Per-process random key: the cache holds HMAC(key, password), useless
/// outside this process.
const std::array<unsigned char, 32>& process_key() {
    static const auto key = [] {
        std::array<unsigned char, 32> k{};
        RAND_bytes(k.data(), static_cast<int>(k.size()));
        return k;
    }();
    return key;
}

struct mac_ctx_free {
    void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

/// HMAC-SHA256 under the process key, with a per-thread context keyed once:
/// re-initialising a keyed context allocates nothing.
digest keyed_digest(std::string_view password) {
    thread_local std::unique_ptr<EVP_MAC_CTX, mac_ctx_free> ctx = [] {
        std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr), EVP_MAC_free);
        std::unique_ptr<EVP_MAC_CTX, mac_ctx_free> c(EVP_MAC_CTX_new(mac.get()));
        char sha256[] = "SHA256";
        const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", sha256, 0), OSSL_PARAM_construct_end()};
        const auto& key = process_key();
        EVP_MAC_init(c.get(), key.data(), key.size(), params);
        return c;
    }();
    digest d{};
    std::size_t len = 0;
    EVP_MAC_init(ctx.get(), nullptr, 0, nullptr);
    EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(password.data()), password.size());
    EVP_MAC_final(ctx.get(), d.data(), &len, d.size());
    return d;
}

struct verified {
    std::uint64_t generation = 0;
    digest password{};
};

} // namespace

result<const system_entry*> authenticate(const registry_view& view, const sender_info& sender) {
    const auto* sys = view.system(sender.sender_id);
    if (!sys || !sender.password) return fail(errc::auth_failed);
    thread_local string_map<verified> cache;
    const digest d = keyed_digest(*sender.password);
    if (auto it = cache.find(sender.sender_id); it != cache.end() && it->second.generation == view.generation() &&
                                                 CRYPTO_memcmp(it->second.password.data(), d.data(), d.size()) == 0)
        return sys;
    if (!crypto::verify_password(*sender.password, sys->password_hash)) return fail(errc::auth_failed);
    cache[sys->id] = verified{view.generation(), d};
    return sys;
}

} // namespace qaqpa::routing
