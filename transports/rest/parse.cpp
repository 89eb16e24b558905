// Reading what callers send to the REST channel, and what REST providers answer.
#include "transports/rest/codec.hpp"

#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "transports/rest/detail/json_fields.hpp"
#include "transports/rest/detail/json_envelope.hpp"
#include "transports/soap/xml.hpp"

#include <boost/json/monotonic_resource.hpp>

#include <algorithm>
#include <array>

namespace qaqpa::rest {
namespace {

using detail::object_reader;
using detail::problems;

/// A request's document, and the text of its `data` as it came.
struct document {
    boost::json::value root;
    std::optional<std::string_view> data;
};

/// Where one request's document lives: a buffer on the stack first, so a
/// request of a few KB parses without touching the heap.
struct scratch {
    unsigned char parser_stack[1024];
    unsigned char buffer[8192];
    boost::json::monotonic_resource resource{buffer, sizeof buffer};
};

result<document> read_document(std::string_view body, std::span<const std::string_view> data_path, scratch& memory) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return fail(errc::invalid_request, "the body is empty; a JSON object is expected");
    auto read = detail::read_envelope(body, data_path, {&memory.resource, memory.parser_stack, sizeof memory.parser_stack});
    if (!read) return read.error();
    if (!read->root.is_object()) return fail(errc::invalid_request, "the body must be a JSON object");
    if (!read->repeated_key.empty()) return fail(errc::invalid_request, read->repeated_key + " is repeated");
    return document{std::move(read->root), read->payload};
}

bool is_date(const std::optional<std::string>& v) { return !v || parse_datetime(*v).has_value(); }

void check_date(object_reader& r, std::string_view key, const std::optional<std::string>& v) {
    if (!is_date(v)) r.report().add(r.path(key) + " is not an xsd:dateTime");
}

void read_sender(object_reader& parent, std::string_view key, bool needed, std::optional<sender_info>& out) {
    const auto* v = parent.object(key, needed);
    if (!v) return;
    const auto path = parent.path(key);
    object_reader s(v, path, parent.report());
    out.emplace();
    out->sender_id = s.required_string("senderId");
    out->password = s.optional_string("password");
}

/// The body's sender, or the HTTP Basic one; both must name the same IS.
void merge_basic(problems& p, std::string_view path, std::optional<sender_info>& body, const std::optional<sender_info>& basic) {
    if (!basic) {
        if (!body) p.add(std::string(path) + " is missing (or send HTTP Basic credentials)");
        return;
    }
    if (!body) {
        body = basic;
        return;
    }
    if (body->sender_id != basic->sender_id) p.add(std::string(path) + "/senderId is not the HTTP Basic user");
    else if (body->password && basic->password && *body->password != *basic->password)
        p.add(std::string(path) + "/password is not the HTTP Basic password");
    else if (!body->password) body->password = basic->password;
}

void read_properties(object_reader& parent, std::vector<property>& out) {
    const auto* list = parent.array("properties");
    if (!list) return;
    const auto path = parent.path("properties");
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto item = path + "/" + std::to_string(i);
        object_reader p(&(*list)[i], item, parent.report());
        property prop{p.required_string("key"), p.optional_string("value").value_or("")};
        out.push_back(std::move(prop));
    }
}

