#pragma once
// The PUSH delivery engine: one worker per PUSH queue (a delivery point, or
// an IS's own address), each a coroutine on one io_context, delivering its
// queue in order, one call at a time. A failed attempt is retried after the
// delivery point's back-off while the worker goes on with the messages
// behind it; a message gets 1 + retries attempts, then NOT_DELIVERED. A
// recipient that fails several calls in a row is paced instead (see
// policies/failure_streak.hpp), so a recipient that is down costs little.
//
// The queue itself stays in the store: a worker reads a window of entries at
// a time, so a million queued messages cost disk, not memory. A message just
// accepted is also handed to its worker by the store while its batch is being
// synced, so an idle recipient gets it without waiting for the fsync; the
// sender's answer still waits for it. Each outcome is written in the
// background while the worker goes on. Delivery is at least once: a crash
// between a PUSH and the write of its outcome repeats the PUSH.
//
// Lifecycle: constructed by cmd/ after the store and the registry; start()
// recovers a worker for every non-empty PUSH queue (messages accepted before
// a restart, in-flight PUSHes included, are delivered again). stop() asks
// the workers to finish their current call and waits (bounded); call it
// while the io_contexts run and before the store stops.
// Thread safety: wake() may be called from any thread.

#include "core/async.hpp"
#include "core/runtime.hpp"
#include "routing/message_states.hpp"
#include "routing/policies/throttle_table.hpp"
#include "routing/push.hpp"
#include "routing/registry_view.hpp"
#include "storage/message_store.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace qaqpa::routing {

/// What PUSHes to an IS's own address (answers in its chains, status
/// notifications) use: it has no delivery point of its own.
struct system_push_policy {
    delivery_policy policy;
};

class delivery_engine {
public:
    /// `throttles` is shared with the sync gateway: a point's throttle
    /// counts the calls of both channels.
    delivery_engine(runtime& rt, storage::message_store& store, const registry_holder& registry, push_client& client,
                    throttle_table& throttles, system_push_policy system_policy = {});
    ~delivery_engine();
    delivery_engine(const delivery_engine&) = delete;
    delivery_engine& operator=(const delivery_engine&) = delete;

    /// Starts a worker for every non-empty PUSH queue (the points switched
    /// off are known from construction).
    void start();
    /// Something was queued on `queue`; pull queues are ignored.
    void wake(std::string_view queue);
    /// The registry changed: every worker looks at its queue again under the
    /// new policies (one waiting for a throttle window that is gone, say).
    void reconsider();
    /// Wakes the queues a state change queued notifications on.
    void wake_for(const storage::state_change& c);
    void stop();
    /// Drops the engine's references to its workers; only once the io_context
    /// threads have stopped and before the io_contexts are destroyed (their
    /// timers belong to those contexts; see cmd/node.cpp).
    void release_workers() noexcept;

    /// Switches delivery to a point off or on, durably (the admin switch and
    /// error shutdown). Off: its queued messages wait (reported
    /// DELIVERY_STOPPED) and new ones are still accepted. On: delivery
    /// resumes in order. unknown_message when no such point; switching to
    /// the current state is a no-op (false).
    task<result<bool>> switch_point(std::string point, bool on, std::string reason);
    /// Why delivery to the queue's point is off; nullopt while it is on.
    std::optional<std::string> stopped(std::string_view queue);
    /// The same, by delivery point id.
    std::optional<std::string> point_off(std::string_view point);

    /// What each PUSH queue's policies decided so far (for metrics).
    struct queue_counters {
        std::string queue;
        std::uint64_t attempts = 0;
        std::uint64_t failures = 0;
        std::uint64_t throttled_waits = 0; ///< times a PUSH waited for a throttle window
        bool off = false;                  ///< its delivery point is switched off
    };
    std::vector<queue_counters> counters();

private:
    struct worker;
    struct fresh_message;
    std::shared_ptr<worker> find_worker(std::string_view queue, bool& created);
    /// Wakes a queue's worker with its failure streak forgotten.
    void resume(std::string_view queue);
    /// From the store's committer: a message about to be written.
    void offer(const storage::new_message& m);
    task<void> run(std::shared_ptr<worker> w);
    task<std::optional<unix_ms>> process_window(std::shared_ptr<worker> w);
    /// One delivery attempt; returns the retry time when it failed and will
    /// be retried. The outcome is written by settle(), in the background.
    task<std::optional<unix_ms>> attempt(std::shared_ptr<worker> w, const storage::queue_entry& e,
                                         storage::tracking track, std::shared_ptr<const registry_view> view,
                                         const call_policy* policy);
    task<void> settle(std::shared_ptr<worker> w, std::uint64_t seq, storage::state_change change);
    /// What a queued message's PUSH is held to: its sender's effective
    /// policy for the worker's point; null for an IS's own address or a
    /// point no longer registered.
    static const call_policy* policy_of(const registry_view& view, const worker& w, const storage::tracking& t);
    /// Why a message may not be attempted yet, and until when.
    struct hold {
        unix_ms until;
        bool whole_queue; ///< the point is off, paced or throttled: nothing behind it goes either
    };
    /// Whether a message PUSHed under `policy` must wait; when it need not,
    /// its throttle window has recorded the call start.
    std::optional<hold> held(worker& w, const call_policy* policy);
    /// Counts a failed attempt in its error-shutdown window (the point's, or
    /// the sender's own) and switches the point off when it trips.
    task<void> count_failure(std::shared_ptr<worker> w, const call_policy* policy);
    /// Tells the senders of the messages queued for `point` (services with
    /// notify_status) that they are now DELIVERY_STOPPED, or ON_DELIVERY
    /// again. Runs in the background, a window at a time.
    task<void> announce(std::string point, message_status status);

    runtime& runtime_;
    storage::message_store& store_;
    const registry_holder& registry_;
    push_client& client_;
    throttle_table& throttles_;
    system_push_policy system_policy_;

    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<worker>, std::less<>> workers_;
    std::map<std::string, std::string, std::less<>> points_off_; ///< point → why; guarded by mutex_
    std::atomic<int> running_{0};
    std::atomic<bool> stopping_{false};
};

} // namespace qaqpa::routing
