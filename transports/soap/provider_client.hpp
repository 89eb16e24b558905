#pragma once
// Calls a provider's SendMessage over SOAP 1.1/HTTP (Content-Type text/xml,
// SOAPAction ""), and maps what comes back to the gateway's catalog.
//
// Thread safety: stateless; connections come from the calling thread's pool.

#include "core/async.hpp"
#include "routing/provider.hpp"

namespace qaqpa::soap {

class soap_provider_client final : public routing::provider_client {
public:
    explicit soap_provider_client(std::size_t max_response_bytes) : max_response_bytes_(max_response_bytes) {}

    task<routing::provider_result> send(const delivery_point& dp, const sync_request& req,
                                                          std::chrono::milliseconds timeout) override;

private:
    std::size_t max_response_bytes_;
};

} // namespace qaqpa::soap
