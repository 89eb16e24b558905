#pragma once
// The journal's rows in RocksDB (private to storage/). The committer thread
// appends rows to its batches through a journal_chain: numbering, the
// recorded time and the hash link are decided there, in commit order, and
// take effect only when the batch is written.
//
// Families: rows (be64(number) → the row, journal_record.hpp) and two
// indexes keyed like queues (be16(len) + id + be64(number) → "",
// record_codec.hpp): a message's trail by its id,
// a chain's acceptances by its correlation id. A stored message's own
// acceptance is not indexed: its tracking record keeps the row number, and
// a REQUEST's chain record keeps its chain's first (message_store.hpp), so
// accepting a message writes one journal key, not three. The default family
// keeps the pruned anchor.

#include "core/errors.hpp"
#include "crypto/digest.hpp"
#include "storage/detail/journal_record.hpp"
#include "storage/journal_store.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
} // namespace rocksdb

namespace qaqpa::storage::detail {

/// Which index: a message's trail or a chain's acceptances.
enum class journal_index_kind { message, chain };

struct journal_families {
    rocksdb::ColumnFamilyHandle* rows = nullptr;
    rocksdb::ColumnFamilyHandle* index = nullptr;  ///< message id → its rows
    rocksdb::ColumnFamilyHandle* chains = nullptr; ///< correlation id → its messages' acceptances
    rocksdb::ColumnFamilyHandle* meta = nullptr;
    /// Read only: a stored message's acceptance row is in its tracking, a
    /// chain's first acceptance in the chain's record (message_store.hpp).
    rocksdb::ColumnFamilyHandle* tracking = nullptr;
    rocksdb::ColumnFamilyHandle* message_chains = nullptr;
    /// Two families, not one: each stream of keys then arrives nearly in
    /// order, and its files rarely overlap (interleaved, they made most of
    /// the journal's compaction work).
    rocksdb::ColumnFamilyHandle* index_of(journal_index_kind kind) const {
        return kind == journal_index_kind::chain ? chains : index;
    }
};

std::string journal_row_key(std::uint64_t number);
std::uint64_t journal_row_number(std::string_view key);
std::string journal_index_prefix(std::string_view id);
std::string journal_index_key(std::string_view id, std::uint64_t number);
/// Only the gateway's own ids (time-ordered GUIDs) are indexed: their keys
/// arrive in order, so the index costs an append, not a search. Rows under
/// a caller's id (a sync call, a refusal) are found by a scan.
bool indexed(std::string_view id);
/// A chain is indexed by its messages' acceptances only (one key per
/// message, not per row): their trails give the rest.
bool chain_indexed(const journal_event& e);
/// The row number at the end of an index key; 0 when it is not one.
std::uint64_t journal_index_number(std::string_view key);
class journal_chain {
public:
    /// Where the chain stands inside a batch being built.
    struct tip : chain_position {
        std::uint64_t rows = 0; ///< rows appended to this batch
        std::string canonical;  ///< one buffer for every row of the batch
    };

    explicit journal_chain(journal_families f) : f_(f) {}

    /// Reads the last row (or the pruned anchor) before the committer starts.
    result<void> recover(rocksdb::DB& db);

    tip begin() const; ///< committer thread
    /// Appends one row to `b`, recorded at `now_ms` (or the tip's time, if
    /// later), and returns its number. Without `index_message` (or
    /// `index_chain`) the caller keeps the row number itself: a stored
    /// message's acceptance in its tracking, a chain's first in its record.
    std::uint64_t append(rocksdb::WriteBatch& b, tip& t, const journal_event& e, std::int64_t now_ms,
                         bool index_message = true, bool index_chain = true) const;
    /// The batch holding the tip's rows was written.
    void written(const tip& t);

    /// A row on its way out: what its deletion needs.
    struct pruned_row {
        std::uint64_t number = 0;
        std::string message_id;
        std::string correlation_id; ///< set only when the row is in the chain index
        std::string hash;
    };
    /// Deletes the rows (in order, the oldest rows of the chain) and their
    /// index entries, and keeps the last one's hash as the anchor.
    void prune(rocksdb::WriteBatch& b, const std::vector<pruned_row>& rows) const;
    void pruned(const pruned_row& last);

    journal_head head() const;
    const journal_families& families() const { return f_; }

private:
    journal_families f_;
    mutable std::mutex mutex_; ///< head() is read from any thread
    journal_head head_;
    std::int64_t last_ms_ = 0;
};

} // namespace qaqpa::storage::detail
