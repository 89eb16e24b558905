#include "routing/authenticator.hpp"

#include "crypto/password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>

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

digest keyed_digest(std::string_view password) {
    digest d{};
    unsigned int len = 0;
    const auto& key = process_key();
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(password.data()), password.size(), d.data(), &len);
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
