#include "transports/http/router.hpp"

namespace qaqpa::http {
namespace {

std::string_view normalized(std::string_view path) {
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    return path;
}

} // namespace

result<void> router::add(std::string path, route_fn fn) {
    const auto key = std::string(normalized(path));
    for (const auto& [existing, _] : routes_)
        if (existing == key) return fail(errc::internal, "path " + path + " is served twice");
    routes_.emplace_back(key, std::move(fn));
    return {};
}

task<response> router::handle(request& req) {
    const auto path = normalized(target_path(req.target()));
    for (auto& [key, fn] : routes_)
        if (key == path) co_return co_await fn(req);
    co_return json_error(req, status::not_found, "NOT_FOUND", "no channel at " + std::string(path));
}

} // namespace qaqpa::http
