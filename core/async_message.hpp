#pragma once
// The asynchronous channel's message model (PROTOCOL.md "Asynchronous
// channel"): what a caller sends, what the gateway stores and delivers, and
// the state a message is in. Transport-neutral, like core/envelope.hpp.

#include "core/envelope.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qaqpa {

enum class message_type { request, response, update, notification };
enum class message_state { on_delivery, delivered, not_delivered, delivery_stopped };

std::string_view to_string(message_type t) noexcept;
std::string_view to_string(message_state s) noexcept;
std::optional<message_type> parse_message_type(std::string_view s) noexcept;
std::optional<message_state> parse_message_state(std::string_view s) noexcept;

/// DELIVERED and NOT_DELIVERED never change again.
inline bool is_final(message_state s) noexcept {
    return s == message_state::delivered || s == message_state::not_delivered;
}

/// AsyncMessageInfo. On the way in, messageId and correlationId are the
/// caller's (ignored / checked); on the way out they are the gateway's.
struct async_message_info {
    std::optional<std::string> message_id;
    std::optional<std::string> correlation_id;
    std::string service_id;
    message_type type = message_type::request;
    std::optional<std::string> route_id;
    std::string message_date; ///< as sent (validated as xsd:dateTime)
    sender_info sender;
    std::vector<property> properties;
    std::optional<std::string> session_id;
};

struct async_message {
    async_message_info info;
    message_payload data;
};

/// getMessages: the caller's filter and batch size.
struct pull_request {
    std::optional<std::string> message_id;
    std::optional<std::string> correlation_id;
    std::string service_id;
    std::optional<sender_info> sender;
    int amount = 0; ///< 0 = the gateway's default
};

enum class receive_status { accepted, not_accepted };
enum class resend_choice { resend, not_resend };

/// sendDeliveryNotification: a puller's verdict on one message.
struct delivery_report {
    std::string message_id;
    std::string service_id;
    receive_status status = receive_status::accepted;
    resend_choice resend = resend_choice::not_resend;
    std::optional<error_info> error;
    std::optional<sender_info> sender;
};

/// getMessageStatus.
struct status_query {
    std::string message_id;
    sender_info sender;
};

/// The last status change of a message (MessageStatusInfo plus the state).
struct message_status {
    message_state state = message_state::on_delivery;
    std::string code;    ///< statusCode: a short machine word (ACCEPTED, DELIVERED, ...)
    std::string message; ///< statusMessage: what happened, for people
    std::string date;    ///< statusDate, xsd:dateTime
};

/// changeMassageStatusNotification as the gateway PUSHes it to a sender.
struct status_notification {
    std::string notification_id;
    std::string message_id;
    message_status status;
};

} // namespace qaqpa
