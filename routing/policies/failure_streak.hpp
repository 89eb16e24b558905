#pragma once
// Pacing of a recipient that fails every call (a circuit breaker). A worker
// goes on with the messages behind a failed one, so one rejected message
// does not hold up the rest; but when `breaker_after` attempts in a row have
// failed the recipient is most likely down, and going on would spend the
// retry budget of every queued message in moments and the gateway's CPU
// with it. From then on the point waits its back-off (doubling with the
// streak) before each next attempt; one success ends the streak.
//
// Pure: time and jitter are passed in, so tests run on simulated time.
// Thread safety: none; its worker serialises access.

#include "core/registry.hpp"

#include <cstdint>

namespace qaqpa::routing {

class failure_streak {
public:
    using ms = std::int64_t;
    static constexpr int breaker_after = 3;

    void succeeded() noexcept {
        failures_ = 0;
        paused_until_ = 0;
    }
    /// Records a failed attempt at `now`; `jitter` in [-1, 1] as for
    /// schedule_after_failure.
    void failed(const delivery_policy& policy, ms now, double jitter);
    /// When the next attempt may start: `now` or earlier when not paused.
    ms paused_until() const noexcept { return paused_until_; }
    int failures() const noexcept { return failures_; }

private:
    int failures_ = 0;
    ms paused_until_ = 0;
};

} // namespace qaqpa::routing
