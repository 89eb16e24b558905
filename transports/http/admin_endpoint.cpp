#include "transports/http/admin_endpoint.hpp"

#include "core/async.hpp"
#include <openssl/crypto.h>

namespace qaqpa::http {

bool admin_endpoint::authorized(std::string_view authorization) const noexcept {
    constexpr std::string_view scheme = "Bearer ";
    if (!authorization.starts_with(scheme) || token_.empty()) return false;
    const auto given = authorization.substr(scheme.size());
    return given.size() == token_.size() && CRYPTO_memcmp(given.data(), token_.data(), token_.size()) == 0;
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
    co_return json_error(req, status::not_found, "NOT_FOUND", "no admin resource at " + std::string(path));
}

} // namespace qaqpa::http
