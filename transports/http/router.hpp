#pragma once
// Dispatches requests by path pattern (and, where a route names one, by
// method) to the handler that owns it. A pattern's `{name}` segment matches
// any one non-empty segment and is handed to the handler ("/dp/{id}/on").
// Paths match with or without a trailing slash ("/bip-sync" and "/bip-sync/"
// are one route). No route: 404; a route for the path but not the method:
// 405 with Allow. Filled in once before the listener starts; read-only
// afterwards.

#include "core/async.hpp"
#include "transports/http/server.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qaqpa::http {

/// The `{name}` segments a request's path matched.
class path_params {
public:
    /// The segment `name` matched; empty when the pattern has none.
    std::string_view operator[](std::string_view name) const noexcept;
    void add(std::string_view name, std::string_view value) { values_.emplace_back(name, value); }

private:
    std::vector<std::pair<std::string_view, std::string_view>> values_;
};

class router final : public handler {
public:
    using route_fn = std::function<task<response>(request&, const path_params&)>;

    /// Adds a route; the same pattern and method twice is an error. Without
    /// a method the route takes them all.
    result<void> add(std::string pattern, route_fn fn, std::optional<beast_http::verb> method = std::nullopt);

    task<response> handle(request& req) override;

private:
    struct route {
        std::string pattern;
        bool has_params = false; ///< without, the path is compared whole (no split on the hot path)
        std::vector<std::string> segments;
        std::optional<beast_http::verb> method;
        route_fn fn;
    };
    static bool match(const route& r, const std::vector<std::string_view>& parts, path_params& params);
    std::vector<route> routes_;
};

} // namespace qaqpa::http
