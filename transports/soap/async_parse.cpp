// Reading what callers send to the asynchronous channel.
#include "transports/soap/async_codec.hpp"

#include "core/clock.hpp"
#include "transports/soap/detail/fields.hpp"

#include <array>
#include <charconv>

namespace qaqpa::soap {
namespace {

using detail::field_reader;

constexpr std::array<fault_element, 5> faults{{
    {async_ns, "sendMessageFault1_sendMessageFault"},
    {async_ns, "getMessagesFault1_getMessagesFault"},
    {async_ns, "sendDeliveryNotificationFault1_sendDeliveryNotificationFault"},
    {async_ns, "getMessageStatusFault1_getMessageStatusFault"},
    {async_client_ns, "changeMassageStatusNotificationFault1_changeMassageStatusNotificationFault"},
}};

struct operation_element {
    std::string_view ns;
    std::string_view name;
};
constexpr std::array<operation_element, 5> operation_names{{
    {async_ns, "sendMessage"},
    {async_ns, "getMessages"},
    {async_ns, "sendDeliveryNotification"},
    {async_ns, "getMessageStatus"},
    {async_client_ns, "changeMassageStatusNotification"}, // the client interface's, as a peer sends it
}};

failure bad(const field_reader& r) { return r.failed(); }

void check_date(field_reader& r, std::string_view local, const std::optional<std::string>& value) {
    if (value && r.error().empty() && !parse_datetime(*value)) r.problem(local, "is not an xsd:dateTime");
}

result<async_message> read_send_message(const xml_node* op) {
    field_reader top(op, "sendMessage");
    const auto* request = top.element("request", true);
    if (!top.error().empty()) return bad(top);
    field_reader req(request, "request");
    const auto* info_node = req.element("messageInfo", true);
    const auto* data_node = req.element("messageData", true);
    if (!req.error().empty()) return bad(req);

    async_message m;
    auto& info = m.info;
    field_reader mi(info_node, "request/messageInfo");
    info.message_id = mi.optional("messageId");
    info.correlation_id = mi.optional("correlationId");
    info.service_id = mi.required("serviceId");
    const auto type = mi.required("messageType");
    if (mi.error().empty()) {
        if (auto t = parse_message_type(type)) info.type = *t;
        else mi.problem("messageType", "must be REQUEST, RESPONSE, UPDATE or NOTIFICATION");
    }
    info.route_id = mi.optional("routeId");
    info.message_date = mi.required("messageDate");
    check_date(mi, "messageDate", info.message_date);
    if (const auto* sender = mi.element("sender", true))
        detail::read_sender(mi, sender, "request/messageInfo/sender", info.sender);
    detail::read_properties(mi, info_node, "request/messageInfo/properties", info.properties);
    info.session_id = mi.optional("sessionId");
    if (!mi.error().empty()) return bad(mi);

    field_reader md(data_node, "request/messageData");
    const auto* data = md.element("data", true);
    if (!md.error().empty()) return bad(md);
    auto payload = extract_payload(data);
    if (!payload) return payload.error();
    m.data = std::move(*payload);
    if (auto json = detail::adopt_marked_json(info.properties, data, m.data, "request/messageData"); !json)
        return json.error();
    return m;
}

result<pull_request> read_get_messages(const xml_node* op, int max_amount) {
    field_reader top(op, "getMessages");
    const auto* request = top.element("request", true);
    if (!top.error().empty()) return bad(top);
    field_reader r(request, "request");
    pull_request p;
    p.message_id = r.optional("messageId");
    p.correlation_id = r.optional("correlationId");
    check_date(r, "requestDate", r.optional("requestDate"));
    p.service_id = r.required("serviceId");
    if (const auto* sender = r.element("sender", false)) {
        p.sender.emplace();
        detail::read_sender(r, sender, "request/sender", *p.sender);
    }
    if (auto amount = r.optional("amount")) {
        const auto* end = amount->data() + amount->size();
        auto [ptr, ec] = std::from_chars(amount->data(), end, p.amount);
        if (ec != std::errc() || ptr != end || p.amount < 0) {
            if (ec == std::errc::result_out_of_range && amount->front() != '-') p.amount = max_amount;
            else r.problem("amount", "must be a non-negative xsd:int");
        }
    }
    if (!r.error().empty()) return bad(r);
    return p;
}

result<delivery_report> read_delivery_notification(const xml_node* op) {
    field_reader top(op, "sendDeliveryNotification");
    const auto* request = top.element("request", true);
    if (!top.error().empty()) return bad(top);
    field_reader r(request, "request");
    const auto* notification = r.element("notification", true);
    check_date(r, "requestDate", r.required("requestDate"));
    delivery_report d;
    if (const auto* sender = r.element("sender", false)) {
        d.sender.emplace();
        detail::read_sender(r, sender, "request/sender", *d.sender);
    }
    if (!r.error().empty()) return bad(r);

    field_reader n(notification, "request/notification");
    d.message_id = n.required("messageId");
    d.service_id = n.required("serviceId");
    check_date(n, "notificationDate", n.required("notificationDate"));
    if (const auto* status = n.element("deliveryStatus", true)) {
        field_reader s(status, "request/notification/deliveryStatus");
        const auto receive = s.required("receiveStatus");
        if (receive == "MESSAGE_ACCEPTED") d.status = receive_status::accepted;
        else if (receive == "MESSAGE_NOT_ACCTEPTED" || receive == "MESSAGE_NOT_ACCEPTED") d.status = receive_status::not_accepted;
        else if (s.error().empty()) s.problem("receiveStatus", "must be MESSAGE_ACCEPTED or MESSAGE_NOT_ACCTEPTED");
        check_date(s, "statusDate", s.required("statusDate"));
        const auto resend = s.required("resendMessage");
        if (resend == "RESEND") d.resend = resend_choice::resend;
        else if (resend == "NOT_RESEND") d.resend = resend_choice::not_resend;
        else if (s.error().empty()) s.problem("resendMessage", "must be RESEND or NOT_RESEND");
        if (const auto* error = s.element("error", false)) d.error = read_error_info(error);
        n.adopt(s);
    }
    if (!n.error().empty()) return bad(n);
    return d;
}

result<status_query> read_status_query(const xml_node* op) {
    field_reader top(op, "getMessageStatus");
    const auto* request = top.element("request", true);
    if (!top.error().empty()) return bad(top);
    field_reader r(request, "request");
    status_query q;
    q.message_id = r.required("messageId");
    check_date(r, "requestDate", r.required("requestDate"));
    if (const auto* sender = r.element("sender", true)) detail::read_sender(r, sender, "request/sender", q.sender);
    if (!r.error().empty()) return bad(r);
    return q;
}

result<status_notification> read_status_change(const xml_node* op) {
    field_reader top(op, "changeMassageStatusNotification");
    const auto* request = top.element("request", true);
    if (!top.error().empty()) return bad(top);
    field_reader r(request, "request");
    const auto* notification = r.element("notification", true);
    check_date(r, "requestDate", r.required("requestDate"));
    if (!r.error().empty()) return bad(r);

    field_reader n(notification, "request/notification");
    status_notification out;
    out.notification_id = n.required("notificationId");
    out.message_id = n.required("messageId");
    check_date(n, "notificationDate", n.required("notificationDate"));
    const auto state = n.required("messageState");
    if (n.error().empty()) {
        if (auto s = parse_message_state(state)) out.status.state = *s;
        else n.problem("messageState", "must be ON_DELIVERY, DELIVERED, NOT_DELIVERED or DELIVERY_STOPPED");
    }
    if (const auto* status = n.element("status", true)) {
        field_reader s(status, "request/notification/status");
        out.status.code = s.required("statusCode");
        out.status.message = s.optional("statusMessage").value_or("");
        out.status.date = s.required("statusDate");
        check_date(s, "statusDate", out.status.date);
        n.adopt(s);
    }
    if (!n.error().empty()) return bad(n);
    return out;
}

} // namespace

const fault_element& async_fault(async_operation op) noexcept { return faults[static_cast<std::size_t>(op)]; }

result<parsed_async_request> parse_async_request(const std::string& body, soap_version& version,
                                                 async_operation& op) {
    op = async_operation::send_message;
    auto env = parse_envelope(body, version);
    if (!env) return env.error();
    const auto* node = env->operation;
    std::size_t i = 0;
    while (i < operation_names.size() && !is(node, operation_names[i].ns, operation_names[i].name)) ++i;
    if (i == operation_names.size())
        return fail(errc::unknown_operation,
                    "{" + std::string(namespace_of(node)) + "}" + std::string(local_name(node)));
    op = static_cast<async_operation>(i);

    parsed_async_request out;
    out.version = version;
    out.operation = op;
    out.body_span = body_span_of(*env, body);
    auto take = [&](auto r) -> result<parsed_async_request> {
        if (!r) return r.error();
        out.body = std::move(*r);
        return std::move(out);
    };
    switch (op) {
    case async_operation::send_message: return take(read_send_message(node));
    case async_operation::get_messages: return take(read_get_messages(node, 1 << 30));
    case async_operation::send_delivery_notification: return take(read_delivery_notification(node));
    case async_operation::get_message_status: return take(read_status_query(node));
    case async_operation::change_status_notification: return take(read_status_change(node));
    }
    return fail(errc::internal, "unhandled operation");
}

} // namespace qaqpa::soap
