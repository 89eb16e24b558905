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

#include <cstddef>

namespace qaqpa::soap {

class soap_outbound_client final : public routing::outbound_client {
public:
    explicit soap_outbound_client(std::size_t max_response_bytes) : max_response_bytes_(max_response_bytes) {}

    task<routing::provider_result> relay(const outbound_target& to, const sync_request& req,
                                         std::chrono::milliseconds timeout) override;
    task<routing::push_result> push(const outbound_target& to, const outbound_message& m,
                                    std::string_view session_id, std::chrono::milliseconds timeout) override;

private:
    std::size_t max_response_bytes_;
};

} // namespace qaqpa::soap
