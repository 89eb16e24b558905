#include "routing/scrape_gauges.hpp"

namespace qaqpa::routing {

task<void> scrape_gauges::refresh(const registry_holder& registry, const point_states& points,
                                  storage::message_store& messages, metrics_registry& metrics) {
    const auto view = registry.current();
    for (const auto& dp : view->data().delivery_points)
        metrics.get_gauge("qaqpa_delivery_point_up", "1 while delivery to the point is on, 0 while it is off",
                          {{"point", dp.id}})
            .set(points.is_off(dp.id) ? 0 : 1);
    auto queues = co_await messages.queues(); // the non-empty ones
    if (!queues) co_return;
    std::lock_guard lk(mutex_);
    for (auto& [queue, g] : depths_) g->set(0); // emptied since the last scrape
    for (const auto& [queue, depth] : *queues) {
        auto& g = depths_[queue];
        if (!g)
            g = &metrics.get_gauge("qaqpa_queue_depth", "messages waiting in a queue (a delivery point's or an inbox)",
                                   {{"queue", queue}});
        g->set(static_cast<std::int64_t>(depth));
    }
}

} // namespace qaqpa::routing
