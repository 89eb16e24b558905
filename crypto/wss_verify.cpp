#include "crypto/wss.hpp"

#include "crypto/detail/openssl_handles.hpp"
#include "crypto/detail/signature_algorithms.hpp"
#include "crypto/detail/wss_document.hpp"
#include "crypto/detail/xmlsec_library.hpp"

#include <xmlsec/base64.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/x509.h>
#include <xmlsec/xmldsig.h>

#include <memory>
#include <mutex>
#include <unordered_map>

namespace qaqpa::crypto {
namespace {

using namespace detail;

struct dsig_ctx_free {
    void operator()(xmlSecDSigCtx* c) const noexcept { xmlSecDSigCtxDestroy(c); }
};

/// The transforms a signature may name (the registry's, on this node); nothing else is enabled in xmlsec1.
struct accepted {
    std::vector<xmlSecTransformId> signature; ///< C14N and signature methods (SignedInfo)
    std::vector<xmlSecTransformId> reference; ///< C14N transforms and digests (each Reference)
    std::vector<std::string_view> method_uris;
};

const accepted& algorithms() {
    static const accepted a = [] {
        accepted a;
        const std::vector<xmlSecTransformId> c14n{xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
                                                  xmlSecTransformInclC14NId, xmlSecTransformInclC14NWithCommentsId,
                                                  xmlSecTransformInclC14N11Id};
        a.signature = c14n;
        for (const auto& alg : signature_algorithms())
            if (family_available(alg.family)) {
                a.signature.push_back(alg.method);
                a.method_uris.push_back(alg.uri);
            }
        a.reference = c14n;
        a.reference.insert(a.reference.end(), accepted_digests().begin(), accepted_digests().end());
        return a;
    }();
    return a;
}

/// A method this node knows but cannot compute (GOST without the engine) is
/// refused naming why, before xmlsec1 would call it merely unknown.
result<void> check_signature_method(xmlNodePtr signature) {
    xmlNodePtr method = child_element(child_element(signature, ns_dsig, "SignedInfo"), ns_dsig, "SignatureMethod");
    const auto* alg = signature_algorithm_for(method ? attribute(method, nullptr, "Algorithm") : std::string());
    if (!alg) return {}; // xmlsec1 names it, or the missing element
    return family_available(alg->family);
}

/// Certificates met in messages, parsed once, with their verification
/// keys. OpenSSL 3 decodes a certificate's public key through its decoder
/// framework (~0.2 ms) and prepares a key on its first use (Montgomery and
/// curve tables): several times the signature check itself. A gateway sees
/// the same callers' certificates again and again.
class certificate_cache {
public:
    struct entry {
        certificate cert;
        xmlSecKeyPtr key; ///< owned by the cache; callers get duplicates
    };

