#pragma once
// The outbound client of SOAP delivery points: relays synchronous calls
// (SendMessage) to providers and PUSHes queued records to recipients (a
// message as sendMessage, a status notification as
// changeMassageStatusNotification), over SOAP 1.1/HTTP (Content-Type
// text/xml, SOAPAction ""). What comes back is mapped to the gateway's
// catalog (relay) or to delivered / why not (PUSH).
//
// Thread safety: stateless; connections come from the calling thread's pool.

#include "routing/outbound.hpp"
#include "routing/transport_security.hpp"
#include "transports/http/client_tls.hpp"

#include <cstddef>

namespace qaqpa::soap {

class soap_outbound_client final : public routing::outbound_client {
public:
    explicit soap_outbound_client(std::size_t max_response_bytes) : max_response_bytes_(max_response_bytes) {}
    /// Where the gateway's signature comes from, for points with
    /// security_mode 1 or 2, and encryption for points with encrypt_to
    /// (set before the first call).
    void sign_with(const routing::transport_security* security) { security_ = security; }
    /// The TLS contexts of https:// points (set before the first call).
    void use_tls(http::client_tls* tls) { tls_ = tls; }

    task<routing::provider_result> relay(const outbound_target& to, const sync_request& req,
                                         std::chrono::milliseconds timeout) override;
    task<routing::push_result> push(const outbound_target& to, const outbound_message& m,
                                    std::string_view session_id, std::chrono::milliseconds timeout) override;

private:
    /// `body`, signed as the gateway when the point's mode asks for it, then
    /// encrypted to the point's encrypt_to certificate when it has one.
    result<std::string> as_point_wants(const outbound_target& to, std::string body) const;
    /// A peer gateway's answer is a hop back: signed by a certificate with the
    /// peer's BIN, checked like a caller's signature (trust, dates, revocation).
    task<result<void>> check_peer_answer(const outbound_target& peer, const std::string& text) const;

    std::size_t max_response_bytes_;
    const routing::transport_security* security_ = nullptr;
    http::client_tls* tls_ = nullptr;
};

} // namespace qaqpa::soap
