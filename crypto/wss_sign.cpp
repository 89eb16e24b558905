#include "crypto/wss.hpp"

#include "crypto/detail/openssl_handles.hpp"
#include "crypto/detail/signing_key.hpp"
#include "crypto/detail/wss_document.hpp"
#include "crypto/detail/xmlsec_library.hpp"

#include "crypto/detail/gost_engine.hpp"
#include "crypto/detail/signature_algorithms.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <xmlsec/app.h>
#include <xmlsec/base64.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/openssl/evp.h>

namespace qaqpa::crypto {

namespace {

using namespace detail;

constexpr const char* body_id = "qaqpa-body";
constexpr const char* token_id = "qaqpa-token";
constexpr const char* wsu_prefix = "qwsu"; // unlikely to be bound to anything else inside a payload
constexpr const char* x509v3 =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
constexpr const char* base64_binary =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

struct dsig_ctx_free {
    void operator()(xmlSecDSigCtx* c) const noexcept { xmlSecDSigCtxDestroy(c); }
};

struct xml_buffer_free {
    void operator()(xmlBuffer* b) const noexcept { xmlBufferFree(b); }
};

std::string base64(const std::string& bytes) {
    xmlChar* s = xmlSecBase64Encode(reinterpret_cast<const xmlSecByte*>(bytes.data()),
                                    static_cast<xmlSecSize>(bytes.size()), 0);
    std::string out = s ? reinterpret_cast<const char*>(s) : "";
    xmlFree(s);
    return out;
}

/// The wsse:Security element, signed, as text: declares every namespace it
/// uses itself, so it reads the same spliced into the original bytes.
result<std::string> signed_security_header(wss_document& doc, xmlNodePtr body, const std::string& id,
                                           const signing_identity& who) {
    xmlNodePtr security = xmlNewDocNode(doc.doc(), nullptr, x("Security"), nullptr);
    xmlNsPtr wsse = xmlNewNs(security, x(ns_wsse), x("wsse"));
    xmlSetNs(security, wsse);
    xmlNsPtr wsu = xmlNewNs(security, x(ns_wsu), x(wsu_prefix));
    // attached where it will be spliced, so C14N sees the same ancestors
    xmlNodePtr header = nullptr;
    xmlNodePtr root = xmlDocGetRootElement(doc.doc());
    for (xmlNodePtr c = root->children; c && !header; c = c->next)
        if (c->type == XML_ELEMENT_NODE && c->ns == root->ns && xmlStrEqual(c->name, x("Header"))) header = c;
    if (!header) {
        header = xmlNewDocNode(doc.doc(), root->ns, x("Header"), nullptr);
        xmlAddPrevSibling(body, header);
    }
    if (header->children) xmlAddPrevSibling(header->children, security);
    else xmlAddChild(header, security);

    xmlNodePtr token = xmlNewTextChild(security, wsse, x("BinarySecurityToken"), x(base64(who.cert().der()).c_str()));
    xmlSetProp(token, x("EncodingType"), x(base64_binary));
    xmlSetProp(token, x("ValueType"), x(x509v3));
    xmlAddID(nullptr, doc.doc(), x(token_id), xmlSetNsProp(token, wsu, x("Id"), x(token_id)));

    const signature_algorithm& alg = signing_algorithm(who.signing_key().family);
    xmlNodePtr sig = xmlSecTmplSignatureCreateNsPref(doc.doc(), xmlSecTransformExclC14NId, alg.method, nullptr, x("ds"));
    xmlAddChild(security, sig);
    const std::string uri = "#" + id;
    xmlNodePtr ref = xmlSecTmplSignatureAddReference(sig, alg.digest, nullptr, x(uri.c_str()), nullptr);
    xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId);
    xmlNodePtr key_info = xmlSecTmplSignatureEnsureKeyInfo(sig, nullptr);
    xmlNodePtr str = xmlNewChild(key_info, wsse, x("SecurityTokenReference"), nullptr);
    xmlNodePtr token_ref = xmlNewChild(str, wsse, x("Reference"), nullptr);
    xmlSetProp(token_ref, x("URI"), x((std::string("#") + token_id).c_str()));
    xmlSetProp(token_ref, x("ValueType"), x(x509v3));

    std::unique_ptr<xmlSecDSigCtx, dsig_ctx_free> ctx(xmlSecDSigCtxCreate(nullptr));
    if (!ctx) return fail(errc::internal, "xmlsec1 cannot create a signature context");
    ctx->signKey = xmlSecKeyDuplicate(who.signing_key().value);
    if (!ctx->signKey || xmlSecDSigCtxSign(ctx.get(), sig) < 0)
        return fail(errc::internal, "xmlsec1 cannot sign: " + last_xmlsec_error());

    std::unique_ptr<xmlBuffer, xml_buffer_free> buf(xmlBufferCreate());
    if (xmlNodeDump(buf.get(), doc.doc(), security, 0, 0) < 0) return fail(errc::internal, "cannot write the signature");
    return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf.get())),
                       static_cast<std::size_t>(xmlBufferLength(buf.get())));
}

