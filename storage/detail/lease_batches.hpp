#pragma once
// PULL leases on disk: one record per getMessages, holding its whole batch,
// instead of one record per message written at the lease and deleted at
// the confirmation (two memtable writes per message, ~10 % of the drain).
//
// - A confirmation writes nothing for its lease: the message's tracking
//   turns final in the same write, and a lease of a final message is
//   dropped when the leases are read back.
// - A message leased again (its lease ended) is listed by its newer batch;
//   reading keeps each message's newest lease.
// - A RESEND (offered again at once) rewrites its batch without it, so a
//   restart does not hold it until the old lease ends.
// - A batch record is deleted when its last lease is settled, released or
//   superseded.
//
// The index of live batches belongs to the committer thread (the store's
// single writer); read() is safe on any thread. When a write fails the
// index may be ahead of the disk: at worst a record outlives its leases or
// a lease given back is restored after a restart and ends as leases do.

#include "core/errors.hpp"
#include "core/string_map.hpp"
#include "storage/message_store.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
} // namespace rocksdb

namespace qaqpa::storage::detail {

/// True when the message is final (DELIVERED, NOT_DELIVERED): its lease is void.
using settled_fn = std::function<bool(std::string_view id)>;

class lease_batches {
public:
    explicit lease_batches(rocksdb::ColumnFamilyHandle* family) : family_(family) {}

    /// The live leases as stored: each message's newest, none of a settled
    /// message. Reads the older one-record-per-message layout too.
    static result<std::vector<lease>> read(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                                           const settled_fn& settled);

    /// Start-up, before any write: builds the index from what is stored and
    /// puts into `tidy` the writes that leave only batches of live leases
    /// (records of the older layout move into one batch).
    result<void> load(rocksdb::DB& db, const settled_fn& settled, rocksdb::WriteBatch& tidy);

    /// getMessages leased these; until_ms 0 releases one.
    void record(rocksdb::WriteBatch& b, const std::vector<lease>& leases);
    /// The message turned final in the same write.
    void settle(rocksdb::WriteBatch& b, std::string_view id) { drop(b, id, false); }
    /// The message is offered again now.
    void release(rocksdb::WriteBatch& b, std::string_view id) { drop(b, id, true); }

private:
    struct batch {
        std::vector<lease> entries; ///< a gone entry has an empty id
        std::size_t live = 0;
    };

    void drop(rocksdb::WriteBatch& b, std::string_view id, bool rewrite);
    void put(rocksdb::WriteBatch& b, std::uint64_t number, const batch& bt);

    rocksdb::ColumnFamilyHandle* family_;
    std::map<std::uint64_t, batch> batches_;
    string_map<std::pair<std::uint64_t, std::size_t>> where_; ///< id → batch number, position
    std::uint64_t next_ = 1;
};

} // namespace qaqpa::storage::detail
