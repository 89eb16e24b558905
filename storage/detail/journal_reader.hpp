#pragma once
// Reading the journal's rows in RocksDB (private to storage/): queries by
// cursor and filters, and the oldest rows for pruning. Rows are recorded in
// order of time, so a time range is found by binary search over the row
// numbers; a message's trail comes from its index.

#include "storage/detail/journal_chain.hpp"

#include <vector>

namespace qaqpa::storage::detail {

result<journal_page> query_journal(rocksdb::DB& db, const journal_families& f, const journal_head& head,
                                   const journal_query& q);

/// Up to `max` of the oldest rows recorded before `before_ms`.
result<std::vector<journal_chain::pruned_row>> rows_to_prune(rocksdb::DB& db, const journal_families& f,
                                                             std::int64_t before_ms, std::size_t max);

} // namespace qaqpa::storage::detail
