#include "transports/admin/admin_api.hpp"

#include "core/utf8.hpp"
#include "crypto/hmac.hpp"
#include "transports/admin/admin_failure.hpp"
#include "transports/admin/journal_routes.hpp"
#include "transports/admin/message_routes.hpp"
#include "transports/admin/openapi.hpp"
#include "transports/admin/prometheus.hpp"

#include <boost/json.hpp>

namespace qaqpa::admin {

using http::beast_http::verb;
using http::status;

admin_api::admin_api(std::string token, routing::point_control& points, routing::message_control& messages,
                     std::function<std::string()> problem, const metrics_registry& metrics, journal_reader& journal,
                     std::function<task<void>()> refresh)
    : token_(std::move(token)), points_(points), messages_(messages), problem_(std::move(problem)), metrics_(metrics),
      journal_(journal), refresh_(std::move(refresh)) {
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
        if (refresh_) co_await refresh_();
        co_return http::make_response(req, status::ok, prometheus_content_type, prometheus_text(metrics_));
    }, verb::get);
    (void)routes_.add("/readyz", [this](http::request& req, const http::path_params&) -> task<http::response> {
        const auto problem = problem_ ? problem_() : std::string();
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
                      [this](http::request& req, const http::path_params&) { return journal_rows(req, journal_); },
                      verb::get);
    (void)routes_.add("/admin/v1/journal/head", [this](http::request& req, const http::path_params&) -> task<http::response> {
        co_return journal_head(req, journal_);
    }, verb::get);
    (void)routes_.add("/admin/v1/messages/redeliver",
                      [this](http::request& req, const http::path_params&) { return redeliver_messages(req, messages_); },
                      verb::post);
    (void)routes_.add("/admin/v1/messages",
                      [this](http::request& req, const http::path_params&) { return show_chain(req, messages_, journal_); },
                      verb::get);
    (void)routes_.add("/admin/v1/messages/{id}", [this](http::request& req, const http::path_params& p) {
        return show_message(req, std::string(p["id"]), messages_, journal_);
    }, verb::get);
    (void)routes_.add("/admin/v1/messages/{id}/redeliver", [this](http::request& req, const http::path_params& p) {
        return redeliver_message(req, std::string(p["id"]), messages_);
    }, verb::post);
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
    auto changed = co_await points_.switch_point(id, on, "switched off by the administrator");
    if (!changed) co_return admin_failure(req, changed.error());
    boost::json::object body{{"id", id}, {"enabled", on}, {"changed", *changed}};
    co_return http::make_response(req, status::ok, "application/json", boost::json::serialize(body));
}

task<http::response> admin_api::point_state(http::request& req, std::string_view id_view) {
    auto s = co_await points_.state(std::string(id_view));
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
