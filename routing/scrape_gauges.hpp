#pragma once
// The gauges /metrics reads at scrape time: each queue's depth
// (qaqpa_queue_depth{queue}) and each delivery point's on/off state
// (qaqpa_delivery_point_up{point}). A point removed from the registry keeps
// its last value until a restart; a queue emptied since the last scrape
// reads 0.
// Thread safety: refresh() may run on several event loops at once.

#include "core/async.hpp"
#include "core/metrics.hpp"
#include "routing/point_states.hpp"
#include "routing/registry_view.hpp"
#include "storage/message_store.hpp"

#include <map>
#include <mutex>
#include <string>

namespace qaqpa::routing {

class scrape_gauges {
public:
    task<void> refresh(const registry_holder& registry, const point_states& points, storage::message_store& messages,
                       metrics_registry& metrics);

private:
    std::mutex mutex_;
    std::map<std::string, gauge*> depths_; ///< every queue seen non-empty
};

} // namespace qaqpa::routing
