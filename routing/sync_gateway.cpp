#include "routing/sync_gateway.hpp"

#include "core/async.hpp"
#include "core/ids.hpp"
#include "routing/message_states.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace qaqpa::routing {

result<sync_route> resolve_sync_route(const registry_view& view, const system_entry& caller,
                                      const sync_request_info& info, const sync_limits& limits) {
    const auto* svc = view.service(info.service_id);
    if (!svc) return fail(errc::unknown_service, "serviceId \"" + info.service_id + "\"");
    if (svc->mode == service_mode::async)
        return fail(errc::wrong_channel, "service \"" + svc->id + "\" is asynchronous only");
    const auto* right = view.access(caller.id, svc->id);
    if (!right) return fail(errc::access_denied, "\"" + caller.id + "\" may not call \"" + svc->id + "\"");

    std::string_view point_id = svc->delivery_point;
    if (info.route_id && !svc->routes.empty()) {
        const auto it = svc->routes.find(*info.route_id);
        if (it == svc->routes.end()) return fail(errc::unknown_route, "routeId \"" + *info.route_id + "\"");
        point_id = it->second;
    }
    if (point_id.empty()) return fail(errc::unknown_route, "service \"" + svc->id + "\" needs a routeId");
    const auto* dp = view.point(point_id);
    if (!dp) return fail(errc::internal, "delivery point \"" + std::string(point_id) + "\" is not registered");

    const auto& policy = view.policy(*dp, caller.id, svc->id);
    const int ms = std::min({svc->timeout_ms, policy.policy.timeout_ms, limits.sync_timeout_ms});
    return sync_route{dp, std::chrono::milliseconds(ms), &policy};
}

sync_request forwarded_request(sync_request req, const outbound_target& to, const std::string& session_id,
                               std::string_view caller) {
    req.info.session_id = session_id;
    if (to.creds) {
        req.info.sender.sender_id = to.creds->login;
        req.info.sender.password = to.creds->password;
    } else {
        req.info.sender.password.reset();
    }
    if (to.kind == point_kind::gateway) mark_for_peer(req.info.properties, session_id, caller);
    return req;
}

sync_gateway::sync_gateway(const registry_holder& registry, authenticator& auth, const outbound_table& clients,
                           throttle_table& throttles, const point_states& points, sync_limits limits,
                           metrics_registry& metrics, journal_sink& journal, const transport_security* security)
    : registry_(registry), auth_(auth), clients_(clients), limits_(limits), throttles_(throttles), points_(points),
      probe_(metrics), journal_(journal), security_(security) {}

task<sync_outcome> sync_gateway::send(sync_request req, const caller_envelope* envelope) {
    const bool journalled = journal_.enabled();
    journal_event e;
    e.kind = journal_event_kind::forwarded;
    e.channel = journal_channel::sync;
    e.transport = transport_of(envelope);
    const auto started = now_ms();
    if (journalled) { // the strings are built only for a sink that keeps them
        e.message_id = req.info.message_id;
        e.correlation_id = req.info.correlation_id.value_or("");
        e.service_id = req.info.service_id;
        e.sender = req.info.sender.sender_id;
        e.received_ms = started;
        e.request_bytes = static_cast<std::int64_t>(req.data.content.size());
    }
    auto out = co_await relay(std::move(req), envelope, e);
    e.at_ms = now_ms();
    e.duration_ms = e.at_ms - started;
    probe_.sync_seconds.observe(static_cast<double>(e.duration_ms) / 1000.0);
    if (const auto* f = std::get_if<gateway_fault>(&out.answer)) {
        probe_.sync_faults.inc();
        if (journalled) {
            set_refusal(e, f->cause);
            // A fault from the provider was still a call forwarded.
            if (f->cause.code == errc::provider_fault) e.kind = journal_event_kind::forwarded;
            e.state = std::string(to_string(message_state::not_delivered));
        }
    } else {
        probe_.sync_calls.inc();
        if (journalled) {
            const auto& res = std::get<sync_response>(out.answer);
            e.sent_ms = e.at_ms;
            e.state = std::string(to_string(message_state::delivered));
            e.response_bytes = static_cast<std::int64_t>(res.data.content.size());
        }
    }
    if (journalled) journal_.record(e);
    co_return out;
}

