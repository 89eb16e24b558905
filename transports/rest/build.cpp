// Writing the REST channel's answers, and what the gateway POSTs to REST
// delivery points.
#include "transports/rest/codec.hpp"

#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "transports/rest/detail/json_fields.hpp"
#include "transports/soap/xml.hpp"

namespace qaqpa::rest {
namespace {

using detail::json_writer;

/// A payload where a message carries properties: a JSON value as it came,
/// XML as a string (marked in the properties, below).
void write_data(json_writer& w, const message_payload& data) {
    if (!data.present) return;
    if (data.format == payload_format::json) w.raw("data", data.content);
    else w.string("data", data.content);
}

void write_property(json_writer& w, std::string_view key, std::string_view value) {
    w.open().string("key", key).string("value", value).close();
}

/// The properties, with the marks of an XML payload carried as a string.
void write_properties(json_writer& w, const std::vector<property>& props, const message_payload& data) {
    const bool marked = data.present && data.format == payload_format::xml;
    if (props.empty() && !marked) return;
    w.open_array("properties");
    for (const auto& p : props) write_property(w, p.key, p.value);
    if (marked) {
        write_property(w, data_format_property, "xml");
        if (!data.attributes.empty()) write_property(w, data_attributes_property, data.attributes);
    }
    w.close_array();
}

void write_sender(json_writer& w, const sender_info& s) {
    w.open("sender").string("senderId", s.sender_id).optional("password", s.password).close();
}

void write_message_info(json_writer& w, const async_message_info& info, const message_payload& data) {
    w.open("messageInfo")
        .optional("messageId", info.message_id)
        .optional("correlationId", info.correlation_id)
        .string("serviceId", info.service_id)
        .string("messageType", to_string(info.type))
        .optional("routeId", info.route_id)
        .string("messageDate", info.message_date);
    write_sender(w, info.sender);
    write_properties(w, info.properties, data);
    w.optional("sessionId", info.session_id).close();
}

void write_status_info(json_writer& w, const message_status& s) {
    w.open("status").string("statusCode", s.code).string("statusMessage", s.message).string("statusDate", s.date).close();
}

void write_error(json_writer& w, std::string_view key, const error_info& e) {
    w.open(key).string("errorCode", e.code).string("errorMessage", e.message).optional("errorData", e.data);
    w.string("errorDate", e.date).optional("sessionId", e.session_id);
    if (e.sub_error) write_error(w, "subError", *e.sub_error);
    w.close();
}

std::size_t payload_size(const message_payload& d) { return d.content.size() + d.attributes.size(); }

/// {"response": {…}} with the members `fill` writes.
template <class Fill>
std::string response(std::size_t reserve, Fill fill) {
    std::string out;
    out.reserve(reserve);
    json_writer w(out);
    w.open().open("response");
    fill(w);
    w.close().close();
    return out;
}

} // namespace

std::string build_sync_response(const sync_response& res) {
    return response(512 + payload_size(res.data), [&](json_writer& w) {
        const auto& info = res.info;
        w.open("responseInfo")
            .string("messageId", info.message_id)
            .optional("correlationId", info.correlation_id)
            .string("responseDate", info.response_date)
            .open("status")
            .string("code", info.status_code)
            .string("message", info.status_message)
            .close()
            .optional("sessionId", info.session_id)
            .close();
        w.open("responseData");
        const auto& data = res.data;
        if (data.present && data.format == payload_format::xml) {
            // An answer has no properties to mark its payload: a SOAP
            // provider's data that is one text node holding JSON is that
            // value, any other XML travels as a string.
            auto text = soap::text_content(data.content);
            if (text && is_json_value(*text)) w.raw("data", *text);
            else w.string("data", data.content);
        } else {
            write_data(w, data);
        }
        w.close();
    });
}

std::string build_accepted(std::string_view message_id, std::string_view correlation_id, std::string_view session_id) {
    return response(256, [&](json_writer& w) {
        w.string("messageId", message_id)
            .string("correlationId", correlation_id)
            .string("responseDate", now_datetime())
            .string("sessionId", session_id);
    });
}

std::string build_messages(std::string_view session_id, const std::vector<async_message>& messages) {
    std::size_t size = 256;
    for (const auto& m : messages) size += 640 + payload_size(m.data);
    return response(size, [&](json_writer& w) {
        w.string("responseDate", now_datetime()).string("sessionId", session_id).open_array("messages");
        for (const auto& m : messages) {
            w.open();
            write_message_info(w, m.info, m.data);
            w.open("messageData");
            write_data(w, m.data);
            w.close().close();
        }
        w.close_array();
    });
}

std::string build_notification_accepted(std::string_view notification_id, std::string_view session_id) {
    return response(256, [&](json_writer& w) {
        w.string("notificationId", notification_id).string("responseDate", now_datetime()).string("sessionId", session_id);
    });
}

std::string build_status(const message_status& status, std::string_view session_id) {
    return response(384, [&](json_writer& w) {
        w.string("messageState", to_string(status.state));
        write_status_info(w, status);
        w.string("responseDate", now_datetime()).string("sessionId", session_id);
    });
}

std::string build_error(const error_info& e) {
    std::string out;
    out.reserve(384);
    json_writer w(out);
    // The ErrorInfo's fields at the top level, as the rules' REST errors are.
    w.open().string("errorCode", e.code).string("errorMessage", e.message).optional("errorData", e.data);
    w.string("errorDate", e.date).optional("sessionId", e.session_id);
    if (e.sub_error) write_error(w, "subError", *e.sub_error);
    w.close();
    return out;
}

std::string build_sync_request(const sync_request& req) {
    std::string out;
    out.reserve(768 + payload_size(req.data));
    json_writer w(out);
    const auto& info = req.info;
    w.open().open("request").open("requestInfo")
        .string("messageId", info.message_id)
        .optional("correlationId", info.correlation_id)
        .string("serviceId", info.service_id)
        .string("messageDate", info.message_date)
        .optional("routeId", info.route_id);
    write_sender(w, info.sender);
    write_properties(w, info.properties, req.data);
    w.optional("sessionId", info.session_id).close();
    w.open("requestData");
    write_data(w, req.data);
    w.close().close().close();
    return out;
}

std::string build_push(const async_message_info& info, const message_payload& data) {
    std::string out;
    out.reserve(768 + payload_size(data));
    json_writer w(out);
    w.open().open("request");
    write_message_info(w, info, data);
    w.open("messageData");
    write_data(w, data);
    w.close().close().close();
    return out;
}

std::string build_status_push(const status_notification& n, std::string_view session_id) {
    std::string out;
    out.reserve(640);
    json_writer w(out);
    w.open().open("request").open("notification")
        .string("notificationId", n.notification_id)
        .string("messageId", n.message_id)
        .string("notificationDate", n.status.date)
        .string("messageState", to_string(n.status.state));
    write_status_info(w, n.status);
    w.close().string("requestDate", now_datetime()).string("sessionId", session_id).close().close();
    return out;
}

} // namespace qaqpa::rest
