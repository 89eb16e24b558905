#pragma once
// The synchronous channel's decision-making (PROTOCOL.md "Synchronous
// channel"): authenticate, authorise, resolve the delivery point, stamp the
// gateway sessionId, forward with the delivery point's credentials, relay.
//
// Lifecycle: constructed once by cmd/, outlives the listeners that call it.
// Thread safety: send() may run concurrently on every io_context thread.

#include "core/async.hpp"
#include "core/envelope.hpp"
#include "core/journal.hpp"
#include "routing/authenticator.hpp"
#include "routing/gateway_probe.hpp"
#include "routing/policies/throttle_table.hpp"
#include "routing/outbound.hpp"
#include "routing/point_states.hpp"
#include "routing/registry_view.hpp"
#include "routing/transport_security.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <variant>

namespace qaqpa::routing {

struct sync_limits {
    int sync_timeout_ms = 60000; ///< regulation bound on one call
};

struct sync_outcome {
    std::string session_id; ///< "{guid}", the same on the answer and the fault
    std::variant<sync_response, gateway_fault> answer;
    /// The caller is a peer gateway: its hop back (the answer or the fault)
    /// is signed as this node, as its call was, with these keys.
    std::optional<hop_keys> hop = std::nullopt;
};

/// Where a request goes and how long the caller may wait for it.
struct sync_route {
    const delivery_point* point = nullptr;
    std::chrono::milliseconds timeout{0};
    /// The caller's effective policy (its throttle and the window it counts
    /// in); owned by the registry snapshot the route was resolved in.
    const call_policy* policy = nullptr;
};

/// Authorisation and route resolution, without I/O: unit-testable.
result<sync_route> resolve_sync_route(const registry_view& view, const system_entry& caller,
                                      const sync_request_info& info, const sync_limits& limits);

/// The request as the provider receives it: the gateway's sessionId and the
/// target's credentials (the point's, or this node's login at a peer) in
/// place of the caller's password. Towards a peer gateway it also carries
/// the trace id and the first sender (`caller`), unless it already does.
sync_request forwarded_request(sync_request req, const outbound_target& to, const std::string& session_id,
                               std::string_view caller);

class sync_gateway {
public:
    /// `throttles` and `points` are shared with the delivery engine: both
    /// channels count in the same windows, and a point that is off refuses
    /// both. Calls go out through the client of the point's kind.
    sync_gateway(const registry_holder& registry, authenticator& auth, const outbound_table& clients,
                 throttle_table& throttles, const point_states& points, sync_limits limits,
                 metrics_registry& metrics, journal_sink& journal, const transport_security* security = nullptr);

    /// `envelope`: the caller's envelope as received, for its transport
    /// signature (transport_security.hpp); it must outlive the call.
    task<sync_outcome> send(sync_request req, const caller_envelope* envelope = nullptr);

private:
    /// The call itself; `e` learns the delivery point.
    task<sync_outcome> relay(sync_request req, const caller_envelope* envelope, journal_event& e);

    const registry_holder& registry_;
    authenticator& auth_;
    const outbound_table& clients_;
    sync_limits limits_;
    throttle_table& throttles_;
    const point_states& points_;
    gateway_probe probe_;
    journal_sink& journal_;
    const transport_security* security_;
};

} // namespace qaqpa::routing
