#pragma once
// PULL leases taken on the server for the nodes sharing a PostgreSQL store
// (shared_state::lease), on the queue rows themselves (leased_until). The
// candidates are the first free entries and the first whose lease ended,
// each found through its own partial index, so a call never walks past the
// live leases. They are locked in order, skipping any another caller holds
// now, and leased by an update that checks again, on the row as it is then,
// that no live lease holds it: an entry is never leased twice at once, and
// one removed meanwhile (confirmed through another node) drops out.
// `schema` is one migrate() accepted.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "storage/detail/pg_connection.hpp"
#include "storage/message_store.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace qaqpa::storage::detail {

task<result<std::vector<queue_entry>>> pg_lease_next(pg_connection& c, std::string schema, std::string destination,
                                                     std::vector<std::uint64_t> only, std::size_t limit,
                                                     std::int64_t now_ms, std::int64_t until_ms);

} // namespace qaqpa::storage::detail
