#include "transports/soap/outbound_client.hpp"

#include "transports/http/client.hpp"
#include "transports/soap/async_codec.hpp"

#include <fmt/format.h>

namespace qaqpa::soap {

task<routing::push_result> soap_outbound_client::push(const outbound_target& to, const outbound_message& m,
                                                      std::string_view session_id, std::chrono::milliseconds timeout) {
    // a peer gateway takes queued messages on its asynchronous channel
    const auto& endpoint = to.async_endpoint ? to.async_endpoint : to.endpoint;
    if (!endpoint) co_return routing::push_result{false, "unusable URL " + to.address};
    std::string body;
    std::string_view expected;
    if (m.kind == record_kind::status_notification) {
        body = build_status_push(m.notification, session_id);
        expected = "changeMassageStatusNotificationResponse";
    } else {
        // This attempt's sessionId and credentials over the stored header;
        // the payload is written from the shared message as it is.
        auto info = m.message.info;
        info.session_id = std::string(session_id);
        // across a hop: its id is the trace, and the far node learns who sent it first
        if (to.kind == point_kind::gateway) mark_for_peer(info.properties, info.message_id.value_or(""), info.sender.sender_id);
        if (to.creds) info.sender = sender_info{to.creds->login, to.creds->password};
        body = build_push(info, m.message.data);
        expected = "sendMessageResponse";
    }
    auto sent = as_point_wants(to, std::move(body));
    if (!sent) co_return routing::push_result{false, sent.error().detail};
    http::post_options opts;
    opts.send_soap_action = true;
    opts.max_response_bytes = max_response_bytes_;
    if (auto tls = http::prepare_tls(tls_, opts, to); !tls) co_return routing::push_result{false, tls.error().detail};
    auto reply = co_await http::post(*endpoint, std::move(*sent), opts, std::chrono::steady_clock::now() + timeout);
    if (auto* failed = std::get_if<http::client_failure>(&reply))
        co_return routing::push_result{false, http::push_failure(*failed, timeout)};
    const auto& res = std::get<http::response>(reply);
    if (to.kind == point_kind::gateway) {
        if (auto checked = co_await check_peer_answer(to, res.body()); !checked)
            co_return routing::push_result{false, fmt::format("the answer of peer gateway \"{}\" (HTTP {}): {}", to.id,
                                                              res.result_int(), checked.error().detail),
                                           static_cast<int>(res.result_int())};
    }
    auto verdict = read_push_reply(res.body(), expected);
    if (verdict.delivered && res.result_int() != 200)
        co_return routing::push_result{false, fmt::format("HTTP {}", res.result_int()), static_cast<int>(res.result_int())};
    if (!verdict.delivered) verdict.reason = fmt::format("HTTP {}: {}", res.result_int(), verdict.reason);
    co_return routing::push_result{verdict.delivered, std::move(verdict.reason), static_cast<int>(res.result_int())};
}

} // namespace qaqpa::soap
