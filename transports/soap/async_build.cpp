// Writing the asynchronous channel's answers and PUSHes, and reading the
// recipients' replies.
#include "transports/soap/async_codec.hpp"

#include "core/clock.hpp"
#include "transports/soap/detail/fields.hpp"

namespace qaqpa::soap {
namespace {

using detail::append_optional;

/// An envelope whose body is <ns2:element><wrapper>…</wrapper></ns2:element>,
/// the middle written by `fill`.
template <class Fill>
std::string envelope_with(soap_version v, std::string_view element, std::string_view ns, std::string_view wrapper,
                          std::size_t reserve, Fill fill) {
    std::string out;
    out.reserve(reserve);
    begin_envelope(out, v);
    out.append("<ns2:").append(element).append(" xmlns:ns2=\"").append(ns).append("\"><").append(wrapper).append(1, '>');
    fill(out);
    out.append("</").append(wrapper).append("></ns2:").append(element).append(1, '>');
    end_envelope(out);
    return out;
}

void append_message_info(std::string& out, const async_message_info& info, const message_payload& data) {
    out.append("<messageInfo>");
    append_optional(out, "messageId", info.message_id);
    append_optional(out, "correlationId", info.correlation_id);
    append_element(out, "serviceId", info.service_id);
    append_element(out, "messageType", to_string(info.type));
    append_optional(out, "routeId", info.route_id);
    append_element(out, "messageDate", info.message_date);
    detail::append_sender(out, info.sender);
    detail::append_properties(out, info.properties, data);
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

std::size_t payload_size(const message_payload& d) { return d.content.size() + d.attributes.size(); }

} // namespace

std::string build_accepted(soap_version v, std::string_view message_id, std::string_view correlation_id,
                           std::string_view session_id) {
    return envelope_with(v, "sendMessageResponse", async_ns, "response", 640, [&](std::string& out) {
        append_element(out, "messageId", message_id);
        append_element(out, "correlationId", correlation_id);
        append_element(out, "responseDate", now_datetime());
        append_element(out, "sessionId", session_id);
    });
}

std::string build_messages(soap_version v, std::string_view session_id, const std::vector<async_message>& messages) {
    std::size_t size = 640;
    for (const auto& m : messages) size += 768 + payload_size(m.data);
    return envelope_with(v, "getMessagesResponse", async_ns, "response", size, [&](std::string& out) {
        append_element(out, "responseDate", now_datetime());
        append_element(out, "sessionId", session_id);
        for (const auto& m : messages) {
            out.append("<messages>");
            append_message_info(out, m.info, m.data);
            detail::append_payload(out, "messageData", m.data);
            out.append("</messages>");
        }
    });
}

std::string build_notification_accepted(soap_version v, std::string_view notification_id,
                                        std::string_view session_id) {
    return envelope_with(v, "sendDeliveryNotificationResponse", async_ns, "response", 640, [&](std::string& out) {
        append_element(out, "notificationId", notification_id);
        append_element(out, "responseDate", now_datetime());
        append_element(out, "sessionId", session_id);
    });
}

std::string build_status_taken(soap_version v, std::string_view session_id) {
    return envelope_with(v, "changeMassageStatusNotificationResponse", async_client_ns, "response", 512,
                         [&](std::string& out) {
                             append_element(out, "responseDate", now_datetime());
                             append_element(out, "sessionId", session_id);
                         });
}

std::string build_status(soap_version v, const message_status& status, std::string_view session_id) {
    return envelope_with(v, "getMessageStatusResponse", async_ns, "response", 768, [&](std::string& out) {
        append_element(out, "messageState", to_string(status.state));
        append_status_info(out, status);
        append_element(out, "responseDate", now_datetime());
        append_element(out, "sessionId", session_id);
    });
}

std::string build_push(const async_message_info& info, const message_payload& data) {
    return envelope_with(soap_version::v11, "sendMessage", async_ns, "request", 1024 + payload_size(data),
                         [&](std::string& out) {
                             append_message_info(out, info, data);
                             detail::append_payload(out, "messageData", data);
                         });
}

std::string build_status_push(const status_notification& n, std::string_view session_id) {
    return envelope_with(soap_version::v11, "changeMassageStatusNotification", async_client_ns, "request", 1024,
                         [&](std::string& out) {
                             out.append("<notification>");
                             append_element(out, "notificationId", n.notification_id);
                             append_element(out, "messageId", n.message_id);
                             append_element(out, "notificationDate", n.status.date);
                             append_element(out, "messageState", to_string(n.status.state));
                             append_status_info(out, n.status);
                             out.append("</notification>");
                             append_element(out, "requestDate", now_datetime());
                             append_element(out, "sessionId", session_id);
                         });
}

push_verdict read_push_reply(const std::string& body, std::string_view expected) {
    soap_version version;
    auto env = parse_envelope(body, version);
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
