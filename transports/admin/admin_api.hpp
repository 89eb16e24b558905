#pragma once
// The admin listener's API (its own transport, apart from the public
// channels). GET /health is open (for probes); every other route requires
// "Authorization: Bearer <token>" (401 otherwise):
//   POST /dp/{id}/on|off   switch delivery to a point on or off (200, JSON)
// Errors are JSON with a catalog code. The operator's API (registry,
// journals, metrics) grows here, one route per operation.
//
// Lifecycle: constructed by cmd/ before the admin listener starts.
// Thread safety: handle() runs on every event loop at once; it keeps no state.

#include "core/async.hpp"
#include "routing/point_control.hpp"
#include "transports/http/router.hpp"

#include <string>

namespace qaqpa::admin {

class admin_api final : public http::handler {
public:
    admin_api(std::string token, routing::point_control& points);

    task<http::response> handle(http::request& req) override;

    /// Constant-time check of an Authorization header value.
    bool authorized(std::string_view authorization) const noexcept;

private:
    task<http::response> switch_point(http::request& req, std::string_view id, bool on);

    std::string token_;
    routing::point_control& points_;
    http::router routes_;
};

} // namespace qaqpa::admin
