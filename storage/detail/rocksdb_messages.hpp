#pragma once
// The message store on RocksDB (private to storage/): opened by
// rocksdb_store on the same database, one column family per concern.

#include "storage/message_store.hpp"

#include <memory>

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
} // namespace rocksdb

namespace qaqpa::storage::detail {

struct message_families {
    rocksdb::ColumnFamilyHandle* messages = nullptr; ///< id → queued_message
    rocksdb::ColumnFamilyHandle* queues = nullptr;   ///< destination + seq → id
    rocksdb::ColumnFamilyHandle* chains = nullptr;   ///< correlationId → chain
    rocksdb::ColumnFamilyHandle* tracking = nullptr; ///< id → tracking
    rocksdb::ColumnFamilyHandle* leases = nullptr;   ///< id → lease end (Unix ms)
    rocksdb::ColumnFamilyHandle* meta = nullptr;     ///< counters
};

/// The column family names, in message_families order.
inline constexpr const char* message_family_names[] = {"messages", "queues", "chains", "tracking", "leases"};

/// Recovers the queue depths and sequence counter, then starts the committer.
result<std::unique_ptr<message_store>> open_messages(rocksdb::DB& db, message_families f, bool sync);

} // namespace qaqpa::storage::detail