    /// The certificate of these DER bytes and a key of its own for the
    /// caller (xmlsec1 takes ownership of it).
    result<std::pair<certificate, xmlSecKeyPtr>> lookup(const std::string& der) {
        std::lock_guard lk(mutex_);
        auto it = entries_.find(der);
        if (it == entries_.end()) {
            auto cert = certificate::from_der(der);
            if (!cert) return cert.error();
            xmlSecKeyDataPtr data = key_data_for(X509_get0_pubkey(cert->handle().x509.get()), false);
            xmlSecKeyPtr key = data ? xmlSecKeyCreate() : nullptr;
            if (!key || xmlSecKeySetValue(key, data) < 0) {
                if (key) xmlSecKeyDestroy(key);
                else if (data) xmlSecKeyDataDestroy(data);
                return fail(errc::signature_unsupported, "the certificate's key cannot verify XML signatures");
            }
            if (entries_.size() >= max_entries) clear(); // many certificates: start again rather than grow
            it = entries_.emplace(der, entry{std::move(*cert), key}).first;
        }
        xmlSecKeyPtr copy = xmlSecKeyDuplicate(it->second.key);
        if (!copy) return fail(errc::internal, "xmlsec1 cannot copy a key");
        return std::pair{it->second.cert, copy};
    }
    ~certificate_cache() { clear(); }

private:
    static constexpr std::size_t max_entries = 4096;
    void clear() {
        for (auto& [der, e] : entries_) xmlSecKeyDestroy(e.key);
        entries_.clear();
    }
    std::mutex mutex_;
    std::unordered_map<std::string, entry> entries_;
};

certificate_cache& known_certificates() {
    static auto* cache = new certificate_cache; // never destroyed: xmlsec1 may be shut down first at exit
    return *cache;
}

/// The DER bytes of the signer's certificate, carried in the message (a token or X509Data).
result<std::string> signer_certificate(const wss_document& doc, xmlNodePtr signature) {
    xmlNodePtr key_info = child_element(signature, ns_dsig, "KeyInfo");
    if (!key_info) return fail(errc::signature_unsupported, "the ds:Signature has no ds:KeyInfo naming the certificate");
    xmlNodePtr x509_data = child_element(key_info, ns_dsig, "X509Data");
    if (xmlNodePtr str = child_element(key_info, ns_wsse, "SecurityTokenReference")) {
        if (xmlNodePtr ref = child_element(str, ns_wsse, "Reference")) {
            const auto uri = attribute(ref, nullptr, "URI");
            if (!uri.starts_with('#'))
                return fail(errc::signature_unsupported, "the token reference must be a same-document \"#id\"");
            xmlNodePtr token = doc.element_with_id(uri.substr(1));
            if (!token || !is_element(token, ns_wsse, "BinarySecurityToken") || token->parent != doc.security())
                return fail(errc::signature_unsupported,
                            "the token reference \"" + std::string(uri) + "\" names no wsse:BinarySecurityToken of this header");
            const auto value_type = attribute(token, nullptr, "ValueType");
            if (!value_type.empty() && !value_type.ends_with("#X509v3"))
                return fail(errc::signature_unsupported, "the security token is not an X.509 v3 certificate");
            return base64_text(token);
        }
        x509_data = child_element(str, ns_dsig, "X509Data");
        if (!x509_data)
            return fail(errc::signature_unsupported,
                        "the signer's certificate must be in the message (a token reference or X509Data), not named by "
                        "a key identifier or issuer and serial");
    }
    if (!x509_data) return fail(errc::signature_unsupported, "the ds:KeyInfo carries no certificate");
    xmlNodePtr cert = child_element(x509_data, ns_dsig, "X509Certificate");
    if (!cert) return fail(errc::signature_unsupported, "the ds:X509Data carries no ds:X509Certificate");
    return base64_text(cert);
}

/// Which reference, if any, is the Body's: the one the gateway acts on.
result<void> check_body_reference(const wss_document& doc, xmlSecDSigCtx& ctx) {
    bool covered = false;
    const auto n = xmlSecPtrListGetSize(&ctx.signedInfoReferences);
    for (xmlSecSize i = 0; i < n; ++i) {
        auto* ref = static_cast<xmlSecDSigReferenceCtxPtr>(xmlSecPtrListGetItem(&ctx.signedInfoReferences, i));
        if (!ref || ref->status != xmlSecDSigStatusSucceeded)
            return fail(errc::signature_invalid, "a reference of the signature does not verify");
        const std::string_view uri = ref->uri ? reinterpret_cast<const char*>(ref->uri) : "";
        if (uri.starts_with('#') && doc.element_with_id(uri.substr(1)) == doc.body()) covered = true;
    }
    if (!covered) return fail(errc::signature_scope, "the signature does not reference the soap:Body");
    return {};
}

} // namespace

const std::vector<std::string_view>& accepted_signature_methods() { return algorithms().method_uris; }

result<verified_signature> verify_body_signature(std::string_view envelope, body_span body) {
    if (!xmlsec_ready()) return fail(errc::internal, "xmlsec1 cannot be initialised: " + last_xmlsec_error());
    auto doc = wss_document::parse(envelope);
    if (!doc) return doc.error();
    if (auto agreed = doc->check_body_at(body); !agreed) return agreed.error();
    auto sig = doc->signature();
    if (!sig) return sig.error();
    if (auto usable = check_signature_method(*sig); !usable) return usable.error();
    auto der = signer_certificate(*doc, *sig);
    if (!der) return der.error();
    auto known = known_certificates().lookup(*der);
    if (!known) return known.error();
    auto& [signer_cert, key] = *known;
    const certificate* signer = &signer_cert;

    std::unique_ptr<xmlSecDSigCtx, dsig_ctx_free> ctx(xmlSecDSigCtxCreate(nullptr));
    if (!ctx) {
        xmlSecKeyDestroy(key);
        return fail(errc::internal, "xmlsec1 cannot create a signature context");
    }
    const auto& a = algorithms();
    for (auto id : a.signature) xmlSecDSigCtxEnableSignatureTransform(ctx.get(), id);
    for (auto id : a.reference) xmlSecDSigCtxEnableReferenceTransform(ctx.get(), id);
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    ctx->signKey = key; // the context owns it now

    if (xmlSecDSigCtxVerify(ctx.get(), *sig) < 0)
        return fail(errc::signature_unsupported, "the signature cannot be processed: " + last_xmlsec_error());
    if (ctx->status != xmlSecDSigStatusSucceeded) {
        last_xmlsec_error();
        return fail(errc::signature_invalid, "the signature does not verify with the certificate of \"" +
                                                 signer->subject() + "\": the signed content was changed");
    }
    if (auto ok = check_body_reference(*doc, *ctx); !ok) return ok.error();
    verified_signature v{*signer, {}, {}};
    if (ctx->signMethod && ctx->signMethod->id && ctx->signMethod->id->href)
        v.signature_method = reinterpret_cast<const char*>(ctx->signMethod->id->href);
    if (ctx->signValueNode) v.signature_value = text_content(ctx->signValueNode);
    return v;
}

} // namespace qaqpa::crypto
