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
    async_endpoint(routing::async_gateway& gateway, routing::request_probe& probe) : gateway_(gateway), probe_(probe) {}

    task<http::response> handle(http::request& req);

private:
    /// The answer to one operation (`op` says which, once parsed); `fault`
    /// says which fault it is.
    task<http::response> call(http::request& req, async_operation& op, std::optional<failure>& fault);

    routing::async_gateway& gateway_;
    routing::request_probe& probe_;
};

} // namespace qaqpa::soap
