#pragma once
// The transport-neutral message model. Transports turn bytes into these and
// back; routing/ works on them only.

#include "core/clock.hpp"
#include "core/errors.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace qaqpa {

struct property {
    std::string key;
    std::string value;
};

struct sender_info {
    std::string sender_id;
    std::optional<std::string> password;
    /// The caller's IP address: set by the transport, never read from the
    /// wire nor stored; failed logins are limited per address too.
    std::string client_address = {};
};

/// The business payload under `data`: carried, never re-encoded. `content`
/// holds the bytes between <data> and </data> exactly as the sender wrote
/// them; `attributes` holds the attributes of the <data> start tag as written,
/// plus the namespace declarations inherited from its ancestors, so that the
/// payload keeps its meaning when it is placed into another envelope.
struct xml_payload {
    bool present = false;
    std::string attributes;
    std::string content;
};

/// SyncMessageInfo: the request header of the synchronous channel.
struct sync_request_info {
    std::string message_id;
    std::optional<std::string> correlation_id;
    std::string service_id;
    std::string message_date; ///< as sent (validated as xsd:dateTime)
    std::optional<std::string> route_id;
    sender_info sender;
    std::vector<property> properties;
    std::optional<std::string> session_id;
};

struct sync_request {
    sync_request_info info;
    xml_payload data;
};

/// SyncMessageInfoResponse: the response header of the synchronous channel.
struct sync_response_info {
    std::string message_id;
    std::optional<std::string> correlation_id;
    std::string response_date;
    std::string status_code;
    std::string status_message;
    std::optional<std::string> session_id;
};

struct sync_response {
    sync_response_info info;
    xml_payload data;
};

/// ErrorInfo as the wire carries it (code, message, optional nested cause).
struct error_info {
    std::string code;
    std::string message;
    std::optional<std::string> data;
    std::string date;
    std::shared_ptr<const error_info> sub_error;
    std::optional<std::string> session_id;
};

/// A fault the gateway answers with: our catalog entry, the specific detail,
/// and the provider's own ErrorInfo when it caused the fault.
struct gateway_fault {
    failure cause;
    std::shared_ptr<const error_info> sub_error;
};

/// Builds the ErrorInfo the caller receives for a fault.
error_info to_error_info(const gateway_fault& fault, std::string session_id);

} // namespace qaqpa
