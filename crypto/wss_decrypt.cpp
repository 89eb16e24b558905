// Decrypting a Body encrypted to the gateway (WS-Security 1.1 with XML
// Encryption), the wsse:Security header's elements taken in their order.
#include "crypto/wss.hpp"

#include "crypto/detail/openssl_handles.hpp"
#include "crypto/detail/signing_key.hpp"
#include "crypto/detail/wss_document.hpp"
#include "crypto/detail/xmlsec_library.hpp"

#include <xmlsec/buffer.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/xmlenc.h>

#include <vector>

namespace qaqpa::crypto {

namespace {

using namespace detail;

constexpr const char* content_type = "http://www.w3.org/2001/04/xmlenc#Content";
constexpr const char* element_type = "http://www.w3.org/2001/04/xmlenc#Element";


/// One answer for every failure to decrypt, whatever went wrong: telling
/// bad padding from bad plaintext would be an oracle (Jager and Somorovsky,
/// "How to break XML Encryption", 2011).
failure undecryptable() {
    last_xmlsec_error(); // the reason stays here
    return fail(errc::decryption_failed, "the encrypted Body cannot be decrypted with the gateway's key");
}

failure unsupported(const std::string& why) { return fail(errc::encryption_unsupported, why); }

const std::vector<xmlSecTransformId>& key_transports() {
    static const std::vector<xmlSecTransformId> ids{xmlSecTransformRsaOaepId};
    return ids;
}

const std::vector<xmlSecTransformId>& data_ciphers() {
    static const std::vector<xmlSecTransformId> ids{xmlSecTransformAes128CbcId, xmlSecTransformAes192CbcId,
                                                    xmlSecTransformAes256CbcId, xmlSecTransformAes128GcmId,
                                                    xmlSecTransformAes192GcmId, xmlSecTransformAes256GcmId};
    return ids;
}

/// The EncryptionMethod's algorithm, when it is one of `allowed`; unsupported naming it otherwise.
result<void> method_among(xmlNodePtr node, const std::vector<xmlSecTransformId>& allowed, const char* what) {
    const auto uri = attribute(child_element(node, ns_xenc, "EncryptionMethod"), nullptr, "Algorithm");
    for (auto id : allowed)
        if (uri == reinterpret_cast<const char*>(id->href)) return {};
    return unsupported(std::string(what) + " algorithm \"" + uri + "\" is not accepted");
}

/// Decrypts `node` (EncryptedKey or EncryptedData) with `key` (taken), only `allowed` enabled.
result<std::string> decrypt(xmlNodePtr node, xmlSecKeyPtr key, const std::vector<xmlSecTransformId>& allowed,
                            bool encrypted_key) {
    enc_ctx_ptr ctx(xmlSecEncCtxCreate(nullptr));
    if (!ctx || !key) {
        if (key) xmlSecKeyDestroy(key);
        return undecryptable();
    }
    ctx->encKey = key;
    if (encrypted_key) ctx->mode = xmlEncCtxModeEncryptedKey;
    for (auto id : allowed)
        if (xmlSecPtrListAdd(&ctx->transformCtx.enabledTransforms, const_cast<void*>(static_cast<const void*>(id))) < 0)
            return undecryptable();
    xmlSecBufferPtr out = xmlSecEncCtxDecryptToBuffer(ctx.get(), node);
    if (!out) return undecryptable();
    return std::string(reinterpret_cast<const char*>(xmlSecBufferGetData(out)),
                       static_cast<std::size_t>(xmlSecBufferGetSize(out)));
}

/// The serial number an EncryptedKey names its certificate by (X509IssuerSerial), or "" when it names it otherwise.
std::string named_serial(xmlNodePtr encrypted_key) {
    xmlNodePtr info = child_element(encrypted_key, ns_dsig, "KeyInfo");
    xmlNodePtr str = child_element(info, ns_wsse, "SecurityTokenReference");
    xmlNodePtr data = child_element(str ? str : info, ns_dsig, "X509Data");
    xmlNodePtr serial = child_element(child_element(data, ns_dsig, "X509IssuerSerial"), ns_dsig, "X509SerialNumber");
    return serial ? text_content(serial) : std::string();
}

/// The Body's one element child when it is an EncryptedData (the only encrypted part accepted).
result<xmlNodePtr> encrypted_content(xmlNodePtr body) {
    xmlNodePtr found = nullptr;
    int elements = 0;
    for (xmlNodePtr c = body->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            ++elements;
            if (is_element(c, ns_xenc, "EncryptedData")) found = c;
        } else if (c->type != XML_TEXT_NODE || !xmlIsBlankNode(c)) {
            if (found || elements) return unsupported("the Body holds content beside its EncryptedData");
        }
    }
    if (found && elements != 1) return unsupported("the Body holds content beside its EncryptedData");
    return found;
}

} // namespace

