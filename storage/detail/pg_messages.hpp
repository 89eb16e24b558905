#pragma once
// The message store, the logging journal and the incident journal on
// PostgreSQL (private to storage/; the tables are migration 3's).
//
// Writes go through one committer per node, as on RocksDB: all writes
// waiting when it wakes are decided together (against the rows they touch,
// read FOR UPDATE in the commit's transaction, so nodes writing the same
// rows serialise on them) and written by one statement (pg_batch), then
// committed: one fsync, and with a synchronous standby one replication
// wait, for the whole group. A write returns after its commit.
//
// Queue positions come from blocks of a shared sequence (each node takes
// 65536 at a time), increasing in commit order within a node. The journal
// is one hash chain per node: rows are numbered per node and each node
// verifies and prunes on its own chain. A node's name is claimed with an
// advisory lock for as long as it runs: two running nodes never write one
// chain.
//
// Reads run on the caller's event loop over the node's pool.

#include "core/metrics.hpp"
#include "storage/detail/messages_and_journal.hpp"
#include "storage/detail/pg_pool.hpp"

#include <memory>
#include <string>

namespace qaqpa::storage::detail {

struct pg_messages_settings {
    std::string dsn;    ///< for the committer's own connection
    std::string schema; ///< migrated, valid_pg_schema
    std::string node;   ///< this node's name: its journal chain
    metrics_registry* metrics = nullptr;
};

/// Connects the committer, claims the node's name and reads the tip of its
/// journal chain, then starts the committer. A name another running node
/// holds is bad_config.
result<std::unique_ptr<messages_and_journal>> open_pg_messages(pg_pool& reads, pg_messages_settings s);

} // namespace qaqpa::storage::detail