/// The payload of a request: the JSON value as it came, or the XML a string
/// holds when the sender marked it so (data_format_property = "xml").
result<message_payload> payload_of(std::optional<std::string_view> text, std::vector<property>& props,
                                   std::string_view path) {
    const auto count = [&props](std::string_view key) {
        return std::count_if(props.begin(), props.end(), [key](const property& p) { return p.key == key; });
    };
    const auto formats = count(data_format_property), attributes = count(data_attributes_property);
    if (formats > 1 || attributes > 1 || (attributes == 1 && formats == 0))
        return fail(errc::invalid_request, "properties " + std::string(data_format_property) + " and " +
                                               std::string(data_attributes_property) +
                                               " are the gateway's marks: each at most once, attributes only with the format");
    const auto mark = std::find_if(props.begin(), props.end(), [](const property& p) { return p.key == data_format_property; });
    if (mark == props.end()) {
        if (!text) return message_payload{};
        return message_payload{true, payload_format::json, {}, std::string(*text)};
    }
    if (mark->value != "xml")
        return fail(errc::invalid_request, "property " + std::string(data_format_property) + " must be \"xml\" on REST");
    auto xml = text ? json_string_contents(*text) : std::nullopt;
    if (!xml) return fail(errc::invalid_request, std::string(path) + " must be a string holding XML (" +
                                                     std::string(data_format_property) + " = xml)");
    if (!soap::is_xml_content(*xml))
        return fail(errc::invalid_request, std::string(path) + " is not well-formed XML content");
    message_payload out{true, payload_format::xml, {}, std::move(*xml)};
    props.erase(mark);
    const auto attrs = std::find_if(props.begin(), props.end(), [](const property& p) { return p.key == data_attributes_property; });
    if (attrs != props.end()) {
        out.attributes = std::move(attrs->value);
        props.erase(attrs);
    }
    return out;
}

/// A message's end: its sender (the body's, or HTTP Basic's) into `out`, then its payload.
result<message_payload> sender_and_payload(problems& p, std::string_view info_path, std::optional<sender_info>& sender,
                                           const std::optional<sender_info>& basic, sender_info& out, const document& doc,
                                           std::vector<property>& props, std::string_view data_path) {
    merge_basic(p, std::string(info_path) + "/sender", sender, basic);
    if (p.any()) return p.failed();
    out = std::move(*sender);
    return payload_of(doc.data, props, data_path);
}

constexpr std::array<std::string_view, 3> sync_data_path{"request", "requestData", "data"};
constexpr std::array<std::string_view, 3> async_data_path{"request", "messageData", "data"};
constexpr std::array<std::string_view, 3> reply_data_path{"response", "responseData", "data"};

/// The top-level {"request": {...}} of every operation.
const boost::json::value* request_of(object_reader& top) { return top.object("request", true); }

} // namespace

result<sync_request> parse_sync_request(std::string_view body, const std::optional<sender_info>& basic) {
    scratch memory;
    auto doc = read_document(body, sync_data_path, memory);
    if (!doc) return doc.error();
    problems p;
    sync_request out;
    std::optional<sender_info> sender;
    {
        object_reader top(&doc->root, "", p);
        object_reader req(request_of(top), "request", p);
        object_reader ri(req.object("requestInfo", true), "request/requestInfo", p);
        auto& info = out.info;
        info.message_id = ri.required_string("messageId");
        info.correlation_id = ri.optional_string("correlationId");
        info.service_id = ri.required_string("serviceId");
        info.message_date = ri.required_string("messageDate");
        check_date(ri, "messageDate", info.message_date);
        info.route_id = ri.optional_string("routeId");
        info.session_id = ri.optional_string("sessionId");
        read_sender(ri, "sender", false, sender);
        read_properties(ri, info.properties);
        object_reader rd(req.object("requestData", true), "request/requestData", p);
        rd.member("data", false);
    }
    auto data = sender_and_payload(p, "request/requestInfo", sender, basic, out.info.sender, *doc, out.info.properties,
                                   "request/requestData/data");
    if (!data) return data.error();
    out.data = std::move(*data);
    return out;
}

