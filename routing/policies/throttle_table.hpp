#pragma once
// Call-start throttles shared by every event-loop thread and by both
// channels (a sync call and a PUSH to a point count in the same window), one
// sliding window per key (a delivery point, or a delivery point and a caller
// whose access right sets its own throttle). A window is rebuilt when its
// policy changes.
//
// Thread safety: every method locks one mutex; each call is short.

#include "core/registry.hpp"
#include "routing/policies/sliding_window.hpp"

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

    /// Starts seen in the window for `key` (for counters and tests).
    int in_window(const std::string& key, std::int64_t now);

private:
    struct entry {
        throttle_policy policy;
        sliding_window window;
    };
    std::mutex mutex_;
    std::unordered_map<std::string, entry> windows_;
};

} // namespace qaqpa::routing
