#pragma once
// PUSHes queued records to recipients over SOAP 1.1/HTTP (Content-Type
// text/xml, SOAPAction ""): a message as sendMessage, a status notification
// as changeMassageStatusNotification. Delivered means the recipient answered
// the matching response element; anything else is a failed attempt.
//
// Thread safety: stateless; connections come from the calling thread's pool.

#include "routing/push.hpp"

namespace qaqpa::soap {

class soap_push_client final : public routing::push_client {
public:
    explicit soap_push_client(std::size_t max_response_bytes) : max_response_bytes_(max_response_bytes) {}

    task<routing::push_result> push(const routing::push_target& to, const storage::queued_message& m,
                                    std::string_view session_id, std::chrono::milliseconds timeout) override;

private:
    std::size_t max_response_bytes_;
};

} // namespace qaqpa::soap
