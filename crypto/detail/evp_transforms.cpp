#include "crypto/detail/evp_transforms.hpp"

#include "crypto/detail/gost_engine.hpp"

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <xmlsec/errors.h>
#include <xmlsec/keysdata.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/strings.h>

#include <cstring>
#include <memory>
#include <new>
#include <vector>

namespace qaqpa::crypto::detail {
namespace {

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

enum class digest_name { sha1, sha256, sha384, sha512, gost256, gost512 };

/// The digest, fetched once (an implicit fetch on every signature costs a lookup under a lock).
const EVP_MD* md_of(digest_name d) {
    static const EVP_MD* const fetched[] = {EVP_MD_fetch(nullptr, "SHA1", nullptr), EVP_MD_fetch(nullptr, "SHA256", nullptr),
                                            EVP_MD_fetch(nullptr, "SHA384", nullptr),
                                            EVP_MD_fetch(nullptr, "SHA512", nullptr)};
    switch (d) {
    case digest_name::gost256: return gost_digest(256);
    case digest_name::gost512: return gost_digest(512);
    default: return fetched[static_cast<int>(d)];
    }
}

// ---- the key: an EVP_PKEY after xmlsec1's own header ----

struct key_state {
    EVP_PKEY* pkey = nullptr;
    key_family family = key_family::rsa;
    bool has_private = false;
};

key_state& state_of(xmlSecKeyDataPtr data) {
    return *reinterpret_cast<key_state*>(reinterpret_cast<xmlSecByte*>(data) + sizeof(xmlSecKeyData));
}

int key_initialize(xmlSecKeyDataPtr data) {
    new (&state_of(data)) key_state{};
    return 0;
}

int key_duplicate(xmlSecKeyDataPtr dst, xmlSecKeyDataPtr src) {
    key_state& from = state_of(src);
    if (from.pkey && EVP_PKEY_up_ref(from.pkey) != 1) return -1;
    state_of(dst) = from;
    return 0;
}

void key_finalize(xmlSecKeyDataPtr data) {
    EVP_PKEY_free(state_of(data).pkey);
    state_of(data) = {};
}

xmlSecKeyDataType key_type(xmlSecKeyDataPtr data) {
    const key_state& s = state_of(data);
    if (!s.pkey) return xmlSecKeyDataTypeUnknown;
    return s.has_private ? (xmlSecKeyDataTypePrivate | xmlSecKeyDataTypePublic) : xmlSecKeyDataTypePublic;
}

xmlSecSize key_size(xmlSecKeyDataPtr data) {
    const key_state& s = state_of(data);
    return s.pkey ? static_cast<xmlSecSize>(EVP_PKEY_get_bits(s.pkey)) : 0;
}

const xmlSecKeyDataKlass key_klass = {
    sizeof(xmlSecKeyDataKlass),
    sizeof(xmlSecKeyData) + sizeof(key_state),
    x("qaqpa-evp"),
    xmlSecKeyDataUsageUnknown, // never read from or written to KeyInfo by xmlsec1: crypto/ hands it the key
    nullptr,
    nullptr,
    nullptr,
    key_initialize,
    key_duplicate,
    key_finalize,
    nullptr, // generate
    key_type,
    key_size,
    nullptr,                            // identifier
    nullptr, nullptr, nullptr, nullptr, // xml and binary read/write
    nullptr, nullptr,                   // debug dumps
    nullptr, nullptr,
};

// ---- transforms: what each computes, and their state after xmlsec1's xmlSecTransform ----

/// A transform's class with what it computes: xmlsec1 points at the class,
/// which is the first member, so the rest is found from it.
struct method_info {
    xmlSecTransformKlass klass;
    key_family family; ///< signatures: the keys they take
    digest_name digest;
};

const method_info& info_of(xmlSecTransformPtr t) { return *reinterpret_cast<const method_info*>(t->id); }

struct transform_state {
    EVP_MD_CTX* md = nullptr;
    EVP_PKEY* pkey = nullptr;     ///< signatures only
    std::size_t field_bytes = 0;  ///< ECDSA: the size of r and of s
    unsigned char digest[EVP_MAX_MD_SIZE] = {};
    unsigned int digest_size = 0;
};

transform_state& state_of(xmlSecTransformPtr t) {
    return *reinterpret_cast<transform_state*>(reinterpret_cast<xmlSecByte*>(t) + sizeof(xmlSecTransform));
}

int transform_initialize(xmlSecTransformPtr t) {
    new (&state_of(t)) transform_state{};
    return 0;
}

void transform_finalize(xmlSecTransformPtr t) {
    transform_state& s = state_of(t);
    EVP_MD_CTX_free(s.md);
    EVP_PKEY_free(s.pkey);
    s = {};
}

int fail_transform(xmlSecTransformPtr t, const char* what) {
    xmlSecError(XMLSEC_ERRORS_HERE, reinterpret_cast<const char*>(t->id->name), what, XMLSEC_ERRORS_R_CRYPTO_FAILED,
                "%s", "EVP");
    ERR_clear_error();
    return -1;
}

bool signing(xmlSecTransformPtr t) { return t->operation == xmlSecTransformOperationSign; }

/// Starts the digest or signature on the first input.
int start(xmlSecTransformPtr t, bool signature) {
    transform_state& s = state_of(t);
    const method_info& info = info_of(t);
    const EVP_MD* md = md_of(info.digest);
    if (!md) return fail_transform(t, gost_unavailable_reason().c_str());
    ENGINE* engine = info.digest == digest_name::gost256 || info.digest == digest_name::gost512 ? gost_engine() : nullptr;
    s.md = EVP_MD_CTX_new();
    if (!s.md) return fail_transform(t, "no memory");
    int ok = 0;
    if (!signature) ok = EVP_DigestInit_ex(s.md, md, engine);
    else if (!s.pkey) return fail_transform(t, "no key was given");
    else if (signing(t)) ok = EVP_DigestSignInit(s.md, nullptr, md, engine, s.pkey);
    else ok = EVP_DigestVerifyInit(s.md, nullptr, md, engine, s.pkey);
    if (ok != 1) return fail_transform(t, "the digest or signature cannot start");
    t->status = xmlSecTransformStatusWorking;
    return 0;
}

/// The signature into the output: ECDSA's DER turned into r || s.
int finish_signature(xmlSecTransformPtr t) {
    transform_state& s = state_of(t);
    std::size_t size = 0;
    if (EVP_DigestSignFinal(s.md, nullptr, &size) != 1) return fail_transform(t, "cannot size the signature");
    std::vector<unsigned char> value(size);
    if (EVP_DigestSignFinal(s.md, value.data(), &size) != 1) return fail_transform(t, "cannot sign");
    value.resize(size);
    if (info_of(t).family == key_family::ec) {
        const unsigned char* p = value.data();
        std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(size)),
                                                                   ECDSA_SIG_free);
        if (!sig) return fail_transform(t, "cannot read the ECDSA signature");
        const std::size_t n = s.field_bytes;
        value.assign(2 * n, 0);
        if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), value.data(), static_cast<int>(n)) < 0 ||
            BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), value.data() + n, static_cast<int>(n)) < 0)
            return fail_transform(t, "cannot write the ECDSA signature");
    }
    return xmlSecBufferAppend(&t->outBuf, value.data(), static_cast<xmlSecSize>(value.size()));
}

