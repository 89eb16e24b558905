#pragma once
// The REST channel's HTTP face (README "REST channel"): POST a JSON mirror of
// an operation under paths.rest, get its JSON answer or a JSON ErrorInfo
// with an HTTP status that says what kind of failure it is. Parses, hands
// the request to the same routing::sync_gateway and async_gateway as SOAP,
// writes the answer. The sender is the body's `sender`, or HTTP Basic.

#include "core/async.hpp"
#include "routing/async_gateway.hpp"
#include "routing/request_probe.hpp"
#include "routing/sync_gateway.hpp"
#include "transports/http/message.hpp"
#include "transports/http/router.hpp"

#include <string>

namespace qaqpa::rest {

class rest_endpoint {
public:
    /// `base`: paths.rest, for the OpenAPI document's server address.
    rest_endpoint(routing::sync_gateway& sync, routing::async_gateway& async, routing::request_probe& probe,
                  int pull_batch_max, std::string base);

    /// `operation`: the operation kind the path names.
    task<http::response> handle(http::request& req, routing::operation_kind operation);

    /// GET {rest}openapi.json.
    http::response openapi(const http::request& req) const;

    /// Adds the channel's routes under `base` (paths.rest): POST
    /// sync/SendMessage, async/{sendMessage, getMessages,
    /// sendDeliveryNotification, getMessageStatus}; GET openapi.json.
    result<void> mount(http::router& router, const std::string& base);

private:
    task<http::response> call(http::request& req, routing::operation_kind operation, std::optional<failure>& fault);

    routing::sync_gateway& sync_;
    routing::async_gateway& async_;
    routing::request_probe& probe_;
    int pull_batch_max_;
    std::string openapi_;
};

/// The HTTP status of a failure on the REST channel: the caller's mistakes
/// 4xx (400 malformed, 401 not authenticated, 403 not allowed, 404 unknown,
/// 409 wrong state, 429 slow down), the gateway's and providers' 5xx.
http::status status_of(errc code) noexcept;

/// The JSON ErrorInfo answer for `f`.
http::response error_response(const http::request& req, const gateway_fault& f, std::string session_id);

} // namespace qaqpa::rest
