#pragma once
// The REST channel on the wire (README "REST channel"): JSON mirrors of the
// SOAP operations, their element names as keys, repeated elements as arrays,
// `{"request": …}` in and `{"response": …}` out; errors as ErrorInfo's
// fields. And the same shapes towards REST delivery points. Pure functions:
// no sockets.
//
// A `data` value is carried as the JSON text that came; an XML payload
// crosses to JSON as a string marked by the data_format_property (and back
// the same way), see core/envelope.hpp.

#include "core/async_message.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace qaqpa::rest {

/// Every parse refuses, as invalid_request naming the field: a body that is
/// not JSON, a repeated key, a missing or mistyped field, a member the
/// operation does not have. `basic`: the HTTP Basic credentials, when sent;
/// they stand for a `sender` the body leaves out, and must name the same IS
/// as one it has.
result<sync_request> parse_sync_request(std::string_view body, const std::optional<sender_info>& basic);
result<async_message> parse_send_message(std::string_view body, const std::optional<sender_info>& basic);
result<pull_request> parse_get_messages(std::string_view body, int max_amount, const std::optional<sender_info>& basic);
result<delivery_report> parse_delivery_notification(std::string_view body, const std::optional<sender_info>& basic);
result<status_query> parse_status_query(std::string_view body, const std::optional<sender_info>& basic);

/// The answers.
std::string build_sync_response(const sync_response& res);
std::string build_accepted(std::string_view message_id, std::string_view correlation_id, std::string_view session_id);
std::string build_messages(std::string_view session_id, const std::vector<async_message>& messages);
std::string build_notification_accepted(std::string_view notification_id, std::string_view session_id);
std::string build_status(const message_status& status, std::string_view session_id);
/// {"errorCode", "errorMessage", "errorData"?, "errorDate", "sessionId"?, "subError"?}
std::string build_error(const error_info& e);

/// Towards REST delivery points: what the gateway POSTs, and what their
/// answers come to.
std::string build_sync_request(const sync_request& req);
std::string build_push(const async_message_info& info, const message_payload& data);
std::string build_status_push(const status_notification& n, std::string_view session_id);

/// A provider's answer: a 2xx `{"response": …}` of the sync shape, a
/// provider_fault when it answered an ErrorInfo object, provider_bad_response otherwise.
std::variant<sync_response, gateway_fault> parse_sync_reply(int http_status, std::string_view body);

/// Whether a PUSH was taken: a 2xx JSON object with a "response" object; else why not.
struct push_verdict {
    bool delivered = false;
    std::string reason;
};
push_verdict read_push_reply(int http_status, std::string_view body);

} // namespace qaqpa::rest
