#pragma once
// What the delivery engine needs from a transport: PUSH one queued record
// (a message or a status notification) to a recipient and say whether it
// was delivered. Transports implement it (SOAP over HTTP); routing/ stays
// free of sockets and codecs.

#include "core/async.hpp"
#include "core/registry.hpp"
#include "storage/message_store.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace qaqpa::routing {

struct push_target {
    std::string url;
    wire_protocol protocol = wire_protocol::soap;
    std::optional<credentials> creds; ///< presented as the sender, as on the sync channel
};

struct push_result {
    bool delivered = false;
    std::string reason; ///< why not: connect error, timeout, HTTP status, fault, bad reply
};

class push_client {
public:
    virtual ~push_client() = default;

    /// One attempt, bounded by `timeout`. Never throws.
    virtual task<push_result> push(const push_target& to, const storage::queued_message& m,
                                   std::string_view session_id, std::chrono::milliseconds timeout) = 0;
};

} // namespace qaqpa::routing
