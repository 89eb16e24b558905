#include "routing/lease_table.hpp"

namespace qaqpa::routing {

void lease_table::restore(const std::vector<storage::lease>& leases) {
    std::lock_guard lk(mutex_);
    for (const auto& l : leases) leases_[l.id] = l.until_ms;
}

bool lease_table::take(const std::string& id, unix_ms now, unix_ms until) {
    std::lock_guard lk(mutex_);
    auto [it, fresh] = leases_.try_emplace(id, until);
    if (fresh) return true;
    if (it->second > now) return false;
    it->second = until;
    return true;
}

void lease_table::release(const std::string& id) {
    std::lock_guard lk(mutex_);
    leases_.erase(id);
}

bool lease_table::held(const std::string& id, unix_ms now) {
    std::lock_guard lk(mutex_);
    const auto it = leases_.find(id);
    return it != leases_.end() && it->second > now;
}

std::uint64_t lease_table::head(std::string_view queue) {
    std::lock_guard lk(mutex_);
    const auto it = heads_.find(std::string(queue));
    return it == heads_.end() ? 0 : it->second;
}

void lease_table::set_head(std::string_view queue, std::uint64_t seq) {
    std::lock_guard lk(mutex_);
    auto& h = heads_[std::string(queue)];
    h = std::max(h, seq);
}

} // namespace qaqpa::routing
