#pragma once
// PULL leases taken on the server for the nodes sharing a PostgreSQL store
// (shared_state::lease). Candidates are read in queue order past the live
// leases; each is then taken by an insert that, on a lease row already
// there, overwrites it only when it has ended: a row another node leased
// meanwhile (after this statement's snapshot) is waited for and then left
// alone, so an entry is never leased twice at once. The candidates are
// locked FOR KEY SHARE, so an entry removed meanwhile (confirmed through
// another node) drops out instead of being offered again. `schema` is one
// migrate() accepted.

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
