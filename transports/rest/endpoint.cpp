#include "transports/rest/endpoint.hpp"

#include "core/ids.hpp"
#include "core/log.hpp"
#include "crypto/base64.hpp"
#include "transports/rest/codec.hpp"
#include "transports/rest/openapi.hpp"

#include <boost/json.hpp>

namespace qaqpa::rest {
namespace {

using routing::operation_kind;

/// application/json, application/…+json, or none at all.
bool is_json_content_type(std::string_view ct) {
    auto type = ct.substr(0, ct.find(';'));
    while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    constexpr std::string_view app = "application/";
    return type.empty() || boost::beast::iequals(type, "application/json") ||
           (type.size() > app.size() + 5 && boost::beast::iequals(type.substr(0, app.size()), app) &&
            boost::beast::iequals(type.substr(type.size() - 5), "+json"));
}

/// HTTP Basic credentials: none, the login and password, or malformed.
result<std::optional<sender_info>> basic_credentials(const http::request& req) {
    const auto header = req[http::beast_http::field::authorization];
    if (header.empty()) return std::optional<sender_info>{};
    if (header.size() < 6 || !boost::beast::iequals(header.substr(0, 6), "Basic "))
        return fail(errc::invalid_request, "Authorization must be HTTP Basic (or send request/sender)");
    auto decoded = crypto::base64_decode(header.substr(6));
    const auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) return fail(errc::invalid_request, "Authorization: Basic credentials are malformed");
    sender_info s;
    s.sender_id = decoded->substr(0, colon);
    s.password = decoded->substr(colon + 1);
    s.client_address = req.peer;
    return std::optional<sender_info>(std::move(s));
}

http::response ok(const http::request& req, std::string body) {
    return http::make_response(req, http::status::ok, "application/json", std::move(body));
}

/// The answer to one operation: its body when it succeeded, else its error.
template <class T, class Build>
http::response answer(const http::request& req, T& outcome, std::optional<failure>& fault, Build build) {
    using value_type = std::variant_alternative_t<0, decltype(outcome.answer)>;
    if (auto* f = std::get_if<gateway_fault>(&outcome.answer)) {
        fault = f->cause;
        if (f->cause.code == errc::internal) log::error("rest", "session {}: {}", outcome.session_id, f->cause.detail);
        return error_response(req, *f, outcome.session_id);
    }
    return ok(req, build(std::get<value_type>(outcome.answer)));
}

template <class T>
void stamp_origin(T& sender, const std::string& peer) {
    if constexpr (requires { sender.has_value(); }) {
        if (sender) sender->client_address = peer;
    } else {
        sender.client_address = peer;
    }
}

/// The OpenAPI document with its server at `base` (paths.rest, without its trailing slash).
std::string openapi_at(std::string base) {
    auto doc = boost::json::parse(openapi_document());
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    doc.at("servers").as_array().at(0).as_object()["url"] = base;
    return boost::json::serialize(doc);
}

} // namespace

http::status status_of(errc code) noexcept {
    using s = http::status;
    switch (code) {
    case errc::bad_envelope:
    case errc::invalid_request:
    case errc::bad_encoding:
    case errc::unknown_route:
    case errc::unknown_chain:
    case errc::wrong_channel:
    case errc::signature_invalid:
    case errc::signature_scope:
    case errc::signature_unsupported:
    case errc::decryption_failed:
    case errc::encryption_unsupported: return s::bad_request;
    case errc::auth_failed:
    case errc::signature_required:
    case errc::unauthorized: return s::unauthorized;
    case errc::access_denied:
    case errc::not_chain_party:
    case errc::certificate_untrusted:
    case errc::certificate_expired:
    case errc::certificate_revoked:
    case errc::certificate_mismatch: return s::forbidden;
    case errc::unknown_service:
    case errc::unknown_message:
    case errc::unknown_point:
    case errc::unknown_operation:
    case errc::not_found: return s::not_found;
    case errc::method_not_allowed: return s::method_not_allowed;
    case errc::message_final:
    case errc::conflict: return s::conflict;
    case errc::unsupported_media_type: return s::unsupported_media_type;
    case errc::throttled:
    case errc::too_many_failed_logins: return s::too_many_requests;
    case errc::provider_unreachable:
    case errc::provider_fault:
    case errc::provider_bad_response: return s::bad_gateway;
    case errc::provider_timeout: return s::gateway_timeout;
    case errc::busy:
    case errc::queue_full:
    case errc::point_off:
    case errc::store_unavailable:
    case errc::certificate_status_unknown: return s::service_unavailable;
    case errc::bad_config:
    case errc::internal: return s::internal_server_error;
    }
    return s::internal_server_error;
}

http::response error_response(const http::request& req, const gateway_fault& f, std::string session_id) {
    auto res = http::make_response(req, status_of(f.cause.code), "application/json",
                                   build_error(to_error_info(f, std::move(session_id))));
    if (f.cause.code == errc::auth_failed) res.set(http::beast_http::field::www_authenticate, "Basic realm=\"qaqpa\"");
    return res;
}

