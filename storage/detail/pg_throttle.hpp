#pragma once
// A delivery point's throttle shared by the nodes of a PostgreSQL store:
// at most `limit` call starts in any window of `window` across all nodes
// together (the same sliding window as routing/policies/sliding_window, kept
// in a row and taken under its lock, on the server's clock). One round trip
// per call start, so it is for throttled points, whose rate is bounded
// anyway. `schema` is one migrate() accepted.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "storage/detail/pg_connection.hpp"

#include <chrono>
#include <string>

namespace qaqpa::storage::detail {

/// Takes one call start of `key`'s window if there is room: zero. Otherwise
/// nothing is taken and the answer is how long until there is room.
task<result<std::chrono::milliseconds>> pg_throttle_take(pg_connection& c, std::string schema, std::string key,
                                                         int limit, std::chrono::milliseconds window);

} // namespace qaqpa::storage::detail
