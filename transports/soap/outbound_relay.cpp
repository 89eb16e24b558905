#include "transports/soap/outbound_client.hpp"

#include "core/async.hpp"
#include "transports/http/client.hpp"
#include "transports/soap/envelope.hpp"
#include "transports/soap/sync_codec.hpp"

#include <fmt/format.h>

namespace qaqpa::soap {
namespace {

gateway_fault fault(errc code, std::string detail) { return gateway_fault{fail(code, std::move(detail)), nullptr}; }

} // namespace

result<std::string> soap_outbound_client::as_point_wants(const outbound_target& to, std::string body) const {
    if (to.security_mode < 1 && to.encrypt_to.empty()) return body;
    if (!security_) return fail(errc::internal, "the gateway's transport security is not set up");
    if (to.security_mode >= 1) {
        if (!security_->can_sign(&to.hop))
            return fail(errc::internal, fmt::format("delivery point \"{}\" has security_mode {} but the gateway has no "
                                                    "signing key ([security] gateway_cert, gateway_key)", to.id, to.security_mode));
        auto s = security_->sign(body, &to.hop);
        if (!s) return s.error();
        body = std::move(*s);
    }
    // signed first, then encrypted: the point verifies what it decrypts
    if (!to.encrypt_to.empty()) return security_->encrypt_for(to.encrypt_to, body);
    return body;
}

task<result<void>> soap_outbound_client::check_peer_answer(const outbound_target& peer, const std::string& text) const {
    soap_version version = soap_version::v11;
    auto body = parse_envelope(text, version);
    if (!body) co_return body.error();
    routing::caller_envelope envelope;
    envelope.text = text;
    envelope.body = body_span_of(*body, text);
    envelope.signed_endpoint = true; // the hop's signature is required
    system_entry as_system;
    as_system.id = peer.id;
    as_system.bin = peer.peer_bin;
    auto checked = co_await routing::check_signature(security_, &envelope, as_system, &peer.hop);
    if (!checked) co_return checked.error();
    co_return result<void>{};
}

task<routing::provider_result> soap_outbound_client::relay(const outbound_target& dp, const sync_request& req,
                                                           std::chrono::milliseconds timeout) {
    const auto& to = dp.endpoint;
    if (!to) co_return fault(errc::internal, "delivery point \"" + dp.id + "\" has an unusable URL");
    http::post_options opts;
    opts.send_soap_action = true;
    opts.max_response_bytes = max_response_bytes_;
    if (auto tls = http::prepare_tls(tls_, opts, dp); !tls) co_return fault(errc::provider_unreachable, tls.error().detail);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto body = as_point_wants(dp, build_sync_request(req));
    if (!body) co_return gateway_fault{body.error(), nullptr};
    auto reply = co_await http::post(*to, std::move(*body), opts, deadline);

    if (auto* failed = std::get_if<http::client_failure>(&reply))
        co_return gateway_fault{http::relay_failure(*failed, dp.id, timeout), nullptr};
    const auto& res = std::get<http::response>(reply);
    if (dp.kind == point_kind::gateway) {
        if (auto checked = co_await check_peer_answer(dp, res.body()); !checked) {
            auto why = checked.error();
            why.detail = fmt::format("the answer of peer gateway behind \"{}\" (HTTP {}): {}", dp.id, res.result_int(), why.detail);
            co_return gateway_fault{std::move(why), nullptr};
        }
    }
    auto answer = parse_sync_reply(res.body());
    if (auto* f = std::get_if<gateway_fault>(&answer); f && f->cause.code == errc::provider_bad_response)
        f->cause.detail = fmt::format("\"{}\" answered HTTP {}: {}", dp.id, res.result_int(), f->cause.detail);
    co_return answer;
}

} // namespace qaqpa::soap
