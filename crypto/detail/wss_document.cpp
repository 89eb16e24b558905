#include "crypto/detail/wss_document.hpp"

#include "crypto/detail/xmlsec_library.hpp"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/valid.h>
#include <xmlsec/base64.h>

namespace qaqpa::crypto::detail {
namespace {

const char* as_chars(const xmlChar* s) { return reinterpret_cast<const char*>(s); }
bool equal(const xmlChar* a, const char* b) { return a && b && xmlStrEqual(a, reinterpret_cast<const xmlChar*>(b)); }

struct parser_free {
    void operator()(xmlParserCtxt* c) const noexcept { xmlFreeParserCtxt(c); }
};

/// The SAX2 callbacks libxml2 builds its tree with, wrapped to note where
/// each Body or Header child of the root starts and ends in the input.
void start_element(void* ctx, const xmlChar* local, const xmlChar* prefix, const xmlChar* uri, int nb_ns,
                   const xmlChar** ns, int nb_attrs, int nb_defaulted, const xmlChar** attrs) {
    auto* c = static_cast<xmlParserCtxtPtr>(ctx);
    xmlSAX2StartElementNs(ctx, local, prefix, uri, nb_ns, ns, nb_attrs, nb_defaulted, attrs);
    const bool soap_child = c->nodeNr == 2 && (equal(local, "Body") || equal(local, "Header"));
    // and their children: the Security header, the Body's content (encryption splices there)
    const bool grandchild = c->nodeNr == 3 && c->node->parent &&
                            (equal(c->node->parent->name, "Body") || equal(c->node->parent->name, "Header"));
    if (soap_child || grandchild) {
        auto* marks = static_cast<std::vector<wss_document::child_mark>*>(c->_private);
        // the parser stands on the '>' (or "/>") that ends the start tag
        const auto at = static_cast<std::size_t>(xmlByteConsumed(c));
        marks->push_back({c->node, at + (c->input->cur[0] == '/' ? 2 : 1), 0});
    }
}

void end_element(void* ctx, const xmlChar* local, const xmlChar* prefix, const xmlChar* uri) {
    auto* c = static_cast<xmlParserCtxtPtr>(ctx);
    xmlNodePtr closing = c->node;
    xmlSAX2EndElementNs(ctx, local, prefix, uri);
    auto* marks = static_cast<std::vector<wss_document::child_mark>*>(c->_private);
    for (auto m = marks->rbegin(); m != marks->rend(); ++m)
        if (m->end == 0 && m->node == closing) {
            m->end = static_cast<std::size_t>(xmlByteConsumed(c));
            break;
        }
}

bool in_soap_ns(xmlNodePtr n) {
    return n->ns && (equal(n->ns->href, ns_soap11) || equal(n->ns->href, ns_soap12));
}

} // namespace

std::string node_text(xmlDocPtr doc, xmlNodePtr node) {
    xmlBufferPtr buf = xmlBufferCreate();
    std::string out;
    if (buf && xmlNodeDump(buf, doc, node, 0, 0) >= 0)
        out.assign(reinterpret_cast<const char*>(xmlBufferContent(buf)), static_cast<std::size_t>(xmlBufferLength(buf)));
    if (buf) xmlBufferFree(buf);
    return out;
}

bool is_element(xmlNodePtr n, const char* ns, const char* local) {
    return n && n->type == XML_ELEMENT_NODE && equal(n->name, local) && n->ns && equal(n->ns->href, ns);
}

xmlNodePtr child_element(xmlNodePtr parent, const char* ns, const char* local) {
    for (xmlNodePtr c = parent ? parent->children : nullptr; c; c = c->next)
        if (is_element(c, ns, local)) return c;
    return nullptr;
}

std::string attribute(xmlNodePtr n, const char* ns, const char* name) {
    xmlChar* v = ns ? xmlGetNsProp(n, reinterpret_cast<const xmlChar*>(name), reinterpret_cast<const xmlChar*>(ns))
                    : xmlGetNoNsProp(n, reinterpret_cast<const xmlChar*>(name));
    if (!v) return {};
    std::string s(as_chars(v));
    xmlFree(v);
    return s;
}

std::string text_content(xmlNodePtr n) {
    xmlChar* v = xmlNodeGetContent(n);
    if (!v) return {};
    std::string s(as_chars(v));
    xmlFree(v);
    return s;
}

std::string base64_text(xmlNodePtr n) {
    auto text = text_content(n);
    std::string out(text.size(), '\0');
    xmlSecSize written = 0;
    const int rc = xmlSecBase64Decode_ex(reinterpret_cast<const xmlChar*>(text.c_str()),
                                         reinterpret_cast<xmlSecByte*>(out.data()), static_cast<xmlSecSize>(out.size()),
                                         &written);
    last_xmlsec_error();
    if (rc < 0) return {};
    out.resize(static_cast<std::size_t>(written));
    return out;
}

result<wss_document> wss_document::parse(std::string_view envelope) {
    wss_document d;
    std::unique_ptr<xmlParserCtxt, parser_free> ctx(
        xmlCreateMemoryParserCtxt(envelope.data(), static_cast<int>(envelope.size())));
    if (!ctx) return fail(errc::internal, "libxml2 cannot create a parser");
    ctx->sax->startElementNs = start_element;
    ctx->sax->endElementNs = end_element;
    ctx->_private = &d.marks_;
    xmlCtxtUseOptions(ctx.get(), XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
    const int rc = xmlParseDocument(ctx.get());
    d.doc_.reset(ctx->myDoc);
    ctx->myDoc = nullptr;
    if (rc != 0 || !ctx->wellFormed || !d.doc_)
        return fail(errc::signature_scope, "libxml2 does not read the envelope as the gateway does (not well formed)");
    if (d.doc_->intSubset || d.doc_->extSubset)
        return fail(errc::signature_scope, "a document type declaration is not allowed in a signed envelope");

    // ids: wsu:Id on any element, and an unqualified Id (xmlsec1's convention)
    std::vector<xmlNodePtr> stack{xmlDocGetRootElement(d.doc_.get())};
    while (!stack.empty()) {
        xmlNodePtr n = stack.back();
        stack.pop_back();
        for (xmlAttrPtr a = n->properties; a; a = a->next) {
            const bool id = equal(a->name, "Id") && (!a->ns || equal(a->ns->href, ns_wsu));
            if (!id) continue;
            xmlChar* v = xmlNodeListGetString(d.doc_.get(), a->children, 1);
            std::string value = v ? as_chars(v) : "";
            xmlFree(v);
            if (d.duplicated_.contains(value)) continue;
            if (const auto it = d.ids_.find(value); it != d.ids_.end()) {
                xmlRemoveID(d.doc_.get(), xmlHasProp(it->second, reinterpret_cast<const xmlChar*>("Id")));
                d.ids_.erase(it);
                d.duplicated_.insert(value);
                continue;
            }
            d.ids_.emplace(value, n);
            xmlAddID(nullptr, d.doc_.get(), reinterpret_cast<const xmlChar*>(value.c_str()), a);
        }
        for (xmlNodePtr c = n->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE) stack.push_back(c);
    }

    xmlNodePtr root = xmlDocGetRootElement(d.doc_.get());
    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || !in_soap_ns(c) || c->ns != root->ns || !equal(c->name, "Header")) continue;
        for (xmlNodePtr h = c->children; h; h = h->next)
            if (is_element(h, ns_wsse, "Security")) {
                d.security_ = h;
                ++d.security_headers_;
            }
    }
    return d;
}

