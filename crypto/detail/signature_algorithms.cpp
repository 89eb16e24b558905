#include "crypto/detail/signature_algorithms.hpp"

#include "crypto/detail/gost_engine.hpp"

#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <xmlsec/crypto.h>

namespace qaqpa::crypto::detail {
namespace {

std::string_view href(xmlSecTransformId id) { return reinterpret_cast<const char*>(id->href); }

} // namespace

const std::vector<signature_algorithm>& signature_algorithms() {
    static const std::vector<signature_algorithm> all = [] {
        using f = key_family;
        std::vector<signature_algorithm> v;
        auto add = [&](xmlSecTransformId method, f family, xmlSecTransformId digest, bool signs) {
            v.push_back({href(method), family, method, digest, signs});
        };
        using k = signature_kind;
        add(signature_transform(k::rsa_sha1), f::rsa, xmlSecOpenSSLTransformSha1Id, false);
        add(signature_transform(k::rsa_sha256), f::rsa, xmlSecOpenSSLTransformSha256Id, true);
        add(signature_transform(k::rsa_sha384), f::rsa, xmlSecOpenSSLTransformSha384Id, false);
        add(signature_transform(k::rsa_sha512), f::rsa, xmlSecOpenSSLTransformSha512Id, false);
        add(signature_transform(k::ecdsa_sha256), f::ec, xmlSecOpenSSLTransformSha256Id, true);
        add(signature_transform(k::ecdsa_sha384), f::ec, xmlSecOpenSSLTransformSha384Id, false);
        add(signature_transform(k::ecdsa_sha512), f::ec, xmlSecOpenSSLTransformSha512Id, false);
        add(signature_transform(k::gost2012_256), f::gost2012_256, gost2012_256_digest_transform(), true);
        add(signature_transform(k::gost2012_512), f::gost2012_512, gost2012_512_digest_transform(), true);
        return v;
    }();
    return all;
}

const std::vector<xmlSecTransformId>& accepted_digests() {
    static const std::vector<xmlSecTransformId> digests = [] {
        std::vector<xmlSecTransformId> v{xmlSecOpenSSLTransformSha1Id, xmlSecOpenSSLTransformSha256Id,
                                         xmlSecOpenSSLTransformSha384Id, xmlSecOpenSSLTransformSha512Id};
        if (gost_engine()) {
            v.push_back(gost2012_256_digest_transform());
            v.push_back(gost2012_512_digest_transform());
        }
        return v;
    }();
    return digests;
}

const signature_algorithm* signature_algorithm_for(std::string_view uri) {
    for (const auto& a : signature_algorithms())
        if (a.uri == uri) return &a;
    return nullptr;
}

const signature_algorithm& signing_algorithm(key_family family) {
    for (const auto& a : signature_algorithms())
        if (a.family == family && a.gateway_signs_with) return a;
    return signature_algorithms().front(); // unreachable: every family has one
}

result<void> family_available(key_family family) {
    if (is_gost(family) && !gost_engine())
        return fail(errc::signature_unsupported, "GOST R 34.10-2012 is not available on this node: " + gost_unavailable_reason());
    return {};
}

result<key_family> family_of(const EVP_PKEY* key) {
    if (!key) return fail(errc::signature_unsupported, "the key cannot be read" +
                                                           (gost_engine() ? std::string() : " (" + gost_unavailable_reason() + ")"));
    switch (EVP_PKEY_get_base_id(key)) {
    case NID_id_GostR3410_2012_256: return key_family::gost2012_256;
    case NID_id_GostR3410_2012_512: return key_family::gost2012_512;
    default: break;
    }
    if (EVP_PKEY_is_a(key, "RSA")) return key_family::rsa;
    if (EVP_PKEY_is_a(key, "EC")) return key_family::ec;
    return fail(errc::signature_unsupported, "the key is neither RSA, EC nor GOST R 34.10-2012");
}

xmlSecKeyDataPtr key_data_for(EVP_PKEY* key, bool has_private) {
    auto family = family_of(key);
    return family ? evp_key_data(key, *family, has_private) : nullptr;
}

} // namespace qaqpa::crypto::detail
