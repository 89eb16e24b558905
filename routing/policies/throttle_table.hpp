#pragma once
// Call-start throttles shared by every event-loop thread and by both
// channels (a sync call and a PUSH to a point count in the same window), one
// sliding window per key (a delivery point, or a delivery point and a caller
// whose access right sets its own throttle). A window is rebuilt when its
// policy changes.
//
// With a store several nodes share (set_shared), admit() takes the start
// from the store's window instead, so N nodes together stay within one
// point's throttle; when the store cannot answer, the node falls back to its
// own window (a call is never refused for the store's sake).
//
// Thread safety: every method locks one mutex; each call is short.

#include "core/async.hpp"
#include "core/registry.hpp"
#include "routing/policies/sliding_window.hpp"
#include "storage/shared_state.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace qaqpa::routing {

class throttle_table {
public:
    /// Records a call start under `key` when `policy` has room at `now`;
    /// false when the window is full (nothing recorded).
    bool try_start(const std::string& key, const throttle_policy& policy, std::int64_t now);

    /// The same for a caller that can wait: nullopt when the start was
    /// recorded, otherwise the time the window has room again.
    std::optional<std::int64_t> start_or_wait(const std::string& key, const throttle_policy& policy, std::int64_t now);

    /// Windows live in `shared` from now on (for the nodes sharing it);
    /// before any admit().
    void set_shared(storage::shared_state* shared) { shared_ = shared; }

    /// start_or_wait(), in the shared window when there is one (one round
    /// trip), else at once.
    task<std::optional<std::int64_t>> admit(const std::string& key, const throttle_policy& policy, std::int64_t now);

    /// Starts seen in the window for `key` (for counters and tests).
    int in_window(const std::string& key, std::int64_t now);

private:
    struct entry {
        throttle_policy policy;
        sliding_window window;
    };
    std::mutex mutex_;
    std::unordered_map<std::string, entry> windows_;
    storage::shared_state* shared_ = nullptr;
};

} // namespace qaqpa::routing
