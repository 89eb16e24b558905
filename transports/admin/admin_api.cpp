#include "transports/admin/admin_api.hpp"

#include "core/utf8.hpp"
#include "crypto/hmac.hpp"
#include "transports/admin/admin_failure.hpp"
#include "transports/admin/incident_routes.hpp"
#include "transports/admin/journal_routes.hpp"
#include "transports/admin/message_routes.hpp"
#include "transports/admin/openapi.hpp"
#include "transports/admin/prometheus.hpp"
#include "transports/admin/registry_routes.hpp"

#include <boost/json.hpp>

namespace qaqpa::admin {

using http::beast_http::verb;
using http::status;

admin_api::admin_api(std::string token, admin_surface surface) : token_(std::move(token)), s_(std::move(surface)) {
    auto post_switch = [this](bool on) {
        return [this, on](http::request& req, const http::path_params& p) { return switch_point(req, p["id"], on); };
    };
    // Registered once, here; a failure would be a defect in this list.
    const auto alive = [](http::request& req, const http::path_params&) -> task<http::response> {
        co_return http::make_response(req, status::ok, "application/json", R"({"status":"ok"})");
    };
    (void)routes_.add("/health", alive, verb::get);
    (void)routes_.add("/healthz", alive, verb::get);
    (void)routes_.add("/metrics", [this](http::request& req, const http::path_params&) -> task<http::response> {
        if (s_.refresh) co_await s_.refresh();
        co_return http::make_response(req, status::ok, prometheus_content_type, prometheus_text(s_.metrics));
    }, verb::get);
    (void)routes_.add("/readyz", [this](http::request& req, const http::path_params&) -> task<http::response> {
        const auto problem = s_.problem ? s_.problem() : std::string();
        if (problem.empty())
            co_return http::make_response(req, status::ok, "application/json", R"({"status":"ready"})");
        const boost::json::object body{{"status", "unavailable"}, {"problem", to_valid_utf8(problem)}};
        co_return http::make_response(req, status::service_unavailable, "application/json", boost::json::serialize(body));
    }, verb::get);
    (void)routes_.add("/dp/{id}/on", post_switch(true), verb::post);
    (void)routes_.add("/dp/{id}/off", post_switch(false), verb::post);
    (void)routes_.add("/admin/v1/delivery-points/{id}/on", post_switch(true), verb::post);
    (void)routes_.add("/admin/v1/delivery-points/{id}/off", post_switch(false), verb::post);
    (void)routes_.add("/admin/v1/openapi.json", [](http::request& req, const http::path_params&) -> task<http::response> {
        co_return http::make_response(req, status::ok, "application/json", std::string(openapi_document()));
    }, verb::get);
    (void)routes_.add("/admin/v1/journal",
                      [this](http::request& req, const http::path_params&) { return journal_rows(req, s_.journal); },
                      verb::get);
    (void)routes_.add("/admin/v1/journal/head", [this](http::request& req, const http::path_params&) -> task<http::response> {
        co_return journal_head(req, s_.journal);
    }, verb::get);
    (void)routes_.add("/admin/v1/messages/redeliver",
                      [this](http::request& req, const http::path_params&) { return redeliver_messages(req, s_.messages); },
                      verb::post);
    (void)routes_.add("/admin/v1/messages",
                      [this](http::request& req, const http::path_params&) { return show_chain(req, s_.messages, s_.journal); },
                      verb::get);
    (void)routes_.add("/admin/v1/messages/{id}", [this](http::request& req, const http::path_params& p) {
        return show_message(req, std::string(p["id"]), s_.messages, s_.journal);
    }, verb::get);
    (void)routes_.add("/admin/v1/messages/{id}/redeliver", [this](http::request& req, const http::path_params& p) {
        return redeliver_message(req, std::string(p["id"]), s_.messages);
    }, verb::post);
    (void)routes_.add("/admin/v1/incidents",
                      [this](http::request& req, const http::path_params&) { return list_incidents(req, s_.incidents); },
                      verb::get);
    (void)routes_.add("/admin/v1/incidents/{id}", [this](http::request& req, const http::path_params& p) {
        return show_incident(req, std::string(p["id"]), s_.incidents);
    }, verb::get);
    (void)routes_.add("/admin/v1/incidents/{id}", [this](http::request& req, const http::path_params& p) {
        return update_incident(req, std::string(p["id"]), s_.incidents);
    }, verb::patch);
    add_registry_routes(routes_, s_.registry);
    (void)routes_.add("/admin/v1/delivery-points/{id}/state",
                      [this](http::request& req, const http::path_params& p) { return point_state(req, p["id"]); },
                      verb::get);
}

bool admin_api::authorized(std::string_view authorization) const noexcept {
    constexpr std::string_view scheme = "Bearer ";
    if (!authorization.starts_with(scheme) || token_.empty()) return false;
    return crypto::equal_constant_time(authorization.substr(scheme.size()), token_);
}

task<http::response> admin_api::handle(http::request& req) {
    const auto path = http::target_path(req.target());
    const bool open = (path == "/health" || path == "/healthz" || path == "/readyz") && req.method() == verb::get;
    if (!open && !authorized(req[http::beast_http::field::authorization])) {
        auto res = http::json_error(req, status::unauthorized, describe(errc::unauthorized).code,
                                    "a valid bearer token is required");
        res.set(http::beast_http::field::www_authenticate, "Bearer");
        co_return res;
    }
    co_return co_await routes_.handle(req);
}

task<http::response> admin_api::switch_point(http::request& req, std::string_view id_view, bool on) {
    const std::string id(id_view);
    auto changed = co_await s_.points.switch_point(id, on, "switched off by the administrator");
    if (!changed) co_return admin_failure(req, changed.error());
    boost::json::object body{{"id", id}, {"enabled", on}, {"changed", *changed}};
    co_return http::make_response(req, status::ok, "application/json", boost::json::serialize(body));
}

task<http::response> admin_api::point_state(http::request& req, std::string_view id_view) {
    auto s = co_await s_.points.state(std::string(id_view));
    if (!s) co_return admin_failure(req, s.error());
    boost::json::object body{{"id", s->id},
                             {"enabled", s->on},
                             {"queueDepth", s->queue_depth},
                             {"attempts", s->attempts},
                             {"failures", s->failures},
                             {"throttledWaits", s->throttled_waits},
                             {"inFlight", s->in_flight}};
    if (!s->on) body["reason"] = to_valid_utf8(s->reason);
    co_return http::make_response(req, status::ok, "application/json", boost::json::serialize(body));
}

} // namespace qaqpa::admin
