#pragma once
// PULL leases in memory, per pull queue. A message offered by getMessages is
// leased: not offered again until it is confirmed or its lease ends. The
// store keeps the same leases durably (restored at start-up).
//
// Each queue keeps a frontier: every entry below it has been offered at
// least once. A plain getMessages takes what came back (a RESEND, an expired
// lease) and then scans the store from the frontier, so it never reads past
// messages that are out on lease: one getMessages costs what it returns.
//
// Thread safety: all methods lock one mutex; they are short.

#include "routing/message_states.hpp"
#include "storage/message_store.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace qaqpa::routing {

class lease_table {
public:
    struct slot {
        std::uint64_t seq = 0;
        std::string id;
    };

    void restore(const std::vector<storage::lease>& leases);

    /// Up to `max` entries that came back (RESEND, lease ended), leased now
    /// until `until`.
    std::vector<slot> take_returned(const std::string& queue, unix_ms now, unix_ms until, std::size_t max);

    /// Where a plain scan of `queue` starts.
    std::uint64_t frontier(const std::string& queue);

    /// Leases what a scan found, skipping entries another caller holds, and
    /// moves the frontier past `scanned_to` (the last sequence the scan
    /// covered). Returns the positions (into `found`) that were claimed.
    std::vector<std::size_t> claim(const std::string& queue, const std::vector<slot>& found, std::uint64_t scanned_to,
                                   unix_ms now, unix_ms until, bool move_frontier);

    /// Confirmed or refused: the lease is gone for good.
    void settle(const std::string& queue, std::uint64_t seq);
    /// RESEND: offered again on the next getMessages.
    void give_back(const std::string& queue, std::uint64_t seq, std::string id);

    /// The leases to record in the store for `claimed` entries.
    static std::vector<storage::lease> records(const std::string& queue, const std::vector<slot>& claimed, unix_ms until);

private:
    struct held {
        std::string id;
        unix_ms until = 0;
    };
    struct queue_state {
        std::uint64_t frontier = 0;
        std::map<std::uint64_t, held> leased;
        std::map<std::uint64_t, std::string> returned;
        /// No lease ends before this: getMessages skips the expiry walk
        /// until then (a lower bound; settled leases may leave it early).
        unix_ms next_expiry = 0;
    };
    void expire(queue_state& q, unix_ms now);

    std::mutex mutex_;
    std::unordered_map<std::string, queue_state> queues_;
};

} // namespace qaqpa::routing
