#pragma once
// What routing/ needs from the clients that call out: relay a synchronous
// call to a provider, and PUSH one queued record (a message or a status
// notification) to a recipient. One client per delivery point kind
// (core/outbound.hpp), found in an outbound_table that cmd/ fills in one
// place; routing/ stays free of sockets and codecs.

#include "core/async.hpp"
#include "core/envelope.hpp"
#include "core/errors.hpp"
#include "core/outbound.hpp"

#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <variant>

namespace qaqpa::routing {

/// The provider's answer, or the fault the caller will see.
using provider_result = std::variant<sync_response, gateway_fault>;

struct push_result {
    bool delivered = false;
    std::string reason; ///< why not: connect error, timeout, HTTP status, fault, bad reply
    int http_status = 0; ///< the recipient's HTTP status, when it answered (for the journal)
};

class outbound_client {
public:
    virtual ~outbound_client() = default;

    /// Sends `req` (already carrying the gateway's sessionId and the
    /// target's credentials) and waits at most `timeout` for the answer.
    /// Never throws: every failure is a gateway_fault with a catalog code.
    virtual task<provider_result> relay(const outbound_target& to, const sync_request& req,
                                        std::chrono::milliseconds timeout) = 0;

    /// One PUSH attempt of `m`, bounded by `timeout`; `session_id` is the
    /// gateway's for this attempt. Never throws.
    virtual task<push_result> push(const outbound_target& to, const outbound_message& m, std::string_view session_id,
                                   std::chrono::milliseconds timeout) = 0;
};

/// The outbound client of each kind. Filled once, before the node serves;
/// read-only afterwards (so shared by every thread without a lock).
class outbound_table {
public:
    /// A kind registered twice is an error.
    result<void> add(point_kind kind, outbound_client& client);
    /// Null when no client serves the kind (the call then fails, named).
    outbound_client* find(point_kind kind) const noexcept;

private:
    std::array<outbound_client*, 4> clients_{};
};

/// A failure for a kind nobody serves.
std::string no_client_for(point_kind kind);

/// The built-in kind ("builtin:echo"): relays answer with the request's own
/// payload, PUSHes are taken at once. Lets a newcomer try the gateway without
/// a provider.
class builtin_client final : public outbound_client {
public:
    task<provider_result> relay(const outbound_target& to, const sync_request& req,
                                std::chrono::milliseconds timeout) override;
    task<push_result> push(const outbound_target& to, const outbound_message& m, std::string_view session_id,
                           std::chrono::milliseconds timeout) override;
};

} // namespace qaqpa::routing
