// Writing the asynchronous channel's answers and PUSHes, and reading the
// recipients' replies.
#include "transports/soap/async_codec.hpp"

#include "core/clock.hpp"
#include "transports/soap/detail/fields.hpp"

namespace qaqpa::soap {
namespace {

using detail::append_optional;

void open_operation(std::string& out, std::string_view element, std::string_view ns) {
    out.append("<ns2:").append(element).append(" xmlns:ns2=\"").append(ns).append("\">");
}

void close_operation(std::string& out, std::string_view element) {
    out.append("</ns2:").append(element).append(1, '>');
}

void append_message_info(std::string& out, const async_message_info& info) {
    out.append("<messageInfo>");
    append_optional(out, "messageId", info.message_id);
    append_optional(out, "correlationId", info.correlation_id);
    append_element(out, "serviceId", info.service_id);
    append_element(out, "messageType", to_string(info.type));
    append_optional(out, "routeId", info.route_id);
    append_element(out, "messageDate", info.message_date);
    detail::append_sender(out, info.sender);
    detail::append_properties(out, info.properties);
    append_optional(out, "sessionId", info.session_id);
    out.append("</messageInfo>");
}

void append_status_info(std::string& out, const message_status& s) {
    out.append("<status>");
    append_element(out, "statusCode", s.code);
    append_element(out, "statusMessage", s.message);
    append_element(out, "statusDate", s.date);
    out.append("</status>");
}

std::size_t payload_size(const async_message& m) { return m.data.content.size() + m.data.attributes.size(); }

} // namespace

std::string build_accepted(soap_version v, std::string_view message_id, std::string_view correlation_id,
                           std::string_view session_id) {
    std::string out;
    out.reserve(640);
    begin_envelope(out, v);
    open_operation(out, "sendMessageResponse", async_ns);
    out.append("<response>");
    append_element(out, "messageId", message_id);
    append_element(out, "correlationId", correlation_id);
    append_element(out, "responseDate", now_datetime());
    append_element(out, "sessionId", session_id);
    out.append("</response>");
    close_operation(out, "sendMessageResponse");
    end_envelope(out);
    return out;
}

std::string build_messages(soap_version v, std::string_view session_id, const std::vector<async_message>& messages) {
    std::size_t size = 640;
    for (const auto& m : messages) size += 768 + payload_size(m);
    std::string out;
    out.reserve(size);
    begin_envelope(out, v);
    open_operation(out, "getMessagesResponse", async_ns);
    out.append("<response>");
    append_element(out, "responseDate", now_datetime());
    append_element(out, "sessionId", session_id);
    for (const auto& m : messages) {
        out.append("<messages>");
        append_message_info(out, m.info);
        detail::append_payload(out, "messageData", m.data);
        out.append("</messages>");
    }
    out.append("</response>");
    close_operation(out, "getMessagesResponse");
    end_envelope(out);
    return out;
}

std::string build_notification_accepted(soap_version v, std::string_view notification_id,
                                        std::string_view session_id) {
    std::string out;
    out.reserve(640);
    begin_envelope(out, v);
    open_operation(out, "sendDeliveryNotificationResponse", async_ns);
    out.append("<response>");
    append_element(out, "notificationId", notification_id);
    append_element(out, "responseDate", now_datetime());
    append_element(out, "sessionId", session_id);
    out.append("</response>");
    close_operation(out, "sendDeliveryNotificationResponse");
    end_envelope(out);
    return out;
}

std::string build_status(soap_version v, const message_status& status, std::string_view session_id) {
    std::string out;
    out.reserve(768);
    begin_envelope(out, v);
    open_operation(out, "getMessageStatusResponse", async_ns);
    out.append("<response>");
    append_element(out, "messageState", to_string(status.state));
    append_status_info(out, status);
    append_element(out, "responseDate", now_datetime());
    append_element(out, "sessionId", session_id);
    out.append("</response>");
    close_operation(out, "getMessageStatusResponse");
    end_envelope(out);
    return out;
}

std::string build_push(const async_message& m) {
    std::string out;
    out.reserve(1024 + payload_size(m));
    begin_envelope(out, soap_version::v11);
    open_operation(out, "sendMessage", async_ns);
    out.append("<request>");
    append_message_info(out, m.info);
    detail::append_payload(out, "messageData", m.data);
    out.append("</request>");
    close_operation(out, "sendMessage");
    end_envelope(out);
    return out;
}

std::string build_status_push(const status_notification& n, std::string_view session_id) {
    std::string out;
    out.reserve(1024);
    begin_envelope(out, soap_version::v11);
    open_operation(out, "changeMassageStatusNotification", async_client_ns);
    out.append("<request><notification>");
    append_element(out, "notificationId", n.notification_id);
    append_element(out, "messageId", n.message_id);
    append_element(out, "notificationDate", n.status.date);
    append_element(out, "messageState", to_string(n.status.state));
    append_status_info(out, n.status);
    out.append("</notification>");
    append_element(out, "requestDate", now_datetime());
    append_element(out, "sessionId", session_id);
    out.append("</request>");
    close_operation(out, "changeMassageStatusNotification");
    end_envelope(out);
    return out;
}

push_verdict read_push_reply(const std::string& body, std::string_view expected) {
    xml_document& doc = xml_document::scratch();
    auto root = doc.parse(body);
    if (!root) return {false, "the reply is not XML: " + root.error().detail};
    auto env = read_envelope(*root);
    if (!env) return {false, "the reply is not a SOAP envelope: " + env.error().detail};
    const auto* op = env->operation;
    const auto ns = namespace_of(op);
    if (local_name(op) == "Fault" && (ns == soap11_ns || ns == soap12_ns)) {
        const auto info = read_fault(op);
        return {false, "fault " + info.code + ": " + info.message};
    }
    // The recipient's own WSDL may qualify its answer with either the
    // channel's namespace or the client one; both carry the same shape.
    if (local_name(op) != expected || (ns != async_ns && ns != async_client_ns))
        return {false, "unexpected reply element {" + std::string(ns) + "}" + std::string(local_name(op))};
    return {true, {}};
}

} // namespace qaqpa::soap
