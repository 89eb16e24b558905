#include "routing/policies/throttle_table.hpp"

#include "core/log.hpp"

namespace qaqpa::routing {

bool throttle_table::try_start(const std::string& key, const throttle_policy& policy, std::int64_t now) {
    return !start_or_wait(key, policy, now);
}

std::optional<std::int64_t> throttle_table::start_or_wait(const std::string& key, const throttle_policy& policy,
                                                          std::int64_t now) {
    std::lock_guard lk(mutex_);
    auto it = windows_.find(key);
    if (it == windows_.end() || !(it->second.policy == policy))
        it = windows_.insert_or_assign(key, entry{policy, sliding_window(policy.requests, policy.window_s * 1000LL)}).first;
    if (it->second.window.try_add(now)) return std::nullopt;
    return it->second.window.next_free(now);
}

task<std::optional<std::int64_t>> throttle_table::admit(const std::string& key, const throttle_policy& policy,
                                                        std::int64_t now) {
    if (!shared_) co_return start_or_wait(key, policy, now);
    auto wait = co_await shared_->throttle_take(key, policy.requests, std::chrono::seconds(policy.window_s));
    if (!wait) {
        log::warn("throttle", "{}: the shared window did not answer ({}): counted on this node alone", key,
                  wait.error().detail);
        co_return start_or_wait(key, policy, now);
    }
    if (wait->count() <= 0) co_return std::nullopt;
    co_return now + wait->count();
}

int throttle_table::in_window(const std::string& key, std::int64_t now) {
    std::lock_guard lk(mutex_);
    const auto it = windows_.find(key);
    return it == windows_.end() ? 0 : it->second.window.count(now);
}

} // namespace qaqpa::routing
