#pragma once
// The asynchronous channel's HTTP face (/bip-async/): POST one of the four
// operations, GET ?wsdl. Parses, hands the operation to
// routing::async_gateway, writes the answer or the operation's fault.

#include "core/async.hpp"
#include "routing/async_gateway.hpp"
#include "routing/request_probe.hpp"
#include "transports/soap/async_codec.hpp"
#include "transports/http/server.hpp"

namespace qaqpa::soap {

class async_endpoint {
public:
    /// `signed_endpoint`: /bip-async-wss-gost/, where every call carries its
    /// caller's signature and the answers are signed when `security` says so.
    async_endpoint(routing::async_gateway& gateway, routing::request_probe& probe, bool signed_endpoint = false,
                   const routing::transport_security* security = nullptr)
        : gateway_(gateway), probe_(probe), signed_endpoint_(signed_endpoint), security_(security) {}

    task<http::response> handle(http::request& req);

private:
    /// The answer to one operation (`op` says which, once parsed); `fault`
    /// says which fault it is.
    /// `to_peer`: the caller is a peer gateway, whose answer is a signed hop with these keys.
    task<http::response> call(http::request& req, async_operation& op, std::optional<failure>& fault,
                              std::optional<hop_keys>& to_peer);

    routing::async_gateway& gateway_;
    routing::request_probe& probe_;
    bool signed_endpoint_;
    const routing::transport_security* security_;
};

} // namespace qaqpa::soap
