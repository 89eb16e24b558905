#pragma once
// The asynchronous channel on the wire (AsyncChannel/v10): the four
// operations a caller sends to /bip-async/ and their answers, and what the
// gateway PUSHes to recipients (sendMessage, changeMassageStatusNotification)
// with the replies it expects. Pure functions: no sockets.

#include "core/async_message.hpp"
#include "transports/soap/envelope.hpp"

#include <string>
#include <variant>
#include <vector>

namespace qaqpa::soap {

/// The four operations a caller sends, and changeMassageStatusNotification,
/// which only a peer gateway sends here (state changes of what this node
/// forwarded to it; routing/peer_reports.cpp).
enum class async_operation {
    send_message,
    get_messages,
    send_delivery_notification,
    get_message_status,
    change_status_notification,
};

/// The fault detail element of an operation, e.g. sendMessageFault1_sendMessageFault.
const fault_element& async_fault(async_operation op) noexcept;

struct parsed_async_request {
    soap_version version = soap_version::v11;
    async_operation operation = async_operation::send_message;
    std::variant<async_message, pull_request, delivery_report, status_query, status_notification> body;
    crypto::body_span body_span; ///< where the Body lies in the text parsed (for a signature check)
};

/// Parses a caller's request. On failure `version` and `op` still say how
/// to answer (v11 and send_message when the envelope could not be read).
result<parsed_async_request> parse_async_request(const std::string& body, soap_version& version,
                                                 async_operation& op);

/// sendMessageResponse.
std::string build_accepted(soap_version v, std::string_view message_id, std::string_view correlation_id,
                           std::string_view session_id);

/// getMessagesResponse with the messages offered (gateway ids set).
std::string build_messages(soap_version v, std::string_view session_id, const std::vector<async_message>& messages);

/// sendDeliveryNotificationResponse.
std::string build_notification_accepted(soap_version v, std::string_view notification_id,
                                        std::string_view session_id);

/// getMessageStatusResponse.
std::string build_status(soap_version v, const message_status& status, std::string_view session_id);

/// The sendMessage the gateway PUSHes to a recipient (SOAP 1.1): `info`
/// (the stored one with this attempt's sessionId and credentials) and the
/// stored payload, which is written from where it lies, never copied.
std::string build_push(const async_message_info& info, const message_payload& data);
inline std::string build_push(const async_message& m) { return build_push(m.info, m.data); }

/// changeMassageStatusNotificationResponse (a peer gateway's report taken).
std::string build_status_taken(soap_version v, std::string_view session_id);

/// The changeMassageStatusNotification the gateway PUSHes to a sender (SOAP 1.1).
std::string build_status_push(const status_notification& n, std::string_view session_id);

/// What a PUSH attempt came to: delivered, or why not.
struct push_verdict {
    bool delivered = false;
    std::string reason; ///< the recipient's fault or what was wrong with its reply
};

/// Reads a recipient's reply: `expected` is the response element
/// (sendMessageResponse, changeMassageStatusNotificationResponse).
push_verdict read_push_reply(const std::string& body, std::string_view expected);

} // namespace qaqpa::soap
