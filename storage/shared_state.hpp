#pragma once
// What the nodes sharing one store decide together (a store on PostgreSQL;
// an embedded store has none: message_store::shared() is null and routing/
// keeps this state in memory). Every answer is the cluster's, taken
// atomically on the store's side, so two nodes never lease one message to
// two callers at once, never both PUSH to one point, and never together pass
// a point's throttle.
//
// Thread safety: every method may be called from any thread. Calls complete
// on the caller's executor.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "storage/message_store.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace qaqpa::storage {

class shared_state {
public:
    virtual ~shared_state() = default;

    /// This node's name among the nodes.
    virtual const std::string& node() const = 0;

    /// Leases up to `limit` entries of `destination` that no caller holds a
    /// live lease on (none, or one that ended by `now_ms`), until `until_ms`,
    /// in queue order: from the queue's head, or only the positions `only`
    /// names when it is not empty. What another caller leases meanwhile is
    /// skipped, so fewer than `limit` may come back while more wait.
    virtual task<result<std::vector<queue_entry>>> lease(std::string destination, std::vector<std::uint64_t> only,
                                                         std::size_t limit, std::int64_t now_ms,
                                                         std::int64_t until_ms) = 0;

    /// Claims the PUSH of `points` for this node for `ttl` from now: renews
    /// its own claims, takes the unowned and the expired, leaves the other
    /// nodes' live claims. Answers which of `points` this node owns now.
    virtual task<result<std::vector<std::string>>> claim_points(std::vector<std::string> points,
                                                                std::chrono::milliseconds ttl) = 0;
    /// Gives the claims on `points` up (a clean stop), so another node takes
    /// them at its next claim rather than at expiry.
    virtual task<result<void>> release_points(std::vector<std::string> points) = 0;

    /// Takes one call start of `key`'s sliding window (at most `limit` in any
    /// `window`, across the nodes) when there is room: zero. Otherwise
    /// nothing is taken and the answer is how long until there is room.
    virtual task<result<std::chrono::milliseconds>> throttle_take(std::string key, int limit,
                                                                  std::chrono::milliseconds window) = 0;

    /// A value that changes whenever the live registry is saved (by any
    /// node): a node that sees it change reloads the registry.
    virtual task<result<std::string>> registry_stamp() = 0;
};

} // namespace qaqpa::storage
