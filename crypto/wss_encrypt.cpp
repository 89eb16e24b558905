// Encrypting a Body to a recipient's certificate (WS-Security 1.1 with XML
// Encryption): xmlsec1 encrypts, the result is spliced into the original
// bytes so nothing else of the envelope changes.
#include "crypto/wss.hpp"

#include "crypto/detail/openssl_handles.hpp"
#include "crypto/detail/wss_document.hpp"
#include "crypto/detail/xmlsec_library.hpp"
#include "crypto/random.hpp"

#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/x509.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmlenc.h>

#include <array>

namespace qaqpa::crypto {
namespace {

using namespace detail;

constexpr const char* data_id = "qaqpa-encrypted-body";
constexpr const char* key_id = "qaqpa-encrypted-key";


/// Encrypts `plain` into the template `node` (EncryptedData or EncryptedKey) under `key` (taken).
result<void> encrypt_into(xmlNodePtr node, xmlSecKeyPtr key, std::string_view plain, bool encrypted_key) {
    enc_ctx_ptr ctx(xmlSecEncCtxCreate(nullptr));
    if (!ctx) {
        xmlSecKeyDestroy(key);
        return fail(errc::internal, "xmlsec1 cannot create an encryption context");
    }
    ctx->encKey = key;
    if (encrypted_key) ctx->mode = xmlEncCtxModeEncryptedKey;
    if (xmlSecEncCtxBinaryEncrypt(ctx.get(), node, reinterpret_cast<const xmlSecByte*>(plain.data()),
                                  static_cast<xmlSecSize>(plain.size())) < 0)
        return fail(errc::internal, "xmlsec1 cannot encrypt: " + last_xmlsec_error());
    return {};
}

/// xmlsec1's templates declare their namespaces as the default; WS-Security
/// toolkits write xenc: and ds:, and so do we (the xmlNs is shared, renaming it renames every use).
void prefix_namespaces(xmlNodePtr node) {
    for (; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE) continue;
        for (xmlNsPtr ns = node->nsDef; ns; ns = ns->next) {
            if (ns->prefix || !ns->href) continue;
            const char* prefix = xmlStrEqual(ns->href, xml_chars(ns_xenc))   ? "xenc"
                                 : xmlStrEqual(ns->href, xml_chars(ns_dsig)) ? "ds"
                                                                             : nullptr;
            if (prefix) ns->prefix = xmlStrdup(xml_chars(prefix));
        }
        prefix_namespaces(node->children);
    }
}

} // namespace

