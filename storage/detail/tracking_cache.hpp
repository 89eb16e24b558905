#pragma once
// The tracking of messages about to change, in memory: getMessages leases a
// batch, and each confirmation then reads and rewrites the tracking of one
// of them. Without this, every confirmation read it from RocksDB twice (to
// check the caller, then in the committer), ~18 % of the drain's CPU.
//
// Only the committer (the store's single writer) fills and updates it, and
// only with what is written, after the write succeeded: an entry is always
// the stored record. Readers on any thread get a copy. Bounded: past
// `capacity` the oldest entries go (a miss only costs a read).

#include "core/string_map.hpp"
#include "storage/message_store.hpp"

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace qaqpa::storage::detail {

class tracking_cache {
public:
    explicit tracking_cache(std::size_t capacity) : capacity_(capacity) {}

    std::optional<tracking> find(std::string_view id) const;
    bool contains(std::string_view id) const;

    /// The committer, after a write: the record as stored now.
    void put(std::string_view id, const tracking& t);
    /// Only replaces a record already held (a write of a message not warmed
    /// does not fill the cache).
    void update(std::string_view id, const tracking& t);
    void erase(std::string_view id);

    std::size_t size() const;

private:
    void evict_locked();

    std::size_t capacity_;
    mutable std::mutex mutex_;
    string_map<tracking> entries_;
    std::deque<std::string> order_; ///< insertion order; may hold ids erased since
};

} // namespace qaqpa::storage::detail
