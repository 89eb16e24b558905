#include "storage/detail/tracking_cache.hpp"

namespace qaqpa::storage::detail {

std::optional<tracking> tracking_cache::find(std::string_view id) const {
    std::lock_guard lk(mutex_);
    const auto it = entries_.find(id);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
}

bool tracking_cache::contains(std::string_view id) const {
    std::lock_guard lk(mutex_);
    return entries_.find(id) != entries_.end();
}

void tracking_cache::put(std::string_view id, const tracking& t) {
    if (capacity_ == 0) return;
    std::lock_guard lk(mutex_);
    if (const auto it = entries_.find(id); it != entries_.end()) {
        it->second = t;
        return;
    }
    entries_.emplace(std::string(id), t);
    order_.emplace_back(id);
    evict_locked();
}

void tracking_cache::update(std::string_view id, const tracking& t) {
    std::lock_guard lk(mutex_);
    if (const auto it = entries_.find(id); it != entries_.end()) it->second = t;
}

void tracking_cache::erase(std::string_view id) {
    std::lock_guard lk(mutex_);
    if (const auto it = entries_.find(id); it != entries_.end()) entries_.erase(it);
}

std::size_t tracking_cache::size() const {
    std::lock_guard lk(mutex_);
    return entries_.size();
}

void tracking_cache::evict_locked() {
    // Oldest first. The order list may still name ids erased (and perhaps
    // put again) since; trimming it at twice the capacity bounds it, at
    // worst dropping a live entry early.
    while (!order_.empty() && (entries_.size() > capacity_ || order_.size() > 2 * capacity_)) {
        if (const auto it = entries_.find(order_.front()); it != entries_.end()) entries_.erase(it);
        order_.pop_front();
    }
}

} // namespace qaqpa::storage::detail