result<const wss_document::child_mark*> wss_document::only_child(const char* local) const {
    xmlNodePtr root = xmlDocGetRootElement(doc_.get());
    if (!equal(root->name, "Envelope") || !in_soap_ns(root))
        return fail(errc::signature_scope, "libxml2 does not find a SOAP Envelope at the root");
    const child_mark* found = nullptr;
    for (const auto& m : marks_)
        if (m.node->parent == root && m.node->ns == root->ns && equal(m.node->name, local)) {
            if (found) return fail(errc::signature_scope, std::string("the Envelope has more than one ") + local);
            found = &m;
        }
    return found;
}

result<void> wss_document::check_body_at(body_span span) {
    auto found = only_child("Body");
    if (!found) return found.error();
    if (!*found) return fail(errc::signature_scope, "libxml2 finds no Body in the Envelope");
    const auto& m = **found;
    if (m.start != span.start_tag_end || m.end != span.end_tag_end)
        return fail(errc::signature_scope, "the Body libxml2 reads is not the Body the gateway reads (bytes " +
                                               std::to_string(m.start) + "–" + std::to_string(m.end) + " against " +
                                               std::to_string(span.start_tag_end) + "–" +
                                               std::to_string(span.end_tag_end) + ")");
    body_ = m.node;
    return {};
}

