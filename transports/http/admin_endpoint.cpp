#include "transports/http/admin_endpoint.hpp"

#include "core/async.hpp"
#include "crypto/hmac.hpp"

#include <boost/json.hpp>

namespace qaqpa::http {

bool admin_endpoint::authorized(std::string_view authorization) const noexcept {
    constexpr std::string_view scheme = "Bearer ";
    if (!authorization.starts_with(scheme) || token_.empty()) return false;
    const auto given = authorization.substr(scheme.size());
    return crypto::equal_constant_time(given, token_);
}

task<response> admin_endpoint::handle(request& req) {
    const auto path = target_path(req.target());
    if (path == "/health" && req.method() == beast_http::verb::get)
        co_return make_response(req, status::ok, "application/json", R"({"status":"ok"})");
    if (!authorized(req[beast_http::field::authorization])) {
        auto res = json_error(req, status::unauthorized, "UNAUTHORIZED", "a valid bearer token is required");
        res.set(beast_http::field::www_authenticate, "Bearer");
        co_return res;
    }
    if (path.starts_with("/dp/") && engine_) co_return co_await switch_point(req, path.substr(4));
    co_return json_error(req, status::not_found, "NOT_FOUND", "no admin resource at " + std::string(path));
}

task<response> admin_endpoint::switch_point(request& req, std::string_view rest) {
    // rest: "{id}/on" or "{id}/off"
    const auto slash = rest.rfind('/');
    const auto action = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    const std::string id(slash == std::string_view::npos ? rest : rest.substr(0, slash));
    if (id.empty() || (action != "on" && action != "off"))
        co_return json_error(req, status::not_found, "NOT_FOUND", "use POST /dp/{id}/on or /dp/{id}/off");
    if (req.method() != beast_http::verb::post) {
        auto res = json_error(req, status::method_not_allowed, "METHOD_NOT_ALLOWED", "use POST");
        res.set(beast_http::field::allow, "POST");
        co_return res;
    }
    const bool on = action == "on";
    auto changed = co_await engine_->switch_point(id, on, "switched off by the administrator");
    if (!changed) {
        if (changed.error().code == errc::unknown_point)
            co_return json_error(req, status::not_found, "UNKNOWN_DELIVERY_POINT", changed.error().detail);
        co_return json_error(req, status::internal_server_error, "INTERNAL_ERROR", changed.error().detail);
    }
    boost::json::object body{{"id", id}, {"enabled", on}, {"changed", *changed}};
    co_return make_response(req, status::ok, "application/json", boost::json::serialize(body));
}

} // namespace qaqpa::http
