#pragma once
// The admin API's message routes:
//   GET  /admin/v1/messages/{id}                 its state and its whole journal trail
//   GET  /admin/v1/messages?correlationId=…      a chain: its messages and their rows
//   POST /admin/v1/messages/{id}/redeliver       a NOT_DELIVERED message back on its queue
//   POST /admin/v1/messages/redeliver            every NOT_DELIVERED message a filter
//        matches ({"service", "sender", "deliveryPoint", "from", "to", "limit",
//        "dryRun"}, all optional); dryRun counts without redelivering
// 404 UNKNOWN_MESSAGE for no such message, 409 CONFLICT for one that is not
// NOT_DELIVERED, 400 INVALID_REQUEST naming a bad field.

#include "core/journal.hpp"
#include "routing/message_control.hpp"
#include "transports/http/message.hpp"

namespace qaqpa::admin {

task<http::response> show_message(http::request& req, std::string id, routing::message_control& messages,
                                  journal_reader& journal);
task<http::response> show_chain(http::request& req, routing::message_control& messages, journal_reader& journal);
task<http::response> redeliver_message(http::request& req, std::string id, routing::message_control& messages);
task<http::response> redeliver_messages(http::request& req, routing::message_control& messages);

} // namespace qaqpa::admin
