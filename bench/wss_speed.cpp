// WS-Security per core: signing a ~2 KB SendMessage as the gateway and
// verifying a caller's signature on one, per key, next to the bare
// signature operation with the same key (OpenSSL EVP, no XML; GOST through
// OpenSSL's GOST engine when the PKI has GOST keys); encrypting
// its Body to an RSA-2048 certificate and decrypting it, next to the bare
// RSA-OAEP key transport. Prints operations per second on one thread.
//   wss_speed PKI_DIR [seconds=2] [key]    the figures (one key's only, e.g. sender-ec, for a profiler)
//   wss_speed sign CERT KEY < in > out     signs an envelope (for load tests)
#include "crypto/wss.hpp"
#include "tests/support/soap_samples.hpp"
#include "transports/soap/envelope.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <iterator>
#include <string>

namespace {

using namespace qaqpa;
using clock_type = std::chrono::steady_clock;

double per_second(double seconds, const std::function<bool()>& op) {
    for (int i = 0; i < 50; ++i) op(); // warm-up
    long n = 0;
    const auto t0 = clock_type::now();
    const auto until = t0 + std::chrono::duration<double>(seconds);
    while (clock_type::now() < until) {
        for (int i = 0; i < 16; ++i)
            if (!op()) return -1;
        n += 16;
    }
    return n / std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// The PEM private key in `key_file` (the caller frees it); null when it cannot be read.
EVP_PKEY* private_key(const std::string& key_file) {
    FILE* f = std::fopen(key_file.c_str(), "r");
    if (!f) return nullptr;
    EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    return key;
}

/// The bare operations with the key of `key_file`: sign and verify a digest (`md`) of 2 KB.
std::pair<double, double> bare(const std::string& key_file, const char* md_name, double seconds) {
    EVP_PKEY* key = private_key(key_file);
    const EVP_MD* md = EVP_get_digestbyname(md_name);
    if (!key || !md) return {-1, -1};
    const std::string data(2048, 'x');
    unsigned char sig[1024];
    std::size_t sig_len = sizeof sig;
    const auto sign = [&] {
        EVP_MD_CTX* c = EVP_MD_CTX_new();
        sig_len = sizeof sig;
        const bool ok = EVP_DigestSignInit(c, nullptr, md, nullptr, key) == 1 &&
                        EVP_DigestSign(c, sig, &sig_len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
        EVP_MD_CTX_free(c);
        return ok;
    };
    const double s = per_second(seconds, sign);
    sign();
    const double v = per_second(seconds, [&] {
        EVP_MD_CTX* c = EVP_MD_CTX_new();
        const bool ok = EVP_DigestVerifyInit(c, nullptr, md, nullptr, key) == 1 &&
                        EVP_DigestVerify(c, sig, sig_len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
        EVP_MD_CTX_free(c);
        return ok;
    });
    EVP_PKEY_free(key);
    return {s, v};
}

/// The bare key transport with the RSA key of `key_file`: RSA-OAEP of a 32-byte AES key, each way.
std::pair<double, double> bare_oaep(const std::string& key_file, double seconds) {
    EVP_PKEY* key = private_key(key_file);
    if (!key) return {-1, -1};
    const unsigned char session[32] = {1};
    unsigned char wrapped[512], unwrapped[512];
    std::size_t wrapped_len = sizeof wrapped;
    const auto run = [&](bool encrypt) {
        EVP_PKEY_CTX* c = EVP_PKEY_CTX_new(key, nullptr);
        bool ok = c && (encrypt ? EVP_PKEY_encrypt_init(c) : EVP_PKEY_decrypt_init(c)) == 1 &&
                  EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) == 1;
        if (ok && encrypt) {
            wrapped_len = sizeof wrapped;
            ok = EVP_PKEY_encrypt(c, wrapped, &wrapped_len, session, sizeof session) == 1;
        } else if (ok) {
            std::size_t n = sizeof unwrapped;
            ok = EVP_PKEY_decrypt(c, unwrapped, &n, wrapped, wrapped_len) == 1;
        }
        EVP_PKEY_CTX_free(c);
        return ok;
    };
    const double e = per_second(seconds, [&] { return run(true); });
    run(true);
    const double d = per_second(seconds, [&] { return run(false); });
    EVP_PKEY_free(key);
    return {e, d};
}

crypto::body_span scanned_body(const std::string& text) {
    auto& doc = soap::xml_document::scratch();
    auto root = doc.parse(text);
    auto env = soap::read_envelope(*root);
    return soap::body_span_of(*env, text);
}

int sign_stdin(const std::string& cert, const std::string& key) {
    auto id = crypto::signing_identity::load(cert, key);
    if (!id) {
        std::fprintf(stderr, "wss_speed: %s\n", id.error().detail.c_str());
        return 2;
    }
    const std::string in((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    auto out = crypto::sign_envelope(in, **id);
    if (!out) {
        std::fprintf(stderr, "wss_speed: %s\n", out.error().detail.c_str());
        return 1;
    }
    std::cout << *out;
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::string(argv[1]) == "sign") return sign_stdin(argv[2], argv[3]);
    if (argc < 2) {
        std::fprintf(stderr, "usage: wss_speed PKI_DIR [seconds] | wss_speed sign CERT KEY\n");
        return 2;
    }
    const std::string pki = argv[1];
    const double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
    const auto request = test::sync_request_of_size({}, 2048);
    std::printf("wss_speed: %zu-byte SendMessage, one thread, %.0f s per figure (operations/s)\n", request.size(), seconds);
    std::printf("%-22s %12s %12s %12s %12s %10s %10s\n", "key", "sign", "bare sign", "verify", "bare verify",
                "sign ×", "verify ×");
    struct key_row {
        const char* name;
        const char* label;
        const char* md;
    };
    for (const auto& [name, label, md] :
         {key_row{"sender", "RSA-2048 / SHA-256", "SHA256"}, key_row{"sender-ec", "ECDSA P-256 / SHA-256", "SHA256"},
          key_row{"sender-gost", "GOST 2012-256 (TC26 A)", "md_gost12_256"},
          key_row{"sender-gost512", "GOST 2012-512", "md_gost12_512"}}) {
        if (argc > 3 && name != std::string(argv[3])) continue;
        if (std::string(md) != "SHA256" && !std::filesystem::exists(pki + "/" + name + ".key")) {
            std::printf("%-22s (no GOST engine: the PKI has no GOST keys)\n", label);
            continue;
        }
        auto id = crypto::signing_identity::load(pki + "/" + name + ".pem", pki + "/" + name + ".key");
        if (!id) {
            std::fprintf(stderr, "wss_speed: %s\n", id.error().detail.c_str());
            return 1;
        }
        const auto signed_text = crypto::sign_envelope(request, **id);
        if (!signed_text) return 1;
        const auto span = scanned_body(*signed_text);
        const double sign = per_second(seconds, [&] { return crypto::sign_envelope(request, **id).has_value(); });
        const double verify =
            per_second(seconds, [&] { return crypto::verify_body_signature(*signed_text, span).has_value(); });
        const auto [bare_sign, bare_verify] = bare(pki + "/" + name + ".key", md, seconds);
        std::printf("%-22s %12.0f %12.0f %12.0f %12.0f %10.2f %10.2f\n", label, sign, bare_sign, verify, bare_verify,
                    sign / bare_sign, verify / bare_verify);
    }

    if (argc > 3) return 0;
    // XML Encryption of the Body to the gateway's RSA-2048 certificate (AES-256-GCM, RSA-OAEP)
    auto gateway = crypto::signing_identity::load(pki + "/gateway.pem", pki + "/gateway.key");
    if (!gateway) return 1;
    const auto sealed = crypto::encrypt_body(request, (*gateway)->cert());
    if (!sealed) return 1;
    const auto sealed_span = scanned_body(*sealed);
    const double encrypt = per_second(seconds, [&] { return crypto::encrypt_body(request, (*gateway)->cert()).has_value(); });
    const double decrypt =
        per_second(seconds, [&] { return crypto::open_envelope(*sealed, sealed_span, **gateway).has_value(); });
    const auto [bare_encrypt, bare_decrypt] = bare_oaep(pki + "/gateway.key", seconds);
    std::printf("\n%-22s %12s %12s %12s %12s %10s %10s\n", "key", "encrypt", "bare OAEP", "decrypt", "bare OAEP",
                "encrypt ×", "decrypt ×");
    std::printf("%-22s %12.0f %12.0f %12.0f %12.0f %10.2f %10.2f\n", "RSA-2048 / AES-256-GCM", encrypt, bare_encrypt,
                decrypt, bare_decrypt, encrypt / bare_encrypt, decrypt / bare_decrypt);
    return 0;
}
