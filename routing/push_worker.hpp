#pragma once
// One PUSH queue's delivery (a delivery point's, or an IS's own address):
// reads its queue a window at a time from the store and PUSHes the messages
// through the outbound client of the point's kind, up to the policy's
// `concurrency` at once (1: one at a time, in strict queue order). A failed
// attempt is retried after the back-off while the worker goes on with the
// messages behind it; a message gets 1 + retries attempts, then
// NOT_DELIVERED. Throttle, pacing of a recipient that seems down (see
// policies/failure_streak.hpp) and error shutdown count every attempt of
// every one in flight. Delivery is at least once: a crash between a PUSH and
// the write of its outcome repeats the PUSH.
//
// The queue stays in the store, so a million queued messages cost disk, not
// memory. A message just accepted is offered by the store while its batch is
// synced, so an idle recipient gets it without waiting for the fsync.
//
// Every time decision asks the injected time_source, so tests run a worker
// on simulated time.
//
// Lifecycle: made and started by the delivery engine (its table of
// workers); its loop and its attempts are tasks of the engine's task group.
// stop() lets them finish at a clean point.
// Thread safety: the public methods may be called from any thread (they post
// to the worker's executor); everything else runs on that executor.

#include "core/async.hpp"
#include "core/journal.hpp"
#include "core/task_group.hpp"
#include "core/time_source.hpp"
#include "routing/delivery_probe.hpp"
#include "routing/destinations.hpp"
#include "routing/outbound.hpp"
#include "routing/point_states.hpp"
#include "routing/policies/failure_streak.hpp"
#include "routing/policies/sliding_window.hpp"
#include "routing/policies/throttle_table.hpp"
#include "routing/registry_view.hpp"
#include "storage/message_store.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

namespace qaqpa::routing {

/// What every worker of an engine shares.
struct push_context {
    storage::message_store& store;
    const registry_holder& registry;
    const outbound_table& clients;
    throttle_table& throttles; ///< shared with the sync channel
    const point_states& points;
    time_source& clock;
    task_group& tasks;
    delivery_probe& probe;
    journal_sink& journal;
    /// What PUSHes to an IS's own address are held to (it has no point).
    delivery_policy system_policy;
    /// In [-1, 1]: spreads retries of messages that failed together.
    std::function<double()> jitter;
    /// Error shutdown tripped at `point`: switch it off, durably.
    std::function<task<void>(std::string point, std::string reason)> shut_down;
    /// An outcome was written: wake the queues it put notifications on.
    std::function<void(const storage::state_change&)> settled;
};

class push_worker : public std::enable_shared_from_this<push_worker> {
public:
    push_worker(std::string queue, destination dest, const executor& ex, push_context& ctx);
    ~push_worker();
    push_worker(const push_worker&) = delete;
    push_worker& operator=(const push_worker&) = delete;

    /// Spawns the worker's loop; it reads its queue first thing.
    void start();
    /// Something was queued, or may be due now: look at the queue again.
    void wake();
    /// Something may have been queued anywhere in the queue (by another node
    /// sharing the store): the next pass reads it from the head.
    void rescan();
    /// The point was switched on: the recipient is taken to be back.
    void resume();
    /// A message about to be written (sequence assigned, batch not synced).
    void offer(std::uint64_t seq, std::shared_ptr<const storage::queued_message> body, storage::tracking track);
    /// The registry changed: waits decided under the old policies end.
    void reconsider();
    /// Finish at a clean point: no new attempt starts.
    void stop();

    const std::string& queue() const noexcept { return queue_; }
    const destination& dest() const noexcept { return dest_; }

    struct counters {
        std::uint64_t attempts = 0;
        std::uint64_t failures = 0;
        std::uint64_t throttled_waits = 0; ///< times a PUSH waited for a throttle window
        std::uint64_t in_flight = 0;
    };
    counters read_counters() const noexcept;

private:
    struct fresh_message {
        std::uint64_t seq;
        std::shared_ptr<const storage::queued_message> body;
        storage::tracking track;
    };
    /// Why a message may not be attempted yet, and until when.
    struct hold {
        unix_ms until;
        bool whole_queue; ///< the point is off, paced or throttled: nothing behind it goes either
    };
    /// What one pass over the queue decided so far.
    struct pass;

