#include "transports/soap/sync_codec.hpp"

#include "core/clock.hpp"
#include "transports/soap/detail/fields.hpp"

namespace qaqpa::soap {
namespace {

using detail::append_optional;
using detail::append_payload;
using detail::field_reader;

/// StatusInfo.message is at most 250 characters in the schema; cut on a
/// UTF-8 character boundary.
std::string clip_utf8(std::string s, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && chars++ == max_chars) {
            s.resize(i);
            break;
        }
    }
    return s;
}

/// An answer carries no properties to mark its payload: a REST provider's
/// JSON string that holds XML with an element (a SOAP caller's payload
/// echoed back) is written as that XML; any other JSON value as its text.
void append_answer_payload(std::string& out, const message_payload& data) {
    if (data.present && data.format == payload_format::json) {
        bool has_element = false;
        if (auto xml = json_string_contents(data.content); xml && is_xml_content(*xml, &has_element) && has_element)
            return append_payload(out, "responseData", {true, payload_format::xml, {}, std::move(*xml)});
    }
    append_payload(out, "responseData", data);
}

} // namespace

result<parsed_sync_request> parse_sync_request(const std::string& body, soap_version& version) {
    auto env = parse_envelope(body, version);
    if (!env) return env.error();
    if (!is(env->operation, sync_ns, "SendMessage"))
        return fail(errc::unknown_operation, "{" + std::string(namespace_of(env->operation)) + "}" +
                                                 std::string(local_name(env->operation)));

    parsed_sync_request out;
    out.version = env->version;
    out.body = body_span_of(*env, body);
    auto& info = out.request.info;
    field_reader op(env->operation, "SendMessage");
    const auto* request = op.element("request", true);
    field_reader req(request, "request");
    const auto* request_info = request ? req.element("requestInfo", true) : nullptr;
    const auto* request_data = request ? req.element("requestData", true) : nullptr;
    if (!op.error().empty()) return op.failed();
    if (!req.error().empty()) return req.failed();

    field_reader ri(request_info, "request/requestInfo");
    info.message_id = ri.required("messageId");
    info.correlation_id = ri.optional("correlationId");
    info.service_id = ri.required("serviceId");
    info.message_date = ri.required("messageDate");
    if (ri.error().empty() && !parse_datetime(info.message_date))
        ri.problem("messageDate", "is not an xsd:dateTime");
    info.route_id = ri.optional("routeId");
    info.session_id = ri.optional("sessionId");
    if (const auto* sender = ri.element("sender", true))
        detail::read_sender(ri, sender, "request/requestInfo/sender", info.sender);
    detail::read_properties(ri, request_info, "request/requestInfo/properties", info.properties);
    if (!ri.error().empty()) return ri.failed();

    if (const auto* data = child(request_data, "data")) {
        auto payload = extract_payload(data);
        if (!payload) return payload.error();
        out.request.data = std::move(*payload);
    }
    if (auto json = detail::adopt_marked_json(info.properties, child(request_data, "data"), out.request.data,
                                              "request/requestData");
        !json)
        return json.error();
    return out;
}

std::string build_sync_request(const sync_request& req) {
    const auto& info = req.info;
    std::string out;
    out.reserve(1024 + req.data.content.size() + req.data.attributes.size());
    begin_envelope(out, soap_version::v11);
    out.append("<ns2:SendMessage xmlns:ns2=\"").append(sync_ns).append("\"><request><requestInfo>");
    append_element(out, "messageId", info.message_id);
    append_optional(out, "correlationId", info.correlation_id);
    append_element(out, "serviceId", info.service_id);
    append_element(out, "messageDate", info.message_date);
    append_optional(out, "routeId", info.route_id);
    detail::append_sender(out, info.sender);
    detail::append_properties(out, info.properties, req.data);
    append_optional(out, "sessionId", info.session_id);
    out.append("</requestInfo>");
    append_payload(out, "requestData", req.data);
    out.append("</request></ns2:SendMessage>");
    end_envelope(out);
    return out;
}

std::variant<sync_response, gateway_fault> parse_sync_reply(const std::string& body) {
    auto bad = [](std::string detail) { return gateway_fault{fail(errc::provider_bad_response, std::move(detail)), nullptr}; };
    soap_version version;
    auto env = parse_envelope(body, version);
    if (!env) return bad(env.error().detail);
    const auto* op = env->operation;
    if (local_name(op) == "Fault" && (namespace_of(op) == soap11_ns || namespace_of(op) == soap12_ns)) {
        auto sub = std::make_shared<const error_info>(read_fault(op));
        return gateway_fault{fail(errc::provider_fault, sub->code + ": " + sub->message), std::move(sub)};
    }
    if (!is(op, sync_ns, "SendMessageResponse"))
        return bad("unexpected body element " + std::string(local_name(op)));

    field_reader top(op, "SendMessageResponse");
    const auto* response = top.element("response", true);
    field_reader r(response, "response");
    const auto* response_info = response ? r.element("responseInfo", true) : nullptr;
    const auto* response_data = response ? r.element("responseData", false) : nullptr;
    if (!top.error().empty()) return bad(top.error());
    if (!r.error().empty()) return bad(r.error());

    sync_response res;
    field_reader ri(response_info, "response/responseInfo");
    res.info.message_id = ri.required("messageId");
    res.info.correlation_id = ri.optional("correlationId");
    res.info.response_date = ri.optional("responseDate").value_or("");
    if (!parse_datetime(res.info.response_date)) res.info.response_date = now_datetime();
    if (const auto* status = ri.element("status", true)) {
        field_reader st(status, "response/responseInfo/status");
        res.info.status_code = st.required("code");
        res.info.status_message = clip_utf8(st.optional("message").value_or(""), 250);
        ri.adopt(st);
    }
    if (!ri.error().empty()) return bad(ri.error());
    if (const auto* data = child(response_data, "data")) {
        auto payload = extract_payload(data);
        if (!payload) return bad(payload.error().detail);
        res.data = std::move(*payload);
    }
    return res;
}

std::string build_sync_response(soap_version v, const sync_response& res) {
    const auto& info = res.info;
    std::string out;
    out.reserve(1024 + res.data.content.size() + res.data.attributes.size());
    begin_envelope(out, v);
    out.append("<ns2:SendMessageResponse xmlns:ns2=\"").append(sync_ns).append("\"><response><responseInfo>");
    append_element(out, "messageId", info.message_id);
    append_optional(out, "correlationId", info.correlation_id);
    append_element(out, "responseDate", info.response_date);
    out.append("<status>");
    append_element(out, "code", info.status_code);
    append_element(out, "message", info.status_message);
    out.append("</status>");
    append_optional(out, "sessionId", info.session_id);
    out.append("</responseInfo>");
    append_answer_payload(out, res.data);
    out.append("</response></ns2:SendMessageResponse>");
    end_envelope(out);
    return out;
}

} // namespace qaqpa::soap
