#pragma once
// The message store on RocksDB (private to storage/): opened by
// rocksdb_store on the same database, one column family per concern.

#include "core/metrics.hpp"
#include "storage/detail/journal_chain.hpp"
#include "storage/detail/messages_and_journal.hpp"

#include <memory>

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
} // namespace rocksdb

namespace qaqpa::storage::detail {

struct message_families {
    /// destination + seq → queued_message: a queue holds its messages, so
    /// delivery reads a queue in one ordered scan.
    rocksdb::ColumnFamilyHandle* queues = nullptr;
    rocksdb::ColumnFamilyHandle* chains = nullptr;   ///< correlationId → chain
    rocksdb::ColumnFamilyHandle* tracking = nullptr; ///< id → tracking (where it waits, its state)
    rocksdb::ColumnFamilyHandle* leases = nullptr;   ///< PULL leases, one record per getMessages (lease_batches.hpp)
    rocksdb::ColumnFamilyHandle* meta = nullptr;     ///< counters
    rocksdb::ColumnFamilyHandle* journal = nullptr;  ///< the journal's rows (journal_chain.hpp)
    rocksdb::ColumnFamilyHandle* journal_index = nullptr; ///< message id → its rows
    rocksdb::ColumnFamilyHandle* journal_chains = nullptr; ///< correlation id → its messages' acceptances
    rocksdb::ColumnFamilyHandle* undelivered = nullptr;   ///< id → the body of a NOT_DELIVERED message
    rocksdb::ColumnFamilyHandle* incidents = nullptr;     ///< incident id → its JSON (core/incident.hpp)
};

/// The column family names, in message_families order.
inline constexpr const char* message_family_names[] = {"queues",  "chains",        "tracking",    "leases",
                                                       "journal", "journal_index", "undelivered", "journal_chains",
                                                       "incidents"};

/// Recovers the queue depths and sequence counter, then starts the committer.
/// `metrics` (optional) receives the group commits' count, size and time.
result<std::unique_ptr<messages_and_journal>> open_messages(rocksdb::DB& db, message_families f, bool sync,
                                                     metrics_registry* metrics = nullptr);

} // namespace qaqpa::storage::detail
