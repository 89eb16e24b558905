#include "transports/rest/outbound_client.hpp"

#include "transports/http/client.hpp"
#include "transports/rest/codec.hpp"

#include <fmt/format.h>

namespace qaqpa::rest {
namespace {

gateway_fault fault(errc code, std::string detail) { return gateway_fault{fail(code, std::move(detail)), nullptr}; }

http::post_options json_post(std::size_t max_response_bytes) {
    http::post_options opts;
    opts.content_type = "application/json";
    opts.max_response_bytes = max_response_bytes;
    return opts;
}

} // namespace

url operation_url(const url& base, std::string_view operation) {
    url out = base;
    const auto query = out.target.find('?');
    std::string path = out.target.substr(0, query);
    if (path.empty() || path.back() != '/') path.push_back('/');
    path.append(operation);
    if (query != std::string::npos) path.append(out.target, query);
    out.target = std::move(path);
    return out;
}

task<routing::provider_result> rest_outbound_client::relay(const outbound_target& dp, const sync_request& req,
                                                           std::chrono::milliseconds timeout) {
    if (!dp.endpoint) co_return fault(errc::internal, "delivery point \"" + dp.id + "\" has an unusable URL");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto opts = json_post(max_response_bytes_);
    if (auto tls = http::prepare_tls(tls_, opts, dp); !tls) co_return fault(errc::provider_unreachable, tls.error().detail);
    // a named local, never a temporary: post() keeps a reference across its suspensions
    const auto target = operation_url(*dp.endpoint, "SendMessage");
    auto reply = co_await http::post(target, build_sync_request(req), opts, deadline);
    if (auto* failed = std::get_if<http::client_failure>(&reply))
        co_return gateway_fault{http::relay_failure(*failed, dp.id, timeout), nullptr};
    const auto& res = std::get<http::response>(reply);
    auto answer = parse_sync_reply(static_cast<int>(res.result_int()), res.body());
    if (auto* f = std::get_if<gateway_fault>(&answer); f && f->cause.code == errc::provider_bad_response)
        f->cause.detail = "\"" + dp.id + "\" answered " + f->cause.detail;
    co_return answer;
}

task<routing::push_result> rest_outbound_client::push(const outbound_target& to, const outbound_message& m,
                                                      std::string_view session_id, std::chrono::milliseconds timeout) {
    if (!to.endpoint) co_return routing::push_result{false, "unusable URL " + to.address};
    std::string body;
    std::string_view operation;
    if (m.kind == record_kind::status_notification) {
        body = build_status_push(m.notification, session_id);
        operation = "changeMassageStatusNotification";
    } else {
        auto info = m.message.info;
        info.session_id = std::string(session_id);
        if (to.creds) info.sender = sender_info{to.creds->login, to.creds->password};
        body = build_push(info, m.message.data);
        operation = "sendMessage";
    }
    auto opts = json_post(max_response_bytes_);
    if (auto tls = http::prepare_tls(tls_, opts, to); !tls) co_return routing::push_result{false, tls.error().detail};
    const auto target = operation_url(*to.endpoint, operation);
    auto reply = co_await http::post(target, std::move(body), opts, std::chrono::steady_clock::now() + timeout);
    if (auto* failed = std::get_if<http::client_failure>(&reply))
        co_return routing::push_result{false, http::push_failure(*failed, timeout)};
    const auto& res = std::get<http::response>(reply);
    const int status = static_cast<int>(res.result_int());
    auto verdict = read_push_reply(status, res.body());
    co_return routing::push_result{verdict.delivered, std::move(verdict.reason), status};
}

} // namespace qaqpa::rest
