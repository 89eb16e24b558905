#pragma once
// The asynchronous channel's HTTP face (/bip-async/): POST one of the four
// operations, GET ?wsdl. Parses, hands the operation to
// routing::async_gateway, writes the answer or the operation's fault.

#include "core/async.hpp"
#include "routing/async_gateway.hpp"
#include "transports/http/server.hpp"

namespace qaqpa::soap {

class async_endpoint {
public:
    explicit async_endpoint(routing::async_gateway& gateway) : gateway_(gateway) {}

    task<http::response> handle(http::request& req);

private:
    routing::async_gateway& gateway_;
};

} // namespace qaqpa::soap