task<sync_outcome> sync_gateway::relay(sync_request req, const caller_envelope* envelope, journal_event& e) {
    sync_outcome out{braced(new_guid()), gateway_fault{}};
    const auto view = registry_.current();
    auto caller = co_await auth_.authenticate(*view, req.info.sender);
    if (caller)
        if (auto named = check_client_certificate(envelope, **caller); !named) caller = named.error();
    if (!caller) {
        out.answer = gateway_fault{caller.error(), nullptr};
        co_return out;
    }
    out.hop = view->answer_hop(**caller);
    auto route = resolve_sync_route(*view, **caller, req.info, limits_);
    if (!route) {
        out.answer = gateway_fault{route.error(), nullptr};
        co_return out;
    }
    const delivery_point& dp = *route->point;
    std::optional<signature_evidence> evidence;
    if (signature_required(envelope, route->policy->policy.security_mode, **caller)) {
        auto checked = co_await check_signature(security_, envelope, **caller, view->hop_of(**caller));
        if (!checked) {
            out.answer = gateway_fault{checked.error(), nullptr};
            co_return out;
        }
        evidence = std::move(*checked);
    }
    if (journal_.enabled()) {
        e.detail = transport_note(envelope, evidence ? &*evidence : nullptr);
        e.point = dp.id;
        if (const auto* svc = view->service(req.info.service_id)) e.recipient = svc->owner;
        if (dp.journal_payload) e.payload = req.data.content;
    }
    if (auto why = points_.off(dp.id)) {
        out.answer = gateway_fault{fail(errc::point_off, "\"" + dp.id + "\": " + *why), nullptr};
        co_return out;
    }
    // Over its throttle the caller is told at once, never kept waiting on
    // its connection.
    const auto& throttle = route->policy->policy.throttle;
    std::optional<std::int64_t> throttled;
    if (throttle) throttled = co_await throttles_.admit(route->policy->throttle_key, *throttle, now_ms());
    if (throttled) {
        out.answer = gateway_fault{
            fail(errc::throttled, fmt::format("at most {} calls in {} s to \"{}\"", throttle->requests,
                                              throttle->window_s, dp.id)),
            nullptr};
        co_return out;
    }
    std::optional<outbound_target> raised; // the caller's access row may raise the point's mode
    const auto& target = with_security_mode(view->target(dp), route->policy->policy.security_mode, raised);
    auto* client = clients_.find(target.kind);
    if (!client) {
        out.answer = gateway_fault{fail(errc::internal, no_client_for(target.kind)), nullptr};
        co_return out;
    }
    if (journal_.enabled()) { // the id that follows the call through peer gateways (the first hop's session)
        auto trace = property_value(req.info.properties, trace_property);
        if (trace.empty() && target.kind == point_kind::gateway) trace = out.session_id;
        if (!trace.empty()) e.detail += (e.detail.empty() ? "trace " : "; trace ") + std::string(trace);
    }
    const auto caller_id = (*caller)->id;
    auto answer = co_await client->relay(target, forwarded_request(std::move(req), target, out.session_id, caller_id),
                                         route->timeout);
    if (auto* res = std::get_if<sync_response>(&answer)) {
        // a peer's own sessionId stays in this node's journal; the caller sees this node's
        if (target.kind == point_kind::gateway && journal_.enabled() && res->info.session_id)
            e.detail += (e.detail.empty() ? "peer session " : "; peer session ") + *res->info.session_id;
        res->info.session_id = out.session_id;
    }
    out.answer = std::move(answer);
    co_return out;
}

} // namespace qaqpa::routing