/// Feeds the input on; at the end, the digest (or, signing, the signature) goes to the output.
int execute(xmlSecTransformPtr t, int last, bool signature) {
    transform_state& s = state_of(t);
    if (t->status == xmlSecTransformStatusNone && start(t, signature) < 0) return -1;
    if (t->status == xmlSecTransformStatusFinished) return xmlSecBufferGetSize(&t->inBuf) == 0 ? 0 : -1;
    if (t->status != xmlSecTransformStatusWorking) return fail_transform(t, "an unexpected state");
    const xmlSecSize n = xmlSecBufferGetSize(&t->inBuf);
    if (n > 0) {
        const xmlSecByte* data = xmlSecBufferGetData(&t->inBuf);
        const int ok = !signature  ? EVP_DigestUpdate(s.md, data, n)
                       : signing(t) ? EVP_DigestSignUpdate(s.md, data, n)
                                    : EVP_DigestVerifyUpdate(s.md, data, n);
        if (ok != 1 || xmlSecBufferRemoveHead(&t->inBuf, n) < 0) return fail_transform(t, "cannot digest");
    }
    if (!last) return 0;
    if (!signature) {
        if (EVP_DigestFinal_ex(s.md, s.digest, &s.digest_size) != 1) return fail_transform(t, "cannot finish the digest");
        if (signing(t) && xmlSecBufferAppend(&t->outBuf, s.digest, s.digest_size) < 0) return -1;
    } else if (signing(t) && finish_signature(t) < 0) {
        return -1;
    }
    t->status = xmlSecTransformStatusFinished;
    return 0;
}