    task<void> run();
    /// One pass; when to look again (nullopt: at once).
    task<std::optional<unix_ms>> process_window();
    /// Considers one queued message: skips it, keeps it for later, or
    /// launches its attempt. False when the pass must end (`stop_at` set).
    task<bool> consider(pass& p, std::uint64_t seq, std::shared_ptr<const storage::queued_message> body,
                        std::optional<storage::tracking> known);
    /// Waits until fewer than the policy's `concurrency` attempts are in
    /// flight; false when stopping.
    task<bool> free_slot(const call_policy* policy);
    void launch(std::uint64_t seq, std::shared_ptr<const storage::queued_message> body, storage::tracking track,
                std::shared_ptr<const registry_view> view, const call_policy* policy);
    /// `self` keeps the worker alive while the attempt runs.
    task<void> attempt(std::shared_ptr<push_worker> self, std::uint64_t seq,
                       std::shared_ptr<const storage::queued_message> body, storage::tracking track,
                       std::shared_ptr<const registry_view> view, const call_policy* policy);
    task<push_result> deliver(const registry_view& view, const storage::queued_message& body,
                              const storage::tracking& track, const delivery_policy& policy);
    task<void> settle(std::uint64_t seq, storage::state_change change);
    /// Adds the journal's row for an event of a delivery (none with the journal off).
    void journal(std::vector<journal_event>& rows, journal_event_kind kind, const storage::queued_message& body,
                 const storage::tracking& track, std::string detail, unix_ms started, message_state state) const;
    const call_policy* policy_of(const registry_view& view, const storage::tracking& t) const;
    /// How many attempts may be in flight under `policy` (its concurrency).
    std::size_t slots_of(const call_policy* policy) const;
    /// Off or paced: nothing goes.
    std::optional<hold> held() const;
    /// Over `policy`'s throttle (it has one): takes a start from its window,
    /// or says until when to wait (the point's window holds the queue).
    task<std::optional<hold>> throttled(const call_policy* policy);
    task<void> count_failure(const call_policy* policy);
    void poke(); ///< on the executor: look again at once

    const std::string queue_;
    const destination dest_;
    const executor ex_;
    push_context& ctx_;
    delivery_probe::queue_series series_; ///< this queue's attempts by outcome

    // Touched on ex_ only.
    timer wake_timer_; ///< the loop sleeps on it
    timer slot_timer_; ///< the loop waits on it for an attempt to end
    bool dirty_ = false;
    bool stopping_ = false;
    std::uint64_t cursor_ = 0;     ///< every entry below it is settled or being settled
    std::uint64_t high_water_ = 0; ///< the highest sequence attempted so far
    /// The lowest sequence whose attempt ended in a retry since the last
    /// pass looked: the next pass starts no later than there.
    std::uint64_t retried_below_ = UINT64_MAX;
    std::map<std::uint64_t, unix_ms> deferred_; ///< seq → retry time, within the window
    std::set<std::uint64_t> in_flight_;         ///< being attempted
    std::set<std::uint64_t> settling_;          ///< attempted; the outcome is being written
    std::deque<fresh_message> fresh_;           ///< just accepted, possibly not yet synced
    struct error_window {
        error_shutdown_policy policy; ///< the policy `window` was built for
        sliding_window window;
    };
    /// Failed attempts by call_policy::shutdown_key: the point's own window
    /// and those of senders with their own error shutdown.
    std::unordered_map<std::string, error_window> errors_;
    failure_streak streak_;  ///< attempts failed in a row; paces a recipient that is down
    unix_ms held_until_ = 0; ///< the point's throttle window is full until then: no scan before

    // Read by read_counters() from any thread.
    std::atomic<std::uint64_t> attempts_{0}, failures_{0}, throttled_waits_{0}, in_flight_count_{0};
};

} // namespace qaqpa::routing
