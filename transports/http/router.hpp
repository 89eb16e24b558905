#pragma once
// Dispatches requests by path to the channel that owns it. Paths match with
// or without a trailing slash ("/bip-sync" and "/bip-sync/" are one channel).
// Filled in once by cmd/ before the listener starts; read-only afterwards.

#include "core/async.hpp"
#include "transports/http/server.hpp"

#include <functional>
#include <string>
#include <vector>

namespace qaqpa::http {

class router final : public handler {
public:
    using route_fn = std::function<task<response>(request&)>;

    /// Adds a route; a path registered twice is an error.
    result<void> add(std::string path, route_fn fn);

    task<response> handle(request& req) override;

private:
    std::vector<std::pair<std::string, route_fn>> routes_;
};

} // namespace qaqpa::http
