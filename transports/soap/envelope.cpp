#include "transports/soap/envelope.hpp"

#include "core/clock.hpp"
#include "core/utf8.hpp"

namespace qaqpa::soap {
namespace {

constexpr int max_sub_error_depth = 8;

std::string field(const xml_node* parent, std::string_view local) {
    const auto* n = child(parent, local);
    if (!n) return {};
    return text_of(n).value_or(std::string{});
}

std::optional<std::string> optional_field(const xml_node* parent, std::string_view local) {
    const auto* n = child(parent, local);
    if (!n) return std::nullopt;
    return text_of(n);
}

bool looks_like_error_info(const xml_node* n) { return child(n, "errorCode") && child(n, "errorMessage"); }

error_info read_error_info(const xml_node* n, int depth) {
    error_info e;
    e.code = field(n, "errorCode");
    e.message = field(n, "errorMessage");
    e.data = optional_field(n, "errorData");
    e.date = field(n, "errorDate");
    if (!parse_datetime(e.date)) e.date = now_datetime();
    e.session_id = optional_field(n, "sessionId");
    if (const auto* sub = child(n, "subError"); sub && depth < max_sub_error_depth && looks_like_error_info(sub))
        e.sub_error = std::make_shared<const error_info>(read_error_info(sub, depth + 1));
    return e;
}

/// A fault's text may quote what a client or provider sent: made valid
/// UTF-8 first, so the fault is well-formed whatever came in.
void append_text(std::string& out, std::string_view name, std::string_view text) {
    if (valid_utf8(text)) append_element(out, name, text);
    else append_element(out, name, to_valid_utf8(text));
}

void append_error_info_at(std::string& out, const error_info& info, int depth) {
    append_text(out, "errorCode", info.code);
    append_text(out, "errorMessage", info.message);
    if (info.data) append_text(out, "errorData", *info.data);
    append_text(out, "errorDate", info.date);
    if (info.sub_error && depth < max_sub_error_depth) {
        out.append("<subError>");
        append_error_info_at(out, *info.sub_error, depth + 1);
        out.append("</subError>");
    }
    if (info.session_id) append_text(out, "sessionId", *info.session_id);
}

} // namespace

result<soap_body> read_envelope(const xml_node* root) {
    if (local_name(root) != "Envelope") return fail(errc::bad_envelope, "the root element is not a SOAP Envelope");
    const auto ns = namespace_of(root);
    soap_body body;
    if (ns == soap11_ns) body.version = soap_version::v11;
    else if (ns == soap12_ns) body.version = soap_version::v12;
    else return fail(errc::bad_envelope, "the Envelope is not in a SOAP namespace");
    const xml_node* b = nullptr;
    for (auto* c = first_element(root); c; c = next_element(c))
        if (is(c, ns, "Body")) {
            if (b) return fail(errc::bad_envelope, "the Envelope has more than one Body");
            b = c;
        }
    if (!b) return fail(errc::bad_envelope, "the Envelope has no Body");
    body.operation = first_element(b);
    if (!body.operation) return fail(errc::bad_envelope, "the Body is empty");
    return body;
}

crypto::body_span body_span_of(const soap_body& body, std::string_view text) {
    const auto& content = body.operation->parent->content;
    const auto open_end = static_cast<std::size_t>(content.data() - text.data());
    const auto close_at = open_end + content.size(); // "</Body ...>" starts here
    const auto close_end = text.find('>', close_at);
    return {open_end, close_end == std::string_view::npos ? text.size() : close_end + 1};
}

result<soap_body> parse_envelope(const std::string& body, soap_version& version) {
    version = soap_version::v11;
    auto root = xml_document::scratch().parse(body);
    if (!root) return root.error();
    auto env = read_envelope(*root);
    if (env) version = env->version;
    return env;
}

std::string_view content_type(soap_version v) noexcept {
    return v == soap_version::v11 ? "text/xml; charset=utf-8" : "application/soap+xml; charset=utf-8";
}

void begin_envelope(std::string& out, soap_version v) {
    out.append(R"(<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv=")");
    out.append(v == soap_version::v11 ? soap11_ns : soap12_ns);
    out.append(R"("><soapenv:Body>)");
}

void end_envelope(std::string& out) { out.append("</soapenv:Body></soapenv:Envelope>"); }

error_info read_error_info(const xml_node* n) { return read_error_info(n, 0); }

void append_error_info(std::string& out, const error_info& info) { append_error_info_at(out, info, 0); }

std::string build_fault(soap_version v, const fault_element& element, const error_info& info, bool client) {
    std::string out;
    out.reserve(1024);
    begin_envelope(out, v);
    out.append("<soapenv:Fault>");
    const auto detail_open = [&] {
        out.append("<ns2:").append(element.name).append(" xmlns:ns2=\"").append(element.ns).append("\">");
        append_error_info(out, info);
        out.append("</ns2:").append(element.name).append(">");
    };
    if (v == soap_version::v11) {
        append_element(out, "faultcode", client ? "soapenv:Client" : "soapenv:Server");
        append_text(out, "faultstring", info.message);
        out.append("<detail>");
        detail_open();
        out.append("</detail>");
    } else {
        out.append("<soapenv:Code><soapenv:Value>")
            .append(client ? "soapenv:Sender" : "soapenv:Receiver")
            .append("</soapenv:Value></soapenv:Code><soapenv:Reason><soapenv:Text xml:lang=\"en\">");
        append_escaped(out, to_valid_utf8(info.message));
        out.append("</soapenv:Text></soapenv:Reason><soapenv:Detail>");
        detail_open();
        out.append("</soapenv:Detail>");
    }
    out.append("</soapenv:Fault>");
    end_envelope(out);
    return out;
}

error_info read_fault(const xml_node* fault) {
    // SOAP 1.1: detail; SOAP 1.2: Detail.
    const xml_node* detail = child(fault, "detail");
    if (!detail) detail = child(fault, "Detail");
    if (detail) {
        for (auto* c = first_element(detail); c; c = next_element(c)) {
            if (looks_like_error_info(c)) return read_error_info(c, 0);
        }
    }
    error_info e;
    if (const auto* code = child(fault, "faultcode")) {
        e.code = text_of(code).value_or("");
        e.message = field(fault, "faultstring");
    } else {
        e.code = field(child(fault, "Code"), "Value");
        e.message = field(child(fault, "Reason"), "Text");
    }
    if (e.code.empty()) e.code = "FAULT";
    e.date = now_datetime();
    return e;
}

} // namespace qaqpa::soap
