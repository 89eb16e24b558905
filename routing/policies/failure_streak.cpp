#include "routing/policies/failure_streak.hpp"

#include "routing/message_states.hpp"

namespace qaqpa::routing {

void failure_streak::failed(const delivery_policy& policy, ms now, double jitter) {
    if (++failures_ < breaker_after) return;
    paused_until_ = now + backoff_delay(policy, failures_ - breaker_after + 1, jitter);
}

} // namespace qaqpa::routing
