#pragma once
// The transport-neutral message model. Transports turn bytes into these and
// back; routing/ works on them only.

#include "core/clock.hpp"
#include "core/errors.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

/// How a payload's bytes are read: XML content (SOAP's `data`), or one JSON
/// value as the text that came (REST's `data`). The other transport carries
/// each in its own way, restoring it exactly (README "REST and SOAP").
enum class payload_format : std::uint8_t { xml, json };

/// The business payload under `data`: carried, never re-encoded. For XML,
/// `content` holds the bytes between <data> and </data> exactly as the sender
/// wrote them, and `attributes` the attributes of the <data> start tag as
/// written plus the namespace declarations inherited from its ancestors, so
/// that the payload keeps its meaning in another envelope. For JSON,
/// `content` is the value's text as it came (numbers never pass through a
/// double) and `attributes` is empty.
struct message_payload {
    bool present = false;
    payload_format format = payload_format::xml;
    std::string attributes;
    std::string content;
};

/// The property that marks a payload carried in the other transport's form:
/// "json" on a SOAP message whose `data` text is a JSON value, "xml" on a
/// REST message whose `data` string holds XML; "qaqpa.dataAttributes" then
/// keeps the XML's <data> attributes. The receiving edge restores the
/// original and drops the marks.
inline constexpr std::string_view data_format_property = "qaqpa.dataFormat";
inline constexpr std::string_view data_attributes_property = "qaqpa.dataAttributes";

/// Carried across peer gateways (the first node sets them when absent): one
/// id that follows a message's whole path through the nodes' journals and
/// logs, and the system that sent it at the first node.
inline constexpr std::string_view trace_property = "qaqpa.traceId";
inline constexpr std::string_view origin_property = "qaqpa.origin";
/// Adds both to what goes to a peer, each unless the message carries it
/// already (a later hop keeps the first node's).
void mark_for_peer(std::vector<property>& props, std::string_view trace, std::string_view origin);
/// A property's value, or "" when the message has none.
std::string_view property_value(const std::vector<property>& props, std::string_view key);

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
    message_payload data;
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
    message_payload data;
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
