#pragma once
// The synchronous channel's decision-making (PROTOCOL.md "Synchronous
// channel"): authenticate, authorise, resolve the delivery point, stamp the
// gateway sessionId, forward with the delivery point's credentials, relay.
//
// Lifecycle: constructed once by cmd/, outlives the listeners that call it.
// Thread safety: send() may run concurrently on every io_context thread.

#include "core/async.hpp"
#include "core/envelope.hpp"
#include "routing/authenticator.hpp"
#include "routing/policies/throttle_table.hpp"
#include "routing/provider.hpp"
#include "routing/registry_view.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
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
/// delivery point's credentials in place of the caller's password.
sync_request forwarded_request(sync_request req, const delivery_point& dp, const std::string& session_id);

class sync_gateway {
public:
    /// `switched_off` says why a point is switched off (nullopt while on);
    /// calls to a point that is off are refused. Empty: every point is on.
    using off_check = std::function<std::optional<std::string>(std::string_view point)>;
    /// `throttles` is shared with the delivery engine: both channels count
    /// in the same windows.
    sync_gateway(const registry_holder& registry, authenticator& auth, provider_client& remote,
                 throttle_table& throttles, sync_limits limits, off_check switched_off = {});

    task<sync_outcome> send(sync_request req);

private:
    const registry_holder& registry_;
    authenticator& auth_;
    provider_client& remote_;
    echo_provider echo_;
    sync_limits limits_;
    throttle_table& throttles_;
    off_check switched_off_;
};

} // namespace qaqpa::routing
