#include "transports/soap/async_endpoint.hpp"

#include "core/ids.hpp"
#include "core/log.hpp"
#include "transports/soap/async_codec.hpp"
#include "transports/soap/encrypted_request.hpp"
#include "transports/soap/sync_endpoint.hpp"

namespace qaqpa::soap {
namespace {

/// The answer to one operation: its body when it succeeded, else its fault.
template <class T, class Build>
http::response answer(const http::request& req, soap_version v, async_operation op,
                      routing::async_outcome<T>& outcome, std::optional<failure>& fault, Build build) {
    if (auto* f = std::get_if<gateway_fault>(&outcome.answer)) {
        fault = f->cause;
        if (f->cause.code == errc::internal) log::error("async", "session {}: {}", outcome.session_id, f->cause.detail);
        return fault_response(req, v, async_fault(op), *f, outcome.session_id);
    }
    return http::make_response(req, http::status::ok, content_type(v), build(std::get<T>(outcome.answer)));
}

static_assert(static_cast<int>(routing::operation_kind::send_message) == static_cast<int>(async_operation::send_message) + 1 &&
              static_cast<int>(routing::operation_kind::get_message_status) ==
                  static_cast<int>(async_operation::get_message_status) + 1 &&
              static_cast<int>(routing::operation_kind::change_status_notification) ==
                  static_cast<int>(async_operation::change_status_notification) + 1);

/// Where the call came from, for the failed-login limit.
void stamp_origin(async_message& m, const std::string& peer) { m.info.sender.client_address = peer; }
void stamp_origin(status_notification&, const std::string&) {} // a peer's report: its signature names it
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
    const auto started = std::chrono::steady_clock::now();
    async_operation op = async_operation::send_message;
    std::optional<failure> fault;
    std::optional<hop_keys> to_peer; // a peer gateway's forward: its answer is a signed hop
    auto answer = co_await call(req, op, fault, to_peer);
    auto res = signed_answer(std::move(answer), security_, signed_endpoint_, to_peer);
    // async_operation and operation_kind list the operations in the same order.
    probe_.record(static_cast<routing::operation_kind>(static_cast<int>(op) + 1), fault ? &*fault : nullptr,
                  std::chrono::steady_clock::now() - started);
    co_return res;
}

task<http::response> async_endpoint::call(http::request& req, async_operation& op, std::optional<failure>& fault,
                                          std::optional<hop_keys>& to_peer) {
    soap_version v = soap_version::v11;
    auto opened = open_if_encrypted(req.body(), security_, v);
    if (!opened) {
        fault = opened.error();
        co_return fault_response(req, v, async_fault(op), {opened.error(), nullptr}, braced(new_guid()));
    }
    auto parsed = parse_async_request(req.body(), v, op);
    if (!parsed) {
        fault = parsed.error();
        co_return fault_response(req, v, async_fault(op), {parsed.error(), nullptr}, braced(new_guid()));
    }
    std::visit([&](auto& body) { stamp_origin(body, req.peer); }, parsed->body);
    const routing::caller_envelope envelope{req.body(), parsed->body_span, signed_endpoint_,
                                            std::move(opened->verified_before), opened->decrypted,
                                            req.client_certificate.get()};

    switch (op) {
    case async_operation::send_message: {
        auto out = co_await gateway_.send(std::get<async_message>(std::move(parsed->body)), &envelope);
        to_peer = std::move(out.hop);
        co_return answer(req, v, op, out, fault, [&](const routing::accepted_message& a) {
            return build_accepted(v, a.message_id, a.correlation_id, out.session_id);
        });
    }
    case async_operation::get_messages: {
        auto out = co_await gateway_.pull(std::get<pull_request>(std::move(parsed->body)), &envelope);
        co_return answer(req, v, op, out, fault, [&](const std::vector<async_message>& m) {
            return build_messages(v, out.session_id, m);
        });
    }
    case async_operation::send_delivery_notification: {
        auto out = co_await gateway_.confirm(std::get<delivery_report>(std::move(parsed->body)), &envelope);
        co_return answer(req, v, op, out, fault, [&](const std::string& id) {
            return build_notification_accepted(v, id, out.session_id);
        });
    }
    case async_operation::get_message_status: {
        auto out = co_await gateway_.status(std::get<status_query>(std::move(parsed->body)), &envelope);
        co_return answer(req, v, op, out, fault, [&](const message_status& s) {
            return build_status(v, s, out.session_id);
        });
    }
    case async_operation::change_status_notification: {
        auto out = co_await gateway_.peer_report(std::get<status_notification>(std::move(parsed->body)), &envelope);
        to_peer = std::move(out.hop);
        co_return answer(req, v, op, out, fault, [&](std::monostate) { return build_status_taken(v, out.session_id); });
    }
    }
    fault = fail(errc::internal, "unhandled operation");
    co_return fault_response(req, v, async_fault(op), {*fault, nullptr}, braced(new_guid()));
}

} // namespace qaqpa::soap
