#pragma once
// The admin listener's HTTP face. GET /health is open (for probes); every
// other path requires "Authorization: Bearer <token>" (401 otherwise):
//   POST /dp/{id}/on|off   switch delivery to a point on or off (200, JSON)
// The admin API grows here (registry, journals, metrics).

#include "core/async.hpp"
#include "routing/delivery_engine.hpp"
#include "transports/http/server.hpp"

#include <string>

namespace qaqpa::http {

class admin_endpoint final : public handler {
public:
    admin_endpoint(std::string token, routing::delivery_engine* engine = nullptr)
        : token_(std::move(token)), engine_(engine) {}

    task<response> handle(request& req) override;

    /// Constant-time check of an Authorization header value.
    bool authorized(std::string_view authorization) const noexcept;

private:
    task<response> switch_point(request& req, std::string_view rest);

    std::string token_;
    routing::delivery_engine* engine_;
};

} // namespace qaqpa::http
