#pragma once
// The synchronous channel on the wire (SyncChannel/v10): SendMessage in,
// SendMessageResponse or SendMessageFault1_SendMessageFault out, and the same
// shapes towards the provider. Pure functions: no sockets.

#include "core/envelope.hpp"
#include "transports/soap/envelope.hpp"

#include <string>
#include <variant>

namespace qaqpa::soap {

inline constexpr fault_element sync_fault{sync_ns, "SendMessageFault1_SendMessageFault"};

struct parsed_sync_request {
    soap_version version = soap_version::v11;
    sync_request request;
    crypto::body_span body; ///< where the Body lies in the text parsed (for a signature check)
};

/// Parses a caller's SendMessage. On failure `version` still says how to
/// answer (v11 when the envelope could not be read).
result<parsed_sync_request> parse_sync_request(const std::string& body, soap_version& version);

/// The SendMessage the gateway sends to a provider (SOAP 1.1).
std::string build_sync_request(const sync_request& req);

/// Reads a provider's answer: a SendMessageResponse, or a fault
/// (provider_fault with its ErrorInfo as subError, provider_bad_response for
/// anything else).
std::variant<sync_response, gateway_fault> parse_sync_reply(const std::string& body);

/// The SendMessageResponse the caller receives.
std::string build_sync_response(soap_version v, const sync_response& res);

} // namespace qaqpa::soap