result<async_message> parse_send_message(std::string_view body, const std::optional<sender_info>& basic) {
    scratch memory;
    auto doc = read_document(body, async_data_path, memory);
    if (!doc) return doc.error();
    problems p;
    async_message m;
    std::optional<sender_info> sender;
    {
        object_reader top(&doc->root, "", p);
        object_reader req(request_of(top), "request", p);
        object_reader mi(req.object("messageInfo", true), "request/messageInfo", p);
        auto& info = m.info;
        info.message_id = mi.optional_string("messageId");
        info.correlation_id = mi.optional_string("correlationId");
        info.service_id = mi.required_string("serviceId");
        const auto type = mi.required_string("messageType");
        if (auto t = parse_message_type(type)) info.type = *t;
        else if (!p.any()) p.add("request/messageInfo/messageType must be REQUEST, RESPONSE, UPDATE or NOTIFICATION");
        info.route_id = mi.optional_string("routeId");
        info.message_date = mi.required_string("messageDate");
        check_date(mi, "messageDate", info.message_date);
        read_sender(mi, "sender", false, sender);
        read_properties(mi, info.properties);
        info.session_id = mi.optional_string("sessionId");
        object_reader md(req.object("messageData", true), "request/messageData", p);
        md.member("data", true);
    }
    auto data = sender_and_payload(p, "request/messageInfo", sender, basic, m.info.sender, *doc, m.info.properties,
                                   "request/messageData/data");
    if (!data) return data.error();
    m.data = std::move(*data);
    return m;
}

result<pull_request> parse_get_messages(std::string_view body, int max_amount, const std::optional<sender_info>& basic) {
    scratch memory;
    auto doc = read_document(body, {}, memory);
    if (!doc) return doc.error();
    problems p;
    pull_request out;
    {
        object_reader top(&doc->root, "", p);
        object_reader r(request_of(top), "request", p);
        out.message_id = r.optional_string("messageId");
        out.correlation_id = r.optional_string("correlationId");
        check_date(r, "requestDate", r.optional_string("requestDate"));
        out.service_id = r.required_string("serviceId");
        read_sender(r, "sender", false, out.sender);
        if (auto amount = r.optional_integer("amount")) {
            if (*amount < 0) p.add("request/amount must not be negative");
            out.amount = static_cast<int>(std::min<std::int64_t>(*amount, max_amount));
        }
    }
    if (basic) merge_basic(p, "request/sender", out.sender, basic);
    if (p.any()) return p.failed();
    return out;
}

result<delivery_report> parse_delivery_notification(std::string_view body, const std::optional<sender_info>& basic) {
    scratch memory;
    auto doc = read_document(body, {}, memory);
    if (!doc) return doc.error();
    problems p;
    delivery_report d;
    {
        object_reader top(&doc->root, "", p);
        object_reader r(request_of(top), "request", p);
        check_date(r, "requestDate", r.required_string("requestDate"));
        read_sender(r, "sender", false, d.sender);
        object_reader n(r.object("notification", true), "request/notification", p);
        d.message_id = n.required_string("messageId");
        d.service_id = n.required_string("serviceId");
        check_date(n, "notificationDate", n.required_string("notificationDate"));
        object_reader s(n.object("deliveryStatus", true), "request/notification/deliveryStatus", p);
        const auto receive = s.required_string("receiveStatus");
        if (receive == "MESSAGE_ACCEPTED") d.status = receive_status::accepted;
        else if (receive == "MESSAGE_NOT_ACCTEPTED" || receive == "MESSAGE_NOT_ACCEPTED") d.status = receive_status::not_accepted;
        else if (!p.any()) p.add("request/notification/deliveryStatus/receiveStatus must be MESSAGE_ACCEPTED or MESSAGE_NOT_ACCTEPTED");
        check_date(s, "statusDate", s.required_string("statusDate"));
        const auto resend = s.required_string("resendMessage");
        if (resend == "RESEND") d.resend = resend_choice::resend;
        else if (resend == "NOT_RESEND") d.resend = resend_choice::not_resend;
        else if (!p.any()) p.add("request/notification/deliveryStatus/resendMessage must be RESEND or NOT_RESEND");
        if (const auto* error = s.object("error", false)) {
            object_reader e(error, "request/notification/deliveryStatus/error", p);
            error_info info;
            info.code = e.required_string("errorCode");
            info.message = e.optional_string("errorMessage").value_or("");
            info.data = e.optional_string("errorData");
            info.date = e.optional_string("errorDate").value_or("");
            info.session_id = e.optional_string("sessionId");
            e.member("subError", false);
            d.error = std::move(info);
        }
    }
    if (basic) merge_basic(p, "request/sender", d.sender, basic);
    if (p.any()) return p.failed();
    return d;
}

