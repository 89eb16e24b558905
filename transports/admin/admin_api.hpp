#pragma once
// The admin listener's API (its own transport, apart from the public
// channels). GET /health and /healthz (alive) and GET /readyz (ready for
// new messages: 503 naming the problem while the store cannot write) are
// open, for probes; every other route requires "Authorization: Bearer
// <token>" (401 otherwise):
//   GET /metrics           the metrics registry, Prometheus text format
//   GET /admin/v1/delivery-points/{id}/state   on/off, why, queue depth, PUSH counters
//   POST /admin/v1/delivery-points/{id}/on|off (the same as /dp/{id}/on|off)
//   POST /dp/{id}/on|off   switch delivery to a point on or off (200, JSON)
//   GET /admin/v1/journal, /admin/v1/journal/head   the logging journal (journal_routes.hpp)
//   GET /admin/v1/messages/{id}, ?correlationId=, POST .../redeliver   messages (message_routes.hpp)
//   GET /admin/v1/incidents, GET|PATCH /admin/v1/incidents/{id}   the incident journal (incident_routes.hpp)
//   GET|POST /admin/v1/{systems,delivery-points,services,access}, GET|PUT|DELETE …/{id}
//                          the live registry (registry_routes.hpp)
//   GET /admin/v1/openapi.json   all of it in OpenAPI 3 (openapi.hpp)
// Errors are JSON with a catalog code. The operator's API (registry,
// journals, metrics) grows here, one route per operation.
//
// Lifecycle: constructed by cmd/ before the admin listener starts.
// Thread safety: handle() runs on every event loop at once; it keeps no state.

#include "core/async.hpp"
#include "core/journal.hpp"
#include "core/metrics.hpp"
#include "routing/incident_control.hpp"
#include "routing/message_control.hpp"
#include "routing/registry_control.hpp"
#include "routing/point_control.hpp"
#include "transports/http/router.hpp"

#include <functional>
#include <string>

namespace qaqpa::admin {

/// What the admin API reads and steers; each part outlives the API.
struct admin_surface {
    routing::point_control& points;
    routing::message_control& messages;
    routing::incident_control& incidents;
    routing::registry_control& registry;
    journal_reader& journal;
    const metrics_registry& metrics;
    /// Why the node cannot take new messages now ("" when it can).
    std::function<std::string()> problem;
    /// Brings the gauges read at scrape time (queue depths, points on/off)
    /// up to date before /metrics answers.
    std::function<task<void>()> refresh;
};

class admin_api final : public http::handler {
public:
    admin_api(std::string token, admin_surface surface);

    task<http::response> handle(http::request& req) override;

    /// Constant-time check of an Authorization header value.
    bool authorized(std::string_view authorization) const noexcept;

private:
    task<http::response> switch_point(http::request& req, std::string_view id, bool on);
    task<http::response> point_state(http::request& req, std::string_view id);

    std::string token_;
    admin_surface s_;
    http::router routes_;
};

} // namespace qaqpa::admin
