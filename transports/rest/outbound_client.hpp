#pragma once
// The outbound client of REST delivery points (protocol = "rest"): relays
// synchronous calls as the JSON SendMessage mirror to {url}SendMessage, and
// PUSHes a message to {url}sendMessage and a status notification to
// {url}changeMassageStatusNotification (Content-Type application/json). A 2xx
// JSON answer of the right shape is success; anything else a failed attempt
// (relay: a fault from the catalog). REST points are secured by HTTPS, not by
// XML signatures: the registry refuses security_mode and encrypt_to on them.
//
// Thread safety: stateless; connections come from the calling thread's pool.

#include "routing/outbound.hpp"
#include "transports/http/client_tls.hpp"

#include <cstddef>

namespace qaqpa::rest {

class rest_outbound_client final : public routing::outbound_client {
public:
    explicit rest_outbound_client(std::size_t max_response_bytes) : max_response_bytes_(max_response_bytes) {}
    /// The TLS contexts of https:// points (set before the first call).
    void use_tls(http::client_tls* tls) { tls_ = tls; }

    task<routing::provider_result> relay(const outbound_target& to, const sync_request& req,
                                         std::chrono::milliseconds timeout) override;
    task<routing::push_result> push(const outbound_target& to, const outbound_message& m,
                                    std::string_view session_id, std::chrono::milliseconds timeout) override;

private:
    std::size_t max_response_bytes_;
    http::client_tls* tls_ = nullptr;
};

/// The target's URL with `operation` as its last path segment.
url operation_url(const url& base, std::string_view operation);

} // namespace qaqpa::rest
