#pragma once
// The PUSH delivery engine: the table of push_workers (one per PUSH queue: a
// delivery point, or an IS's own address), each on one io_context, and the
// switch that turns delivery to a point off and on (error shutdown, the
// administrator), with the notifications that switch causes.
//
// Lifecycle: constructed by cmd/ after the store, the registry and the
// point states; start() recovers a worker for every non-empty PUSH queue
// (messages accepted before a restart, in-flight PUSHes included, are
// delivered again). stop() asks every worker to finish at a clean point and
// waits for the engine's tasks (bounded, then cancelled); call it while the
// io_contexts run and before the store stops. release_workers() once the
// io_context threads have stopped and before the io_contexts are destroyed.
// Thread safety: every public method may be called from any thread.

#include "core/async.hpp"
#include "core/journal.hpp"
#include "core/metrics.hpp"
#include "core/runtime.hpp"
#include "core/service.hpp"
#include "core/task_group.hpp"
#include "core/time_source.hpp"
#include "routing/message_states.hpp"
#include "routing/outbound.hpp"
#include "routing/point_control.hpp"
#include "routing/point_states.hpp"
#include "routing/policies/throttle_table.hpp"
#include "routing/push_worker.hpp"
#include "routing/registry_view.hpp"
#include "storage/message_store.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace qaqpa::routing {

/// What PUSHes to an IS's own address (answers in its chains, status
/// notifications) use: it has no delivery point of its own.
struct system_push_policy {
    delivery_policy policy;
};

class delivery_engine final : public point_control, public service {
public:
    /// `throttles` and `points` are shared with the sync gateway: a point's
    /// throttle counts the calls of both channels, and a point that is off
    /// refuses both.
    delivery_engine(runtime& rt, storage::message_store& store, const registry_holder& registry,
                    const outbound_table& clients, throttle_table& throttles, point_states& points,
                    time_source& clock, metrics_registry& metrics, journal_sink& journal,
                    system_push_policy system_policy = {});
    ~delivery_engine() override;
    delivery_engine(const delivery_engine&) = delete;
    delivery_engine& operator=(const delivery_engine&) = delete;

    std::string_view name() const noexcept override { return "delivery engine"; }
    /// Starts a worker for every non-empty PUSH queue (in the background).
    void start() override;
    /// Something was queued on `queue`; pull queues are ignored.
    void wake(std::string_view queue);
    /// The registry changed: every worker looks at its queue again under the
    /// new policies (one waiting for a throttle window that is gone, say).
    void reconsider();
    /// Wakes the queues a state change queued notifications on.
    void wake_for(const storage::state_change& c);
    void stop() override;
    void release_workers() noexcept;

    /// Nodes sharing the store (storage::shared_state): the PUSH queues this
    /// node owns now, as its claims say (cluster_follower). Only owned
    /// queues get a worker; the worker of a queue no longer owned stops
    /// (an attempt under way finishes, and the new owner may repeat it: at
    /// least once). Until the first call none is (on a shared store).
    void own(std::set<std::string> queues);
    /// Nodes sharing the store: another node may have queued on a queue this
    /// one owns, at any position: every worker reads its queue from the head.
    void rescan_owned();
    /// Another node switched `point` on: its worker resumes at once.
    void resumed_elsewhere(const std::string& point);

    /// Switches delivery to a point off or on, durably. Off: its queued
    /// messages wait (reported DELIVERY_STOPPED) and new ones are still
    /// accepted. On: delivery resumes in order. unknown_point when no such
    /// point; switching to the current state is a no-op (false).
    task<result<bool>> switch_point(std::string point, bool on, std::string reason) override;
    task<result<point_state>> state(std::string point) override;

    /// What each PUSH queue's policies decided so far (for metrics).
    struct queue_counters {
        std::string queue;
        std::uint64_t attempts = 0;
        std::uint64_t failures = 0;
        std::uint64_t throttled_waits = 0; ///< times a PUSH waited for a throttle window
        std::uint64_t in_flight = 0;       ///< PUSHes under way now
        bool off = false;                  ///< its delivery point is switched off
    };
    std::vector<queue_counters> counters();

private:
    std::shared_ptr<push_worker> find_worker(std::string_view queue);
    /// unknown_point when the registry has no point `point`.
    std::optional<failure> unknown(const std::string& point) const;
    /// From the store: a message about to be written.
    void offer(const storage::new_message& m);
    task<void> recover();
    /// Tells the senders of the messages queued for `point` (services with
    /// notify_status) that they are now DELIVERY_STOPPED, or ON_DELIVERY
    /// again. Runs in the background, a window at a time.
    task<void> announce(std::string point, message_status status);

    runtime& runtime_;
    storage::message_store& store_;
    const registry_holder& registry_;
    point_states& points_;
    time_source& clock_;
    journal_sink& journal_;
    task_group tasks_{"delivery"};
    delivery_probe probe_;
    push_context context_;

    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<push_worker>, std::less<>> workers_; ///< guarded by mutex_
    std::optional<std::set<std::string, std::less<>>> owned_; ///< guarded by mutex_; nullopt: every queue (a store of its own)
    std::atomic<bool> stopping_{false};
};

} // namespace qaqpa::routing
