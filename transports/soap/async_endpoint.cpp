#include "transports/soap/async_endpoint.hpp"

#include "core/ids.hpp"
#include "core/log.hpp"
#include "transports/soap/async_codec.hpp"
#include "transports/soap/sync_endpoint.hpp"

namespace qaqpa::soap {
namespace {

/// The answer to one operation: its body when it succeeded, else its fault.
template <class T, class Build>
http::response answer(const http::request& req, soap_version v, async_operation op,
                      routing::async_outcome<T>& outcome, Build build) {
    if (auto* f = std::get_if<gateway_fault>(&outcome.answer)) {
        if (f->cause.code == errc::internal) log::error("async", "session {}: {}", outcome.session_id, f->cause.detail);
        return fault_response(req, v, async_fault(op), *f, outcome.session_id);
    }
    return http::make_response(req, http::status::ok, content_type(v), build(std::get<T>(outcome.answer)));
}

/// Where the call came from, for the failed-login limit.
void stamp_origin(async_message& m, const std::string& peer) { m.info.sender.client_address = peer; }
template <class Request>
void stamp_origin(Request& r, const std::string& peer) {
    if constexpr (requires { r.sender.has_value(); }) {
        if (r.sender) r.sender->client_address = peer;
    } else {
        r.sender.client_address = peer;
    }
}

} // namespace

task<http::response> async_endpoint::handle(http::request& req) {
    if (auto early = answer_before_parsing(req, "async.wsdl", async_fault(async_operation::send_message)))
        co_return std::move(*early);
    soap_version v = soap_version::v11;
    async_operation op = async_operation::send_message;
    auto parsed = parse_async_request(req.body(), v, op);
    if (!parsed) co_return fault_response(req, v, async_fault(op), {parsed.error(), nullptr}, braced(new_guid()));
    std::visit([&](auto& body) { stamp_origin(body, req.peer); }, parsed->body);

    switch (op) {
    case async_operation::send_message: {
        auto out = co_await gateway_.send(std::get<async_message>(std::move(parsed->body)));
        co_return answer(req, v, op, out, [&](const routing::accepted_message& a) {
            return build_accepted(v, a.message_id, a.correlation_id, out.session_id);
        });
    }
    case async_operation::get_messages: {
        auto out = co_await gateway_.pull(std::get<pull_request>(std::move(parsed->body)));
        co_return answer(req, v, op, out, [&](const std::vector<async_message>& m) {
            return build_messages(v, out.session_id, m);
        });
    }
    case async_operation::send_delivery_notification: {
        auto out = co_await gateway_.confirm(std::get<delivery_report>(std::move(parsed->body)));
        co_return answer(req, v, op, out, [&](const std::string& id) {
            return build_notification_accepted(v, id, out.session_id);
        });
    }
    case async_operation::get_message_status: {
        auto out = co_await gateway_.status(std::get<status_query>(std::move(parsed->body)));
        co_return answer(req, v, op, out, [&](const message_status& s) {
            return build_status(v, s, out.session_id);
        });
    }
    }
    co_return fault_response(req, v, async_fault(op), {fail(errc::internal, "unhandled operation"), nullptr},
                             braced(new_guid()));
}

} // namespace qaqpa::soap
