#pragma once
// Opens, notifies and settles the incident journal's records (rules of 2016,
// §19 and appendix 7):
//   - a delivery point switched off (error shutdown or the administrator)
//     opens one; switching it on records the send time;
//   - a queue whose oldest message has waited [incidents] undelivered_after_s
//     opens one per queue (naming that message and the queue's depth); the
//     send time is recorded once no message there is overdue;
//   - the store failing to write opens one (kept in memory and notified at
//     once, written when writes resume, with the send time then).
// Each new incident is POSTed to the webhook (incident_notifier) until it is
// delivered, with back-off as a PUSH has; its delivery time is "notified".
// The watch runs on event loop 0 every tick and at once after a switch.
//
// Lifecycle: constructed by cmd/ after the store; load() before start();
// stop() writes what is pending (bounded) before the store stops.
// Thread safety: every public method may be called from any thread.

#include "core/metrics.hpp"
#include "core/runtime.hpp"
#include "core/service.hpp"
#include "core/task_group.hpp"
#include "core/time_source.hpp"
#include "routing/incident_control.hpp"
#include "storage/incident_store.hpp"
#include "storage/message_store.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <set>

namespace qaqpa::routing {

struct incident_settings {
    std::int64_t undelivered_after_ms = 86'400'000;
    std::int64_t tick_ms = 1000;          ///< how often the store's health and due notifications are looked at
    std::int64_t backoff_ms = 1000;       ///< the first webhook retry; doubled per failure
    std::int64_t backoff_max_ms = 60000;
};

class incident_desk final : public incident_control, public service {
public:
    /// `notifier` may be null (no webhook configured): "notified" stays empty.
    incident_desk(runtime& rt, storage::message_store& messages, storage::incident_store& store, time_source& clock,
                  metrics_registry& metrics, incident_notifier* notifier, incident_settings settings = {});
    ~incident_desk() override;

    std::string_view name() const noexcept override { return "incident desk"; }
    /// Reads the open incidents from the store.
    task<result<void>> load();
    void start() override;
    void stop() override;

    /// Whether this node watches the queues for undelivered messages: on a
    /// store nodes share, only the node leading the cluster does (one
    /// incident per queue, not one per node). On until told otherwise.
    void watch_queues(bool on) { watch_queues_.store(on, std::memory_order_relaxed); }

    /// A delivery point was switched off or on (point_states tells it).
    void point_switched(const std::string& point, bool on, const std::string& reason);

    /// One round of the watch now: the store's health, the queues (when a
    /// scan is due), notifications due, pending writes. On event loop 0, or
    /// in tests on their own io_context.
    task<void> round();

    task<result<std::vector<incident>>> incidents(incident_query q) override;
    task<result<incident>> find(std::string id) override;
    task<result<incident>> update(std::string id, incident_update u) override;

private:
    /// Opens `i` (its cause, what it concerns and its reason filled in) at
    /// `now`: counted, logged, to be written and notified. Under mutex_.
    incident& open(incident i, std::int64_t now);
    void touch(incident& i);                                    ///< under mutex_: changed, to be written
    void recount();                                             ///< under mutex_: the open gauge
    void watch_store(std::int64_t now);
    task<void> scan_queues(std::int64_t now);
    std::atomic<bool> watch_queues_{true};
    /// A point's new incident names the oldest message its queue holds.
    task<void> name_waiting();
    task<void> notify_due(std::int64_t now);
    task<void> write_pending();
    task<void> watch();
    void wake();

    runtime& runtime_;
    storage::message_store& messages_;
    storage::incident_store& store_;
    time_source& clock_;
    incident_notifier* notifier_;
    incident_settings settings_;
    gauge& open_gauge_;
    metrics_registry& metrics_;
    task_group tasks_{"incidents"};

    std::mutex mutex_;
    std::map<std::string, incident> live_; ///< open incidents, and closed ones not yet written
    std::set<std::string> dirty_;          ///< ids changed since their last write
    std::set<std::string> to_name_;        ///< new point_off incidents whose queue is not looked at yet
    std::int64_t next_scan_ms_ = 0;
    bool write_failing_ = false;           ///< logged once per outage
    std::atomic<bool> stopping_{false};
    std::atomic<bool> woken_{false};
    timer* timer_ = nullptr; ///< the watch's, touched on event loop 0 only
};

} // namespace qaqpa::routing
