#include "routing/point_states.hpp"

#include "routing/destinations.hpp"

namespace qaqpa::routing {

task<result<void>> point_states::load() {
    auto stored = co_await store_.points_off();
    if (!stored) co_return stored.error();
    std::lock_guard lk(mutex_);
    for (auto& [point, why] : *stored) off_[point] = std::move(why);
    off_count_ = off_.size();
    co_return result<void>{};
}

std::optional<std::string> point_states::off(std::string_view point) const {
    if (off_count_.load(std::memory_order_acquire) == 0) return std::nullopt;
    std::lock_guard lk(mutex_);
    const auto it = off_.find(point);
    if (it == off_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> point_states::off_for_queue(std::string_view queue) const {
    const auto dest = push_destination(queue);
    if (!dest || dest->kind != destination_kind::point) return std::nullopt;
    return off(dest->id);
}

task<result<bool>> point_states::set(std::string point, bool on, std::string reason, std::vector<journal_event> journal) {
    if (on != is_off(point)) co_return false; // already so
    auto written = co_await store_.set_point_off(point, !on, reason, std::move(journal));
    if (!written) co_return written.error();
    {
        std::lock_guard lk(mutex_);
        if (on) off_.erase(point);
        else off_[point] = reason;
        off_count_.store(off_.size(), std::memory_order_release);
        generation_.fetch_add(1, std::memory_order_acq_rel);
    }
    if (observer_) observer_(point, on, reason);
    co_return true;
}

std::vector<std::string> point_states::adopt(const std::vector<std::pair<std::string, std::string>>& stored,
                                             std::uint64_t seen) {
    std::vector<std::string> switched_on;
    std::lock_guard lk(mutex_);
    if (generation_.load(std::memory_order_acquire) != seen) return switched_on; // the read may predate it
    std::map<std::string, std::string, std::less<>> next(stored.begin(), stored.end());
    for (const auto& [point, why] : off_)
        if (!next.contains(point)) switched_on.push_back(point);
    off_ = std::move(next);
    off_count_.store(off_.size(), std::memory_order_release);
    return switched_on;
}

} // namespace qaqpa::routing
