#pragma once
// What an operator's surface may do to messages: look one up, and put
// NOT_DELIVERED messages back on their queues (one, or every one a filter
// matches, with a dry run that only counts). message_admin implements it;
// the admin transport calls it without seeing the store.

#include "core/async.hpp"
#include "core/async_message.hpp"
#include "core/errors.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qaqpa::routing {

/// A message as the operator sees it.
struct message_record {
    std::string id;
    std::string queue; ///< where it waits, or waited (dp/<point>, is/<system>, pull/<system>/<service>)
    std::string sender;
    std::string recipient;
    std::string service_id;
    message_status status;
    int attempts = 0;               ///< failed delivery attempts so far
    std::int64_t next_attempt_ms = 0; ///< not before (Unix ms); 0 = at once
};

/// Which NOT_DELIVERED messages a bulk redelivery takes; empty = any.
struct redeliver_filter {
    std::string service_id;
    std::string sender;
    std::string point;
    std::int64_t from_ms = 0; ///< accepted at or after
    std::int64_t to_ms = 0;   ///< accepted before; 0 = no bound
    std::size_t limit = 10000;
    bool dry_run = false; ///< count only
};

struct redeliver_report {
    std::size_t matched = 0;
    std::size_t redelivered = 0;
    std::vector<std::string> ids; ///< the first ones matched (at most 100)
};

class message_control {
public:
    virtual ~message_control() = default;

    /// The message, or nullopt when the store has none by that id.
    virtual task<result<std::optional<message_record>>> message(std::string id) = 0;

    /// Puts a NOT_DELIVERED message back at the tail of its queue:
    /// unknown_message, or conflict naming its state when it is not
    /// NOT_DELIVERED. Returns its record after.
    virtual task<result<message_record>> redeliver(std::string id) = 0;

    /// The same for every NOT_DELIVERED message `f` matches.
    virtual task<result<redeliver_report>> redeliver_all(redeliver_filter f) = 0;
};

} // namespace qaqpa::routing
