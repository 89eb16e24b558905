#pragma once
// Asynchronous-channel envelopes as real clients write them (prefix "asy",
// unqualified children), for tests and benchmarks.

#include <string>
#include <string_view>
#include <vector>

namespace qaqpa::test {

struct login {
    std::string sender = "sender";
    std::string password = "sender-password";
};

struct async_send {
    login who;
    std::string service = "async-only";
    std::string type = "REQUEST";
    std::string correlation_id; ///< empty = none
    std::string route_id;       ///< empty = none
    std::string payload = "<doc xmlns=\"urn:example\">Сәлем, қақпа!</doc>";
    std::string message_id;   ///< the sender's own; empty = none
    std::string message_date; ///< empty = a fixed date in November 2026
};

std::string send_message_xml(const async_send& m);
/// The same, padded with payload to about `bytes` bytes.
std::string send_message_of_size(const async_send& m, std::size_t bytes);

/// getMessages; amount < 0 leaves the element out.
std::string get_messages_xml(const login& who, const std::string& service, int amount = -1,
                             const std::string& message_id = {}, const std::string& correlation_id = {});

/// sendDeliveryNotification; `accepted` picks MESSAGE_ACCEPTED, else
/// MESSAGE_NOT_ACCTEPTED with RESEND or NOT_RESEND.
std::string delivery_notification_xml(const login& who, const std::string& service, const std::string& message_id,
                                      bool accepted, bool resend = false);

std::string message_status_xml(const login& who, const std::string& message_id);

/// changeMassageStatusNotification as a peer gateway reports a state
/// change of message `message_id` to the node that forwarded it.
std::string status_report_xml(const std::string& message_id, const std::string& state,
                              const std::string& date = "2026-11-23T10:00:00Z");

/// Every <messageId> in an answer (a getMessagesResponse lists one per message), in order.
std::vector<std::string> message_ids(std::string_view body);

} // namespace qaqpa::test