int digest_execute(xmlSecTransformPtr t, int last, xmlSecTransformCtxPtr) { return execute(t, last, false); }
int signature_execute(xmlSecTransformPtr t, int last, xmlSecTransformCtxPtr) { return execute(t, last, true); }

int digest_verify(xmlSecTransformPtr t, const xmlSecByte* data, xmlSecSize size, xmlSecTransformCtxPtr) {
    if (t->status != xmlSecTransformStatusFinished) return fail_transform(t, "verified before the end");
    const transform_state& s = state_of(t);
    const bool same = size == s.digest_size && std::memcmp(data, s.digest, size) == 0;
    t->status = same ? xmlSecTransformStatusOk : xmlSecTransformStatusFail;
    return 0;
}

/// r || s of `n` bytes each as the DER OpenSSL verifies; empty when the size is wrong.
std::vector<unsigned char> ecdsa_der(const xmlSecByte* data, xmlSecSize size, std::size_t n) {
    if (n == 0 || size != 2 * n) return {};
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), ECDSA_SIG_free);
    BIGNUM* r = BN_bin2bn(data, static_cast<int>(n), nullptr);
    BIGNUM* s = BN_bin2bn(data + n, static_cast<int>(n), nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return {};
    }
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0) return {};
    std::vector<unsigned char> out(der, der + len);
    OPENSSL_free(der);
    return out;
}

int signature_verify(xmlSecTransformPtr t, const xmlSecByte* data, xmlSecSize size, xmlSecTransformCtxPtr) {
    if (t->status != xmlSecTransformStatusFinished) return fail_transform(t, "verified before the end");
    transform_state& s = state_of(t);
    bool good = false;
    if (info_of(t).family == key_family::ec) {
        const auto der = ecdsa_der(data, size, s.field_bytes);
        good = !der.empty() && EVP_DigestVerifyFinal(s.md, der.data(), der.size()) == 1;
    } else {
        good = EVP_DigestVerifyFinal(s.md, data, size) == 1;
    }
    ERR_clear_error(); // a wrong value leaves its reason behind
    t->status = good ? xmlSecTransformStatusOk : xmlSecTransformStatusFail;
    return 0;
}

int signature_key_requirements(xmlSecTransformPtr t, xmlSecKeyReqPtr req) {
    req->keyId = &key_klass;
    req->keyType = signing(t) ? xmlSecKeyDataTypePrivate : xmlSecKeyDataTypePublic;
    req->keyUsage = signing(t) ? xmlSecKeyUsageSign : xmlSecKeyUsageVerify;
    return 0;
}

int signature_set_key(xmlSecTransformPtr t, xmlSecKeyPtr key) {
    xmlSecKeyDataPtr value = xmlSecKeyGetValue(key);
    if (!value || value->id != &key_klass || !state_of(value).pkey) return fail_transform(t, "not a key of ours");
    const key_state& k = state_of(value);
    if (k.family != info_of(t).family) return fail_transform(t, "the key does not fit the signature method");
    if (EVP_PKEY_up_ref(k.pkey) != 1) return -1;
    transform_state& s = state_of(t);
    EVP_PKEY_free(s.pkey);
    s.pkey = k.pkey;
    s.field_bytes = k.family == key_family::ec ? static_cast<std::size_t>(EVP_PKEY_get_bits(k.pkey) + 7) / 8 : 0;
    return 0;
}

constexpr xmlSecSize transform_size = sizeof(xmlSecTransform) + sizeof(transform_state);

method_info signature_method(const xmlChar* name, const xmlChar* href, key_family family, digest_name digest) {
    return {{sizeof(xmlSecTransformKlass), transform_size, name, href, xmlSecTransformUsageSignatureMethod,
             transform_initialize, transform_finalize, nullptr, nullptr, signature_key_requirements, signature_set_key,
             signature_verify, xmlSecTransformDefaultGetDataType, xmlSecTransformDefaultPushBin,
             xmlSecTransformDefaultPopBin, nullptr, nullptr, signature_execute, nullptr, nullptr},
            family,
            digest};
}

method_info digest_method(const char* name, const char* href, digest_name digest) {
    return {{sizeof(xmlSecTransformKlass), transform_size, x(name), x(href), xmlSecTransformUsageDigestMethod,
             transform_initialize, transform_finalize, nullptr, nullptr, nullptr, nullptr, digest_verify,
             xmlSecTransformDefaultGetDataType, xmlSecTransformDefaultPushBin, xmlSecTransformDefaultPopBin, nullptr,
             nullptr, digest_execute, nullptr, nullptr},
            key_family::rsa,
            digest};
}