struct pkey_free {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

/// A PEM private key (unencrypted): RSA, EC, or GOST R 34.10-2012 once the engine is loaded.
result<pkey_ptr> read_private_key(const std::string& file) {
    std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_file(file.c_str(), "r"), BIO_free);
    if (!in) return fail(errc::bad_config, "cannot read the private key \"" + file + "\": " + openssl_error());
    pkey_ptr key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
    if (!key)
        return fail(errc::bad_config, "cannot read the private key \"" + file + "\": " + openssl_error() +
                                          (gost_engine() ? "" : " (if it is a GOST key: " + gost_unavailable_reason() + ")"));
    return key;
}

} // namespace

signing_identity::signing_identity(certificate cert, std::unique_ptr<key> k) : cert_(std::move(cert)), key_(std::move(k)) {}
signing_identity::~signing_identity() = default;

std::string_view signing_identity::signature_method() const {
    return signing_algorithm(key_->family).uri;
}

result<std::shared_ptr<const signing_identity>> signing_identity::load(const std::string& cert_file,
                                                                       const std::string& key_file) {
    if (!xmlsec_ready()) return fail(errc::internal, "xmlsec1 cannot be initialised: " + last_xmlsec_error());
    auto cert = certificate::from_pem_file(cert_file);
    if (!cert) return cert.error();
    auto pkey = read_private_key(key_file);
    if (!pkey) return pkey.error();
    auto family = family_of(pkey->get());
    if (!family)
        return fail(errc::bad_config, "the private key \"" + key_file + "\" cannot sign: " + family.error().detail);
    if (auto usable = family_available(*family); !usable)
        return fail(errc::bad_config, "the private key \"" + key_file + "\" cannot sign: " + usable.error().detail);
    EVP_PKEY* pub = X509_get0_pubkey(cert->handle().x509.get());
    if (!pub || EVP_PKEY_eq(pub, pkey->get()) != 1)
        return fail(errc::bad_config, "the private key \"" + key_file + "\" does not belong to the certificate \"" +
                                          cert_file + "\"");
    auto k = std::make_unique<key>();
    k->family = *family;
    xmlSecKeyDataPtr data = key_data_for(pkey->get(), true);
    k->value = data ? xmlSecKeyCreate() : nullptr;
    if (!k->value || xmlSecKeySetValue(k->value, data) < 0) {
        if (data) xmlSecKeyDataDestroy(data);
        return fail(errc::internal, "xmlsec1 cannot take the private key \"" + key_file + "\": " + last_xmlsec_error());
    }
    if (k->family == key_family::rsa) { // xmlsec1's own key data, for its RSA-OAEP key transport
        xmlSecKeyDataPtr rsa = xmlSecOpenSSLEvpKeyAdopt(pkey->get());
        if (rsa) pkey->release(); // adopted
        k->unwrapping = rsa ? xmlSecKeyCreate() : nullptr;
        if (!k->unwrapping || xmlSecKeySetValue(k->unwrapping, rsa) < 0) {
            if (rsa) xmlSecKeyDataDestroy(rsa);
            return fail(errc::internal, "xmlsec1 cannot take the private key \"" + key_file + "\": " + last_xmlsec_error());
        }
    }
    return std::shared_ptr<const signing_identity>(new signing_identity(std::move(*cert), std::move(k)));
}

result<std::string> sign_envelope(std::string_view envelope, const signing_identity& who) {
    auto e = read_outgoing(envelope, "sign");
    if (!e) return e.error();
    auto& doc = e->doc;
    xmlNodePtr body_node = e->body->node;

    // the Body's id: its own wsu:Id when it has one, else ours (added to the DOM and to the bytes)
    std::string id = attribute(body_node, ns_wsu, "Id");
    std::string body_attributes;
    if (id.empty()) {
        id = body_id;
        xmlNsPtr wsu = xmlNewNs(body_node, x(ns_wsu), x(wsu_prefix));
        xmlAddID(nullptr, doc.doc(), x(id.c_str()), xmlSetNsProp(body_node, wsu, x("Id"), x(id.c_str())));
        body_attributes = std::string(" xmlns:") + wsu_prefix + "=\"" + ns_wsu + "\" " + wsu_prefix + ":Id=\"" + id + "\"";
    } else if (!doc.element_with_id(id)) {
        return fail(errc::internal, "the Body's id \"" + id + "\" is used twice");
    }
    auto security = signed_security_header(doc, body_node, id, who);
    if (!security) return security.error();

    // splice: the header, then the Body's attributes, into the original bytes
    const std::size_t body_open_end = e->body->start; // past '>'
    const std::size_t body_tag_close = envelope[body_open_end - 2] == '/' ? body_open_end - 2 : body_open_end - 1;
    std::string out;
    out.reserve(envelope.size() + security->size() + 128);
    const std::size_t from = append_into_header(out, envelope, *e, *security);
    out.append(envelope.substr(from, body_tag_close - from));
    out.append(body_attributes);
    out.append(envelope.substr(body_tag_close));
    return out;
}

} // namespace qaqpa::crypto
