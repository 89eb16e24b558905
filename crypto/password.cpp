#include "crypto/password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>
#include <vector>

namespace qaqpa::crypto {
namespace {

constexpr std::size_t salt_bytes = 16;
constexpr std::size_t key_bytes = 32;
constexpr unsigned long max_n = 1ul << 20, max_r = 32, max_p = 16;

std::string base64(const unsigned char* data, std::size_t n) {
    std::string out(4 * ((n + 2) / 3), '\0');
    const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
    out.resize(static_cast<std::size_t>(len));
    return out;
}

std::optional<std::vector<unsigned char>> unbase64(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    std::vector<unsigned char> out(text.size() / 4 * 3);
    const int len = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                    static_cast<int>(text.size()));
    if (len < 0) return std::nullopt;
    std::size_t pad = 0;
    if (text.back() == '=') ++pad;
    if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
    out.resize(static_cast<std::size_t>(len) - pad);
    return out;
}

bool derive(std::string_view password, const unsigned char* salt, std::size_t salt_len,
            const scrypt_params& p, unsigned char* key, std::size_t key_len) {
    const std::uint64_t maxmem = 128ull * p.r * (p.n + p.p + 2) + (1 << 20);
    return EVP_PBE_scrypt(password.data(), password.size(), salt, salt_len, p.n, p.r, p.p, maxmem, key,
                          key_len) == 1;
}

struct parsed_hash {
    scrypt_params params;
    std::vector<unsigned char> salt;
    std::vector<unsigned char> key;
};

std::optional<unsigned long> number(std::string_view s) {
    unsigned long v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<parsed_hash> parse(std::string_view stored) {
    std::vector<std::string_view> parts;
    while (true) {
        const auto pos = stored.find('$');
        parts.push_back(stored.substr(0, pos));
        if (pos == std::string_view::npos) break;
        stored.remove_prefix(pos + 1);
    }
    if (parts.size() != 6 || parts[0] != "scrypt") return std::nullopt;
    auto n = number(parts[1]), r = number(parts[2]), p = number(parts[3]);
    if (!n || !r || !p || *n < 2 || *n > max_n || (*n & (*n - 1)) != 0 || *r == 0 || *r > max_r ||
        *p == 0 || *p > max_p)
        return std::nullopt;
    auto salt = unbase64(parts[4]);
    auto key = unbase64(parts[5]);
    if (!salt || !key || salt->empty() || key->size() < 16) return std::nullopt;
    return parsed_hash{{*n, *r, *p}, std::move(*salt), std::move(*key)};
}

} // namespace

std::string hash_password(std::string_view password, scrypt_params params) {
    unsigned char salt[salt_bytes];
    unsigned char key[key_bytes];
    if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("RAND_bytes failed");
    if (!derive(password, salt, sizeof salt, params, key, sizeof key))
        throw std::runtime_error("scrypt failed");
    return "scrypt$" + std::to_string(params.n) + "$" + std::to_string(params.r) + "$" +
           std::to_string(params.p) + "$" + base64(salt, sizeof salt) + "$" + base64(key, sizeof key);
}

bool verify_password(std::string_view password, std::string_view stored) {
    auto h = parse(stored);
    if (!h) return false;
    std::vector<unsigned char> key(h->key.size());
    if (!derive(password, h->salt.data(), h->salt.size(), h->params, key.data(), key.size())) return false;
    return CRYPTO_memcmp(key.data(), h->key.data(), key.size()) == 0;
}

bool is_password_hash(std::string_view stored) { return parse(stored).has_value(); }

} // namespace qaqpa::crypto