bool looks_encrypted(std::string_view envelope) { return envelope.find(ns_xenc) != std::string_view::npos; }

result<opened_envelope> open_envelope(std::string_view envelope, body_span span, const signing_identity& identity) {
    if (!xmlsec_ready()) return fail(errc::internal, "xmlsec1 cannot be initialised: " + last_xmlsec_error());
    auto doc = wss_document::parse(envelope);
    if (!doc) return doc.error();
    if (auto at = doc->check_body_at(span); !at) return at.error();
    auto data = encrypted_content(doc->body());
    if (!data) return data.error();
    if (!*data) return unsupported("the Body is not encrypted: only the Body's whole content may be");
    if (doc->security_headers() != 1)
        return unsupported("an encrypted Body needs exactly one wsse:Security header to carry its key");
    const auto data_type = attribute(*data, nullptr, "Type");
    if (data_type != content_type && data_type != element_type)
        return unsupported("the EncryptedData's Type must be Content or Element");
    if (auto m = method_among(*data, data_ciphers(), "the data's encryption"); !m) return m.error();
    const auto data_id = attribute(*data, nullptr, "Id");

    opened_envelope out;
    std::optional<std::string> plain;
    for (xmlNodePtr c = doc->security()->children; c; c = c->next) {
        if (is_element(c, ns_dsig, "Signature")) {
            // before the key: it signed what is encrypted (encrypt-then-sign); after it, the plaintext
            if (!plain) out.verified_before = verify_body_signature(envelope, span);
        } else if (is_element(c, ns_xenc, "EncryptedKey")) {
            if (plain) return unsupported("more than one EncryptedKey in the wsse:Security header");
            if (auto m = method_among(c, key_transports(), "the key transport"); !m) return m.error();
            xmlNodePtr refs = child_element(c, ns_xenc, "ReferenceList");
            xmlNodePtr ref = child_element(refs, ns_xenc, "DataReference");
            if (!ref || ref != xmlFirstElementChild(refs) || xmlNextElementSibling(ref) || data_id.empty() ||
                attribute(ref, nullptr, "URI") != "#" + data_id)
                return unsupported("the EncryptedKey's ReferenceList must name the Body's EncryptedData, and only it");
            if (const auto serial = named_serial(c); !serial.empty() && serial != identity.cert().serial_number())
                return fail(errc::decryption_failed, "the Body is encrypted to another certificate (serial number " +
                                                         serial + "), not the gateway's");
            if (!identity.signing_key().unwrapping)
                return fail(errc::decryption_failed, "the gateway's encryption key is not an RSA key");
            auto session = decrypt(c, xmlSecKeyDuplicate(identity.signing_key().unwrapping), key_transports(), true);
            if (!session) return session.error();
            auto aes = xmlSecKeyReadMemory(xmlSecKeyDataAesId, reinterpret_cast<const xmlSecByte*>(session->data()),
                                           static_cast<xmlSecSize>(session->size()));
            auto text = decrypt(*data, aes, data_ciphers(), false);
            if (!text) return text.error();
            plain = std::move(*text);
        } else if (is_element(c, ns_xenc, "ReferenceList") || is_element(c, ns_xenc, "EncryptedData")) {
            return unsupported("a key agreed beforehand (a ReferenceList or EncryptedData outside an EncryptedKey) "
                               "is not accepted");
        }
    }
    if (!plain) return unsupported("the Body is encrypted, but no EncryptedKey in the wsse:Security header names it");

    const auto* mark = doc->mark_of(*data);
    if (!mark || mark->end == 0) return undecryptable();
    const std::size_t begin = envelope.rfind('<', mark->start - 1);
    out.text.reserve(envelope.size() + plain->size());
    out.text.append(envelope.substr(0, begin)).append(*plain).append(envelope.substr(mark->end));
    // what was decrypted must read as the Body's content, or it is refused like a wrong key
    auto reread = wss_document::parse(out.text);
    if (!reread) return undecryptable();
    auto body = reread->only_child("Body");
    if (!body || !*body) return undecryptable();
    return out;
}

} // namespace qaqpa::crypto
