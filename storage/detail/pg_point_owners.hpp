#pragma once
// One PUSH worker per delivery point across the nodes sharing a PostgreSQL
// store: a node owns a point while its claim has not expired, renews its
// claims by claiming again (a heartbeat well inside the time-to-live), and
// takes over any point whose owner stopped renewing. Expiry is judged by the
// server's clock, so the nodes' clocks need not agree. A node that stalls
// past its time-to-live may still finish a PUSH another node then repeats:
// PUSH stays at least once, never lost. `schema` is one migrate() accepted.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "storage/detail/pg_connection.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace qaqpa::storage::detail {

/// Claims `points` for `node` for `ttl` from now: renews the ones it owns,
/// takes the unowned and the expired, leaves the others' live claims. The
/// answer: which of `points` `node` owns now, in no particular order.
task<result<std::vector<std::string>>> pg_claim_points(pg_connection& c, std::string schema, std::string node,
                                                       std::vector<std::string> points, std::chrono::milliseconds ttl);

/// Gives up `node`'s claims on `points` (a clean stop, a point removed), so
/// that another node takes them at its next claim rather than at expiry.
task<result<void>> pg_release_points(pg_connection& c, std::string schema, std::string node,
                                     std::vector<std::string> points);

} // namespace qaqpa::storage::detail