result<status_query> parse_status_query(std::string_view body, const std::optional<sender_info>& basic) {
    scratch memory;
    auto doc = read_document(body, {}, memory);
    if (!doc) return doc.error();
    problems p;
    status_query q;
    std::optional<sender_info> sender;
    {
        object_reader top(&doc->root, "", p);
        object_reader r(request_of(top), "request", p);
        q.message_id = r.required_string("messageId");
        check_date(r, "requestDate", r.required_string("requestDate"));
        read_sender(r, "sender", false, sender);
    }
    merge_basic(p, "request/sender", sender, basic);
    if (p.any()) return p.failed();
    q.sender = std::move(*sender);
    return q;
}

namespace {

/// An ErrorInfo object a REST party answered with.
std::shared_ptr<const error_info> error_of(const boost::json::value& v, int depth = 0) {
    if (!v.is_object() || depth > 8) return nullptr;
    const auto& o = v.get_object();
    const auto* code = o.if_contains("errorCode");
    if (!code || !code->is_string()) return nullptr;
    auto text = [&o](std::string_view key) -> std::optional<std::string> {
        const auto* m = o.if_contains(key);
        if (m && m->is_string()) return std::string(m->get_string());
        return std::nullopt;
    };
    auto e = std::make_shared<error_info>();
    e->code = std::string(code->get_string());
    e->message = text("errorMessage").value_or("");
    e->data = text("errorData");
    e->date = text("errorDate").value_or(now_datetime());
    e->session_id = text("sessionId");
    if (const auto* sub = o.if_contains("subError")) e->sub_error = error_of(*sub, depth + 1);
    return e;
}

} // namespace

std::variant<sync_response, gateway_fault> parse_sync_reply(int http_status, std::string_view body) {
    auto bad = [http_status](std::string detail) {
        return gateway_fault{fail(errc::provider_bad_response, "HTTP " + std::to_string(http_status) + ": " + detail), nullptr};
    };
    scratch memory;
    auto doc = read_document(body, reply_data_path, memory);
    if (!doc) return bad(doc.error().detail);
    if (http_status < 200 || http_status > 299) {
        if (auto sub = error_of(doc->root))
            return gateway_fault{fail(errc::provider_fault, sub->code + ": " + sub->message), std::move(sub)};
        return bad("not an ErrorInfo object");
    }
    problems p;
    sync_response res;
    {
        object_reader top(&doc->root, "", p);
        object_reader r(top.object("response", true), "response", p);
        object_reader ri(r.object("responseInfo", true), "response/responseInfo", p);
        res.info.message_id = ri.required_string("messageId");
        res.info.correlation_id = ri.optional_string("correlationId");
        res.info.response_date = ri.optional_string("responseDate").value_or("");
        if (!parse_datetime(res.info.response_date)) res.info.response_date = now_datetime();
        ri.optional_string("sessionId");
        object_reader st(ri.object("status", true), "response/responseInfo/status", p);
        res.info.status_code = st.required_string("code");
        res.info.status_message = st.optional_string("message").value_or("");
        object_reader rd(r.object("responseData", false), "response/responseData", p);
        rd.member("data", false);
    }
    if (p.any()) return bad(p.first);
    if (doc->data) res.data = {true, payload_format::json, {}, std::string(*doc->data)};
    return res;
}

push_verdict read_push_reply(int http_status, std::string_view body) {
    scratch memory;
    auto doc = read_document(body, {}, memory);
    if (http_status < 200 || http_status > 299) {
        if (doc)
            if (auto e = error_of(doc->root)) return {false, "HTTP " + std::to_string(http_status) + ": " + e->code + ": " + e->message};
        return {false, "HTTP " + std::to_string(http_status)};
    }
    if (!doc) return {false, "HTTP " + std::to_string(http_status) + ": " + doc.error().detail};
    const auto* response = doc->root.get_object().if_contains("response");
    if (!response || !response->is_object())
        return {false, "HTTP " + std::to_string(http_status) + ": the reply has no \"response\" object"};
    return {true, {}};
}

} // namespace qaqpa::rest
