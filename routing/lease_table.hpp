#pragma once
// PULL leases in memory: a message offered by getMessages is not offered
// again until it is confirmed or its lease ends. The store keeps the same
// leases durably (restored at start-up). Also remembers, per pull queue,
// where its first live entry was last seen, so scans skip the deleted head.
//
// Thread safety: all methods lock one mutex; they are short.

#include "routing/message_states.hpp"
#include "storage/message_store.hpp"

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace qaqpa::routing {

class lease_table {
public:
    void restore(const std::vector<storage::lease>& leases);

    /// Takes the lease on `id` until `until`; false when a live lease holds it.
    bool take(const std::string& id, unix_ms now, unix_ms until);
    void release(const std::string& id);
    bool held(const std::string& id, unix_ms now);

    std::uint64_t head(std::string_view queue);
    void set_head(std::string_view queue, std::uint64_t seq);

private:
    std::mutex mutex_;
    std::unordered_map<std::string, unix_ms> leases_;
    std::unordered_map<std::string, std::uint64_t> heads_;
};

} // namespace qaqpa::routing