rest_endpoint::rest_endpoint(routing::sync_gateway& sync, routing::async_gateway& async, routing::request_probe& probe,
                             int pull_batch_max, std::string base)
    : sync_(sync), async_(async), probe_(probe), pull_batch_max_(pull_batch_max), openapi_(openapi_at(std::move(base))) {}

http::response rest_endpoint::openapi(const http::request& req) const {
    return http::make_response(req, http::status::ok, "application/json", openapi_);
}

result<void> rest_endpoint::mount(http::router& router, const std::string& base) {
    const std::string root = base.ends_with('/') ? base : base + "/";
    const std::pair<std::string_view, operation_kind> operations[] = {
        {"sync/SendMessage", operation_kind::sync_send_message},
        {"async/sendMessage", operation_kind::send_message},
        {"async/getMessages", operation_kind::get_messages},
        {"async/sendDeliveryNotification", operation_kind::send_delivery_notification},
        {"async/getMessageStatus", operation_kind::get_message_status},
    };
    for (const auto& [path, op] : operations) {
        auto route = [this, op](http::request& req, const http::path_params&) { return handle(req, op); };
        if (auto r = router.add(root + std::string(path), route, http::beast_http::verb::post); !r) return r;
    }
    auto document = [this](http::request& req, const http::path_params&) -> task<http::response> {
        co_return openapi(req);
    };
    return router.add(root + "openapi.json", document, http::beast_http::verb::get);
}

task<http::response> rest_endpoint::handle(http::request& req, operation_kind operation) {
    const auto started = std::chrono::steady_clock::now();
    std::optional<failure> fault;
    auto res = co_await call(req, operation, fault);
    probe_.record(operation, fault ? &*fault : nullptr, std::chrono::steady_clock::now() - started);
    co_return res;
}

task<http::response> rest_endpoint::call(http::request& req, operation_kind operation, std::optional<failure>& fault) {
    auto refuse = [&](failure f) {
        fault = f;
        return error_response(req, {std::move(f), nullptr}, braced(new_guid()));
    };
    if (!is_json_content_type(req[http::beast_http::field::content_type]))
        co_return refuse(fail(errc::unsupported_media_type,
                              "Content-Type " + std::string(req[http::beast_http::field::content_type]) +
                                  ": the REST channel takes application/json"));
    auto basic = basic_credentials(req);
    if (!basic) co_return refuse(basic.error());
    routing::caller_envelope envelope;
    envelope.transport = wire_protocol::rest;
    envelope.client_certificate = req.client_certificate.get();
    const std::string_view body = req.body();

    switch (operation) {
    case operation_kind::sync_send_message: {
        auto parsed = parse_sync_request(body, *basic);
        if (!parsed) co_return refuse(parsed.error());
        stamp_origin(parsed->info.sender, req.peer);
        auto out = co_await sync_.send(std::move(*parsed), &envelope);
        co_return answer(req, out, fault, [](const sync_response& r) { return build_sync_response(r); });
    }
    case operation_kind::send_message: {
        auto parsed = parse_send_message(body, *basic);
        if (!parsed) co_return refuse(parsed.error());
        stamp_origin(parsed->info.sender, req.peer);
        auto out = co_await async_.send(std::move(*parsed), &envelope);
        co_return answer(req, out, fault, [&](const routing::accepted_message& a) {
            return build_accepted(a.message_id, a.correlation_id, out.session_id);
        });
    }
    case operation_kind::get_messages: {
        auto parsed = parse_get_messages(body, pull_batch_max_, *basic);
        if (!parsed) co_return refuse(parsed.error());
        stamp_origin(parsed->sender, req.peer);
        auto out = co_await async_.pull(std::move(*parsed), &envelope);
        co_return answer(req, out, fault, [&](const std::vector<async_message>& m) {
            return build_messages(out.session_id, m);
        });
    }
    case operation_kind::send_delivery_notification: {
        auto parsed = parse_delivery_notification(body, *basic);
        if (!parsed) co_return refuse(parsed.error());
        stamp_origin(parsed->sender, req.peer);
        auto out = co_await async_.confirm(std::move(*parsed), &envelope);
        co_return answer(req, out, fault, [&](const std::string& id) {
            return build_notification_accepted(id, out.session_id);
        });
    }
    case operation_kind::get_message_status: {
        auto parsed = parse_status_query(body, *basic);
        if (!parsed) co_return refuse(parsed.error());
        stamp_origin(parsed->sender, req.peer);
        auto out = co_await async_.status(std::move(*parsed), &envelope);
        co_return answer(req, out, fault, [&](const message_status& s) { return build_status(s, out.session_id); });
    }
    case operation_kind::change_status_notification: break; // a peer's, over SOAP only: never mounted here
    }
    co_return refuse(fail(errc::internal, "unhandled operation"));
}

} // namespace qaqpa::rest
