#pragma once
// A node's part in a cluster of nodes sharing one store (a store on
// PostgreSQL; storage::shared_state). Every tick it follows what the other
// nodes changed: the live registry (saved through another node's admin API
// or SIGHUP: reinstalled here), the points switched off or on, and messages
// another node queued for a PUSH queue this node delivers. Every few ticks
// it renews its claims on the PUSH queues (one worker per queue across the
// cluster) and takes over those whose owner stopped renewing: a node that
// dies loses its queues to the others within `claim_ttl` and a claim round.
// One more claim, on no queue, makes one node the cluster's leader for the
// duties one node does for all (the incident desk's watch of the queues).
//
// Lifecycle: constructed by cmd/ when the store is shared, after the
// delivery engine and the registry editor; a service added after both (so
// it stops first: the node's workers stop, then its claims are given up for
// the others to take at once).
// Thread safety: start() and stop() from the node's thread; the loop runs on
// the runtime's first io_context.

#include "core/async.hpp"
#include "core/metrics.hpp"
#include "core/runtime.hpp"
#include "core/service.hpp"
#include "core/task_group.hpp"
#include "routing/delivery_engine.hpp"
#include "routing/point_states.hpp"
#include "routing/registry_editor.hpp"
#include "routing/registry_view.hpp"
#include "storage/shared_state.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <string>

namespace qaqpa::routing {

struct cluster_timing {
    std::chrono::milliseconds tick{250};
    std::chrono::milliseconds claim_every{1000};
    std::chrono::milliseconds claim_ttl{5000};
};

class cluster_follower final : public service {
public:
    cluster_follower(runtime& rt, storage::shared_state& shared, storage::message_store& store,
                     const registry_holder& registry, registry_editor& editor, point_states& points,
                     delivery_engine& engine, metrics_registry& metrics,
                     std::function<void(bool leads)> leading = {}, cluster_timing timing = {});
    ~cluster_follower() override;

    std::string_view name() const noexcept override { return "cluster follower"; }
    void start() override;
    void stop() override;

private:
    task<void> follow();
    task<void> follow_registry();
    task<void> follow_points();
    task<void> claim();
    task<void> give_up();
    void lead(bool leads);

    runtime& runtime_;
    storage::shared_state& shared_;
    storage::message_store& store_;
    const registry_holder& registry_;
    registry_editor& editor_;
    point_states& points_;
    delivery_engine& engine_;
    const std::function<void(bool)> leading_;
    const cluster_timing timing_;
    task_group tasks_{"cluster"};
    std::atomic<bool> stopping_{false};
    timer* timer_ = nullptr; ///< the loop's, on the first io_context
    gauge& owned_gauge_;       ///< PUSH queues this node delivers now
    gauge& leader_gauge_;      ///< 1 while this node leads the cluster
    counter& claim_failures_;  ///< claim rounds the store did not answer
    counter& followed_;        ///< registries installed from another node's save

    // The loop's own.
    std::string stamp_;                 ///< the registry's as last seen
    std::set<std::string> owned_;       ///< PUSH queues claimed (and the lead)
    std::chrono::steady_clock::time_point next_claim_{};
    std::chrono::steady_clock::time_point last_claimed_{}; ///< the last claim that succeeded
};

} // namespace qaqpa::routing