using f = key_family;
using d = digest_name;
// RSA and ECDSA under xmlsec1's own names and URIs (these stand in for its transforms); GOST's are not in Debian's build
const method_info signatures[] = {
    signature_method(xmlSecNameRsaSha1, xmlSecHrefRsaSha1, f::rsa, d::sha1),
    signature_method(xmlSecNameRsaSha256, xmlSecHrefRsaSha256, f::rsa, d::sha256),
    signature_method(xmlSecNameRsaSha384, xmlSecHrefRsaSha384, f::rsa, d::sha384),
    signature_method(xmlSecNameRsaSha512, xmlSecHrefRsaSha512, f::rsa, d::sha512),
    signature_method(xmlSecNameEcdsaSha256, xmlSecHrefEcdsaSha256, f::ec, d::sha256),
    signature_method(xmlSecNameEcdsaSha384, xmlSecHrefEcdsaSha384, f::ec, d::sha384),
    signature_method(xmlSecNameEcdsaSha512, xmlSecHrefEcdsaSha512, f::ec, d::sha512),
    signature_method(x("gostr34102012-gostr34112012-256"),
                     x("urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256"), f::gost2012_256,
                     d::gost256),
    signature_method(x("gostr34102012-gostr34112012-512"),
                     x("urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-512"), f::gost2012_512,
                     d::gost512),
};
const method_info gost_digest_256 =
    digest_method("gostr34112012-256", "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256", d::gost256);
const method_info gost_digest_512 =
    digest_method("gostr34112012-512", "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-512", d::gost512);

/// xmlsec1's own signature transforms these stand in for, by kind.
xmlSecTransformId replaced(signature_kind kind) {
    switch (kind) {
    case signature_kind::rsa_sha1: return xmlSecOpenSSLTransformRsaSha1Id;
    case signature_kind::rsa_sha256: return xmlSecOpenSSLTransformRsaSha256Id;
    case signature_kind::rsa_sha384: return xmlSecOpenSSLTransformRsaSha384Id;
    case signature_kind::rsa_sha512: return xmlSecOpenSSLTransformRsaSha512Id;
    case signature_kind::ecdsa_sha256: return xmlSecOpenSSLTransformEcdsaSha256Id;
    case signature_kind::ecdsa_sha384: return xmlSecOpenSSLTransformEcdsaSha384Id;
    case signature_kind::ecdsa_sha512: return xmlSecOpenSSLTransformEcdsaSha512Id;
    default: return nullptr;
    }
}

} // namespace

xmlSecTransformId signature_transform(signature_kind kind) { return &signatures[static_cast<int>(kind)].klass; }
xmlSecTransformId gost2012_256_digest_transform() { return &gost_digest_256.klass; }
xmlSecTransformId gost2012_512_digest_transform() { return &gost_digest_512.klass; }

xmlSecKeyDataPtr evp_key_data(EVP_PKEY* pkey, key_family family, bool has_private) {
    xmlSecKeyDataPtr data = xmlSecKeyDataCreate(&key_klass);
    if (!data) return nullptr;
    if (EVP_PKEY_up_ref(pkey) != 1) {
        xmlSecKeyDataDestroy(data);
        return nullptr;
    }
    state_of(data) = key_state{pkey, family, has_private};
    return data;
}

bool register_evp_transforms(bool with_gost) {
    xmlSecPtrListPtr ids = xmlSecTransformIdsGet();
    for (int k = 0; k <= static_cast<int>(signature_kind::ecdsa_sha512); ++k) {
        const auto kind = static_cast<signature_kind>(k);
        bool found = false;
        for (xmlSecSize i = 0; i < xmlSecPtrListGetSize(ids); ++i)
            if (xmlSecPtrListGetItem(ids, i) == replaced(kind)) {
                if (xmlSecPtrListSet(ids, const_cast<void*>(static_cast<const void*>(signature_transform(kind))), i) < 0)
                    return false;
                found = true;
            }
        if (!found && xmlSecTransformIdsRegister(signature_transform(kind)) < 0) return false;
    }
    if (!with_gost) return true;
    for (xmlSecTransformId id : {gost2012_256_digest_transform(), gost2012_512_digest_transform(),
                                 signature_transform(signature_kind::gost2012_256),
                                 signature_transform(signature_kind::gost2012_512)})
        if (xmlSecTransformIdsRegister(id) < 0) return false;
    return true;
}

} // namespace qaqpa::crypto::detail