result<xmlNodePtr> wss_document::signature() const {
    if (security_headers_ == 0) return fail(errc::signature_required, "the envelope has no wsse:Security header");
    if (security_headers_ > 1) return fail(errc::signature_scope, "the envelope has more than one wsse:Security header");
    xmlNodePtr sig = nullptr;
    for (xmlNodePtr c = security_->children; c; c = c->next)
        if (is_element(c, ns_dsig, "Signature")) {
            if (sig) return fail(errc::signature_scope, "the wsse:Security header holds more than one ds:Signature");
            sig = c;
        }
    if (!sig) return fail(errc::signature_required, "the wsse:Security header holds no ds:Signature");
    if (xmlNodePtr info = child_element(sig, ns_dsig, "SignedInfo"))
        for (xmlNodePtr r = info->children; r; r = r->next)
            if (is_element(r, ns_dsig, "Reference")) {
                const auto uri = attribute(r, nullptr, "URI");
                if (uri.starts_with('#') && duplicated_.contains(std::string_view(uri).substr(1)))
                    return fail(errc::signature_scope, "the signed id \"" + uri.substr(1) + "\" is on more than one element");
            }
    return sig;
}

const wss_document::child_mark* wss_document::mark_of(xmlNodePtr node) const {
    for (const auto& m : marks_)
        if (m.node == node) return &m;
    return nullptr;
}

xmlNodePtr wss_document::element_with_id(std::string_view id) const {
    const auto it = ids_.find(id);
    return it == ids_.end() ? nullptr : it->second;
}

result<outgoing_envelope> read_outgoing(std::string_view envelope, const char* doing) {
    if (!xmlsec_ready()) return fail(errc::internal, "xmlsec1 cannot be initialised: " + last_xmlsec_error());
    auto doc = wss_document::parse(envelope);
    if (!doc)
        return fail(errc::internal, std::string("cannot ") + doing + " an envelope libxml2 cannot read: " + doc.error().detail);
    auto body = doc->only_child("Body");
    if (!body || !*body) return fail(errc::internal, std::string("cannot ") + doing + " an envelope without exactly one Body");
    auto header = doc->only_child("Header");
    if (!header) return header.error();
    return outgoing_envelope{std::move(*doc), *body, *header};
}

std::size_t append_into_header(std::string& out, std::string_view envelope, const outgoing_envelope& e,
                               std::string_view header_child) {
    const auto name_at = [&](std::size_t tag_begin) {
        const auto qname = envelope.substr(tag_begin + 1);
        return qname.substr(0, qname.find_first_of(" \t\r\n/>"));
    };
    if (e.header) {
        const std::size_t open_end = e.header->start; // past '>'
        if (envelope[open_end - 2] != '/') {
            out.append(envelope.substr(0, open_end)).append(header_child);
            return open_end;
        }
        // <Header/>: open it
        const auto name = name_at(envelope.rfind('<', open_end - 2));
        out.append(envelope.substr(0, open_end - 2)).append(">").append(header_child);
        out.append("</").append(name).append(">");
        return open_end;
    }
    const std::size_t body_begin = envelope.rfind('<', e.body->start - 1);
    const auto body_name = name_at(body_begin);
    const auto colon = body_name.find(':');
    const std::string header_name =
        colon == std::string_view::npos ? "Header" : std::string(body_name.substr(0, colon)) + ":Header";
    out.append(envelope.substr(0, body_begin));
    out.append("<").append(header_name).append(">").append(header_child).append("</").append(header_name).append(">");
    return body_begin;
}

} // namespace qaqpa::crypto::detail
