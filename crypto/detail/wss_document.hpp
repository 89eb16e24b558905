#pragma once
// A SOAP envelope as libxml2 reads it for WS-Security (private to crypto/):
// where its Body starts and ends in the bytes (recorded while parsing, to be
// compared with the gateway's own scanner), its one wsse:Security header,
// and the elements by their wsu:Id / Id (registered with libxml2, so
// xmlsec1's "#id" references resolve; an id on two elements resolves to
// neither).

#include "core/errors.hpp"
#include "crypto/wss.hpp"

#include <libxml/tree.h>
#include <xmlsec/xmlenc.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace qaqpa::crypto::detail {

inline constexpr const char* ns_dsig = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr const char* ns_wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
inline constexpr const char* ns_wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
inline constexpr const char* ns_xenc = "http://www.w3.org/2001/04/xmlenc#";
inline constexpr const char* ns_soap11 = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr const char* ns_soap12 = "http://www.w3.org/2003/05/soap-envelope";

inline const xmlChar* xml_chars(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

struct xml_doc_free {
    void operator()(xmlDoc* d) const noexcept { xmlFreeDoc(d); }
};
using xml_doc_ptr = std::unique_ptr<xmlDoc, xml_doc_free>;
struct enc_ctx_free {
    void operator()(xmlSecEncCtx* c) const noexcept { xmlSecEncCtxDestroy(c); }
};
using enc_ctx_ptr = std::unique_ptr<xmlSecEncCtx, enc_ctx_free>;
/// `node` written out as libxml2 writes it (no formatting added).
std::string node_text(xmlDocPtr doc, xmlNodePtr node);

bool is_element(xmlNodePtr n, const char* ns, const char* local);
/// The first child element with this namespace and local name.
xmlNodePtr child_element(xmlNodePtr parent, const char* ns, const char* local);
/// An attribute's value ("" when absent); `ns` null for an unqualified one.
std::string attribute(xmlNodePtr n, const char* ns, const char* name);
std::string text_content(xmlNodePtr n);
/// The element's text decoded from base64 (whitespace allowed); "" when it is not base64.
std::string base64_text(xmlNodePtr n);

class wss_document {
public:
    /// Parses the envelope (no network, no entities, no DTD).
    static result<wss_document> parse(std::string_view envelope);

    /// The Body is the Envelope's one Body child, and it starts and ends at
    /// `span` (where the gateway's scanner found it); signature_scope if not.
    result<void> check_body_at(body_span span);
    /// The one ds:Signature of the one wsse:Security header, whose
    /// references name no duplicated id.
    result<xmlNodePtr> signature() const;
    /// The element carrying this id; nullptr when none does, or several do.
    xmlNodePtr element_with_id(std::string_view id) const;

    xmlDocPtr doc() const { return doc_.get(); }
    xmlNodePtr body() const { return body_; }
    xmlNodePtr security() const { return security_; }
    /// How many wsse:Security headers the Envelope's Header holds.
    int security_headers() const { return security_headers_; }

    /// Where a Body or Header child of the Envelope, or a child of those, was met while parsing.
    struct child_mark {
        xmlNodePtr node = nullptr;
        std::size_t start = 0; ///< just past its start tag
        std::size_t end = 0;   ///< just past its end tag
    };
    /// The Envelope's one SOAP child of this local name (Body, Header):
    /// nullptr when there is none, signature_scope when there are several.
    result<const child_mark*> only_child(const char* local) const;
    /// Where `node` (a Body or Header, or a child of one) is in the bytes; nullptr for other nodes.
    const child_mark* mark_of(xmlNodePtr node) const;

private:
    xml_doc_ptr doc_;
    std::vector<child_mark> marks_;
    xmlNodePtr body_ = nullptr;
    xmlNodePtr security_ = nullptr;
    int security_headers_ = 0;
    std::map<std::string, xmlNodePtr, std::less<>> ids_;
    std::set<std::string, std::less<>> duplicated_;
};

/// An envelope the gateway is about to sign or encrypt, as libxml2 reads it:
/// its one Body (with content) and its Header (null when it has none).
struct outgoing_envelope {
    wss_document doc;
    const wss_document::child_mark* body = nullptr;
    const wss_document::child_mark* header = nullptr;
};
/// internal naming `doing` ("sign", "encrypt") when the envelope is not one the gateway can.
result<outgoing_envelope> read_outgoing(std::string_view envelope, const char* doing);
/// Appends to `out` the bytes of `e`'s `envelope` up to where a first child
/// of the Header goes, then `header_child` there: in the open Header, in a
/// `<Header/>` opened for it, or in a Header made before the Body (with the
/// Body's prefix). Returns the offset the rest of the envelope goes on from.
std::size_t append_into_header(std::string& out, std::string_view envelope, const outgoing_envelope& e,
                               std::string_view header_child);

} // namespace qaqpa::crypto::detail
