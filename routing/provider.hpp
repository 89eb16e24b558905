#pragma once
// What routing/ needs from a service provider: send it a SendMessage and get
// its answer. Transports implement it (SOAP over HTTP); the built-in echo
// implements it in-process. Keeping the interface here lets routing/ call
// providers without including transports/.

#include "core/async.hpp"
#include "core/envelope.hpp"
#include "core/registry.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <variant>

namespace qaqpa::routing {

/// The provider's answer, or the fault the caller will see.
using provider_result = std::variant<sync_response, gateway_fault>;

class provider_client {
public:
    virtual ~provider_client() = default;

    /// Sends `req` to `dp` and waits at most `timeout` for the answer.
    /// Never throws: every failure is a gateway_fault with a catalog code.
    virtual task<provider_result> send(const delivery_point& dp, const sync_request& req,
                                                         std::chrono::milliseconds timeout) = 0;
};

/// The built-in echo service ("builtin:echo"): answers every request with
/// its own payload, so a newcomer can try the gateway without a provider.
class echo_provider final : public provider_client {
public:
    task<provider_result> send(const delivery_point& dp, const sync_request& req,
                                                 std::chrono::milliseconds timeout) override;
};

} // namespace qaqpa::routing
