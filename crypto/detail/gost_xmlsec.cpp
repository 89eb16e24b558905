#include "crypto/detail/gost_xmlsec.hpp"

#include "crypto/detail/gost_engine.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <xmlsec/errors.h>
#include <xmlsec/keysdata.h>

#include <cstring>
#include <new>

namespace qaqpa::crypto::detail {
namespace {

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

// ---- the key: an EVP_PKEY of the engine's, after xmlsec1's own header ----

struct key_state {
    EVP_PKEY* pkey = nullptr;
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
    x("gost2012"),
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
    nullptr, // identifier
    nullptr, nullptr, nullptr, nullptr, // xml and binary read/write
    nullptr, nullptr,                   // debug dumps
    nullptr, nullptr,
};

// ---- transforms: their state after xmlsec1's xmlSecTransform ----

struct transform_state {
    EVP_MD_CTX* md = nullptr;
    EVP_PKEY* pkey = nullptr; ///< signatures only
    unsigned char digest[EVP_MAX_MD_SIZE] = {};
    unsigned int digest_size = 0;
};

transform_state& state_of(xmlSecTransformPtr t) {
    return *reinterpret_cast<transform_state*>(reinterpret_cast<xmlSecByte*>(t) + sizeof(xmlSecTransform));
}

int digest_bits(xmlSecTransformPtr t) {
    return t->id == gost2012_512_digest_transform() || t->id == gost2012_512_signature_transform() ? 512 : 256;
}

int transform_initialize(xmlSecTransformPtr t) {
    new (&state_of(t)) transform_state{};
    return 0;
}

void transform_finalize(xmlSecTransformPtr t) {
    transform_state& s = state_of(t);
    EVP_MD_CTX_free(s.md);
    EVP_PKEY_free(s.pkey);
    s.md = nullptr;
    s.pkey = nullptr;
}

int fail_transform(xmlSecTransformPtr t, const char* what) {
    xmlSecError(XMLSEC_ERRORS_HERE, reinterpret_cast<const char*>(t->id->name), what, XMLSEC_ERRORS_R_CRYPTO_FAILED,
                "%s", "GOST engine");
    ERR_clear_error();
    return -1;
}

/// Starts the digest or signature on the first input.
int start(xmlSecTransformPtr t, bool signature) {
    transform_state& s = state_of(t);
    const EVP_MD* md = gost_digest(digest_bits(t));
    if (!md) return fail_transform(t, gost_unavailable_reason().c_str());
    s.md = EVP_MD_CTX_new();
    if (!s.md) return fail_transform(t, "no memory");
    int ok = 0;
    if (!signature) ok = EVP_DigestInit_ex(s.md, md, gost_engine());
    else if (!s.pkey) return fail_transform(t, "no key was given");
    else if (t->operation == xmlSecTransformOperationSign) ok = EVP_DigestSignInit(s.md, nullptr, md, gost_engine(), s.pkey);
    else ok = EVP_DigestVerifyInit(s.md, nullptr, md, gost_engine(), s.pkey);
    if (ok != 1) return fail_transform(t, "the engine refused to start");
    t->status = xmlSecTransformStatusWorking;
    return 0;
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
        const int ok = !signature ? EVP_DigestUpdate(s.md, data, n)
                       : t->operation == xmlSecTransformOperationSign ? EVP_DigestSignUpdate(s.md, data, n)
                                                                        : EVP_DigestVerifyUpdate(s.md, data, n);
        if (ok != 1 || xmlSecBufferRemoveHead(&t->inBuf, n) < 0) return fail_transform(t, "cannot digest");
    }
    if (!last) return 0;
    if (!signature) {
        if (EVP_DigestFinal_ex(s.md, s.digest, &s.digest_size) != 1) return fail_transform(t, "cannot finish the digest");
        if (t->operation == xmlSecTransformOperationSign && xmlSecBufferAppend(&t->outBuf, s.digest, s.digest_size) < 0)
            return -1;
    } else if (t->operation == xmlSecTransformOperationSign) {
        std::size_t size = 0;
        if (EVP_DigestSignFinal(s.md, nullptr, &size) != 1 || xmlSecBufferSetMaxSize(&t->outBuf, size) < 0)
            return fail_transform(t, "cannot size the signature");
        if (EVP_DigestSignFinal(s.md, xmlSecBufferGetData(&t->outBuf), &size) != 1 ||
            xmlSecBufferSetSize(&t->outBuf, size) < 0)
            return fail_transform(t, "cannot sign");
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

int signature_verify(xmlSecTransformPtr t, const xmlSecByte* data, xmlSecSize size, xmlSecTransformCtxPtr) {
    if (t->status != xmlSecTransformStatusFinished) return fail_transform(t, "verified before the end");
    const bool good = EVP_DigestVerifyFinal(state_of(t).md, data, size) == 1;
    ERR_clear_error(); // a wrong value leaves the engine's reason behind
    t->status = good ? xmlSecTransformStatusOk : xmlSecTransformStatusFail;
    return 0;
}

int signature_key_requirements(xmlSecTransformPtr t, xmlSecKeyReqPtr req) {
    req->keyId = gost_key_data_id();
    const bool sign = t->operation == xmlSecTransformOperationSign;
    req->keyType = sign ? xmlSecKeyDataTypePrivate : xmlSecKeyDataTypePublic;
    req->keyUsage = sign ? xmlSecKeyUsageSign : xmlSecKeyUsageVerify;
    return 0;
}

int signature_set_key(xmlSecTransformPtr t, xmlSecKeyPtr key) {
    xmlSecKeyDataPtr value = xmlSecKeyGetValue(key);
    if (!value || value->id != gost_key_data_id() || !state_of(value).pkey) return fail_transform(t, "not a GOST key");
    EVP_PKEY* pkey = state_of(value).pkey;
    const int wanted = digest_bits(t) == 512 ? NID_id_GostR3410_2012_512 : NID_id_GostR3410_2012_256;
    if (EVP_PKEY_get_base_id(pkey) != wanted) return fail_transform(t, "the key's size does not fit the signature method");
    if (EVP_PKEY_up_ref(pkey) != 1) return -1;
    EVP_PKEY_free(state_of(t).pkey);
    state_of(t).pkey = pkey;
    return 0;
}

constexpr xmlSecSize transform_size = sizeof(xmlSecTransform) + sizeof(transform_state);

#define QAQPA_GOST_TRANSFORM(NAME, HREF, USAGE, KEYREQ, SETKEY, VERIFY, EXECUTE)                                    \
    {sizeof(xmlSecTransformKlass), transform_size, x(NAME), x(HREF), USAGE, transform_initialize, transform_finalize, \
     nullptr, nullptr, KEYREQ, SETKEY, VERIFY, xmlSecTransformDefaultGetDataType, xmlSecTransformDefaultPushBin,      \
     xmlSecTransformDefaultPopBin, nullptr, nullptr, EXECUTE, nullptr, nullptr}

const xmlSecTransformKlass digest_256 = QAQPA_GOST_TRANSFORM(
    "gostr34112012-256", "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256", xmlSecTransformUsageDigestMethod,
    nullptr, nullptr, digest_verify, digest_execute);
const xmlSecTransformKlass digest_512 = QAQPA_GOST_TRANSFORM(
    "gostr34112012-512", "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-512", xmlSecTransformUsageDigestMethod,
    nullptr, nullptr, digest_verify, digest_execute);
const xmlSecTransformKlass signature_256 = QAQPA_GOST_TRANSFORM(
    "gostr34102012-gostr34112012-256", "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256",
    xmlSecTransformUsageSignatureMethod, signature_key_requirements, signature_set_key, signature_verify,
    signature_execute);
const xmlSecTransformKlass signature_512 = QAQPA_GOST_TRANSFORM(
    "gostr34102012-gostr34112012-512", "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-512",
    xmlSecTransformUsageSignatureMethod, signature_key_requirements, signature_set_key, signature_verify,
    signature_execute);

#undef QAQPA_GOST_TRANSFORM

} // namespace

xmlSecTransformId gost2012_256_digest_transform() { return &digest_256; }
xmlSecTransformId gost2012_512_digest_transform() { return &digest_512; }
xmlSecTransformId gost2012_256_signature_transform() { return &signature_256; }
xmlSecTransformId gost2012_512_signature_transform() { return &signature_512; }
xmlSecKeyDataId gost_key_data_id() { return &key_klass; }

xmlSecKeyDataPtr gost_key_data(EVP_PKEY* pkey, bool has_private) {
    xmlSecKeyDataPtr data = xmlSecKeyDataCreate(gost_key_data_id());
    if (!data) return nullptr;
    if (EVP_PKEY_up_ref(pkey) != 1) {
        xmlSecKeyDataDestroy(data);
        return nullptr;
    }
    state_of(data) = key_state{pkey, has_private};
    return data;
}

bool register_gost_transforms() {
    for (xmlSecTransformId id : {gost2012_256_digest_transform(), gost2012_512_digest_transform(),
                                 gost2012_256_signature_transform(), gost2012_512_signature_transform()})
        if (xmlSecTransformIdsRegister(id) < 0) return false;
    return true;
}

} // namespace qaqpa::crypto::detail
