#pragma once
// The admin listener's HTTP face. GET /health is open (for probes); every
// other path requires "Authorization: Bearer <token>" (401 otherwise). The
// admin API grows here (delivery-point control, registry, journals, metrics).

#include "core/async.hpp"
#include "transports/http/server.hpp"

#include <string>

namespace qaqpa::http {

class admin_endpoint final : public handler {
public:
    explicit admin_endpoint(std::string token) : token_(std::move(token)) {}

    task<response> handle(request& req) override;

    /// Constant-time check of an Authorization header value.
    bool authorized(std::string_view authorization) const noexcept;

private:
    std::string token_;
};

} // namespace qaqpa::http