result<std::string> encrypt_body(std::string_view envelope, const certificate& recipient) {
    if (!recipient.has_rsa_key())
        return fail(errc::internal, "the recipient's certificate \"" + recipient.subject() +
                                        "\" is not RSA: XML Encryption's key transport needs RSA");
    auto e = read_outgoing(envelope, "encrypt");
    if (!e) return e.error();
    const std::size_t content_begin = e->body->start;
    if (envelope[content_begin - 2] == '/') return fail(errc::internal, "cannot encrypt an empty Body");
    const std::size_t content_end = envelope.rfind('<', e->body->end - 1);
    const auto content = envelope.substr(content_begin, content_end - content_begin);

    // the Body's content under a fresh AES-256 key
    xml_doc_ptr scratch(xmlNewDoc(xml_chars("1.0")));
    xmlNodePtr data = xmlSecTmplEncDataCreate(scratch.get(), xmlSecTransformAes256GcmId, xml_chars(data_id),
                                              xmlSecTypeEncContent, nullptr, nullptr);
    if (!data || !xmlSecTmplEncDataEnsureCipherValue(data)) return fail(errc::internal, "xmlsec1 cannot make a template");
    xmlDocSetRootElement(scratch.get(), data);
    std::array<unsigned char, 32> session{};
    if (!random_bytes(session)) return fail(errc::internal, "no random bytes for an encryption key");
    xmlSecKeyPtr aes = xmlSecKeyReadMemory(xmlSecKeyDataAesId, session.data(), session.size());
    if (!aes) return fail(errc::internal, "xmlsec1 cannot make an AES key: " + last_xmlsec_error());
    if (auto r = encrypt_into(data, aes, content, false); !r) return r.error();

    // the AES key to the recipient, by RSA-OAEP, in an EncryptedKey naming the certificate and the data
    X509* cert = recipient.handle().x509.get();
    // in a document of its own, so that it declares every namespace it uses
    xml_doc_ptr key_doc(xmlNewDoc(xml_chars("1.0")));
    xmlNodePtr holder = xmlNewDocNode(key_doc.get(), nullptr, xml_chars("holder"), nullptr);
    xmlDocSetRootElement(key_doc.get(), holder);
    xmlNodePtr key = xmlSecTmplKeyInfoAddEncryptedKey(holder, xmlSecTransformRsaOaepId, xml_chars(key_id), nullptr, nullptr);
    if (!key || !xmlSecTmplEncDataEnsureCipherValue(key)) return fail(errc::internal, "xmlsec1 cannot make a template");
    xmlNodePtr key_info = xmlSecTmplEncDataEnsureKeyInfo(key, nullptr);
    xmlNodePtr str = xmlNewChild(key_info, nullptr, xml_chars("SecurityTokenReference"), nullptr);
    xmlSetNs(str, xmlNewNs(str, xml_chars(ns_wsse), xml_chars("wsse")));
    xmlNsPtr ds = xmlSearchNsByHref(key_doc.get(), key_info, xml_chars(ns_dsig)); // KeyInfo's, ds: once prefixed
    const auto issuer = recipient.issuer();
    const auto serial = recipient.serial_number();
    xmlNodePtr named = xmlNewChild(xmlNewChild(str, ds, xml_chars("X509Data"), nullptr), ds, xml_chars("X509IssuerSerial"), nullptr);
    xmlNewTextChild(named, ds, xml_chars("X509IssuerName"), xml_chars(issuer.c_str()));
    xmlNewTextChild(named, ds, xml_chars("X509SerialNumber"), xml_chars(serial.c_str()));
    if (!xmlSecTmplReferenceListAddDataReference(key, xml_chars((std::string("#") + data_id).c_str())))
        return fail(errc::internal, "xmlsec1 cannot make a template");
    xmlSecKeyDataPtr rsa = xmlSecOpenSSLX509CertGetKey(cert);
    xmlSecKeyPtr transport = rsa ? xmlSecKeyCreate() : nullptr;
    if (!transport || xmlSecKeySetValue(transport, rsa) < 0) {
        if (transport) xmlSecKeyDestroy(transport);
        else if (rsa) xmlSecKeyDataDestroy(rsa);
        return fail(errc::internal, "the recipient's certificate has no key to encrypt to");
    }
    if (auto r = encrypt_into(key, transport, std::string_view(reinterpret_cast<const char*>(session.data()), session.size()), true);
        !r)
        return r.error();
    prefix_namespaces(key);
    prefix_namespaces(data);
    const auto encrypted_key = node_text(key_doc.get(), key);
    const auto encrypted_data = node_text(scratch.get(), data);

    // splice: the EncryptedKey first in wsse:Security (made when there is none), the data as the Body's content
    std::string out;
    out.reserve(envelope.size() + encrypted_key.size() + encrypted_data.size() + 128);
    std::size_t copied = 0;
    const auto copy_to = [&](std::size_t at) {
        out.append(envelope.substr(copied, at - copied));
        copied = at;
    };
    const auto* security = e->doc.security() ? e->doc.mark_of(e->doc.security()) : nullptr;
    if (security) {
        if (envelope[security->start - 2] == '/') return fail(errc::internal, "cannot encrypt into an empty <wsse:Security/>");
        copy_to(security->start);
        out.append(encrypted_key);
    } else {
        copied = append_into_header(out, envelope, *e,
                                    std::string("<wsse:Security xmlns:wsse=\"") + ns_wsse + "\">" + encrypted_key +
                                        "</wsse:Security>");
    }
    copy_to(content_begin);
    out.append(encrypted_data);
    copied = content_end;
    copy_to(envelope.size());
    return out;
}

} // namespace qaqpa::crypto
