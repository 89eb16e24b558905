#include "routing/incident_desk.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "routing/destinations.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace qaqpa::routing {
namespace {

/// How long stop() lets the watch write what is pending, then cancels it.
constexpr std::chrono::milliseconds finish_bound{5000};

/// "25 h", "3 min", "40 s": a waiting time as people read it.
std::string waited(std::int64_t ms) {
    const auto s = ms / 1000;
    if (s >= 7200) return fmt::format("{} h", s / 3600);
    if (s >= 120) return fmt::format("{} min", s / 60);
    return fmt::format("{} s", s);
}

/// The open incident of `cause` still waiting for delivery to go on that
/// `match` accepts, or null.
template <class Match>
incident* waiting_for(std::map<std::string, incident>& live, incident_cause cause, Match match) {
    for (auto& [id, i] : live)
        if (i.state == incident_state::open && i.cause == cause && i.sent_ms == 0 && match(i)) return &i;
    return nullptr;
}

/// The oldest message a queue holds, or nullopt (none, or the store failing).
struct oldest_message {
    std::string id;
    std::int64_t received_ms = 0;
};

task<std::optional<oldest_message>> oldest_in(storage::message_store& messages, const std::string& queue) {
    auto head = co_await messages.scan(queue, 0, 1);
    if (!head || head->empty() || !head->front().body) co_return std::nullopt;
    co_return oldest_message{head->front().id, head->front().body->accepted_ms};
}

} // namespace

incident_desk::incident_desk(runtime& rt, storage::message_store& messages, storage::incident_store& store,
                             time_source& clock, metrics_registry& metrics, incident_notifier* notifier,
                             incident_settings settings)
    : runtime_(rt), messages_(messages), store_(store), clock_(clock), notifier_(notifier), settings_(settings),
      open_gauge_(metrics.get_gauge("qaqpa_incidents_open", "incidents not closed yet")), metrics_(metrics) {}

incident_desk::~incident_desk() { stop(); }

task<result<void>> incident_desk::load() {
    incident_query q;
    q.state = incident_state::open;
    q.limit = 1000;
    for (;;) {
        auto page = co_await store_.incidents(q);
        if (!page) co_return page.error();
        std::lock_guard lk(mutex_);
        for (auto& i : *page) live_[i.id] = std::move(i);
        if (page->size() < q.limit) break;
        q.after = live_.rbegin()->first;
    }
    std::lock_guard lk(mutex_);
    recount();
    co_return result<void>{};
}

void incident_desk::start() { tasks_.spawn(runtime_.context(0).get_executor(), watch()); }

void incident_desk::stop() {
    if (stopping_.exchange(true)) return;
    tasks_.close();
    wake();
    if (tasks_.wait(finish_bound)) return;
    tasks_.cancel();
    if (!tasks_.wait(finish_bound)) log::warn("incidents", "the incident watch did not end after the stop");
}

void incident_desk::wake() {
    woken_ = true;
    if (tasks_.running() == 0) return;
    boost::asio::post(runtime_.context(0), [this] {
        if (timer_) timer_->cancel();
    });
}

task<void> incident_desk::watch() {
    timer t(co_await boost::asio::this_coro::executor);
    timer_ = &t;
    while (!stopping_) {
        woken_ = false;
        co_await round();
        if (woken_ || stopping_) continue;
        clock_.arm(t, clock_.now() + settings_.tick_ms);
        boost::system::error_code ec;
        co_await t.async_wait(use_task_ec(ec));
    }
    co_await write_pending(); // what the last round changed
    clock_.disarm(t);
    timer_ = nullptr;
}

incident& incident_desk::open(incident i, std::int64_t now) {
    i.id = new_ordered_guid();
    i.opened_ms = now;
    i.next_notify_ms = notifier_ ? now : 0;
    auto& added = live_[i.id] = std::move(i);
    metrics_.get_counter("qaqpa_incidents_opened_total", "incidents opened, by cause", {{"cause", to_string(added.cause)}})
        .inc();
    recount();
    touch(added);
    log::warn("incidents", "incident {} opened: {}", added.id, added.reason);
    return added;
}

void incident_desk::recount() {
    open_gauge_.set(static_cast<std::int64_t>(std::count_if(
        live_.begin(), live_.end(), [](const auto& e) { return e.second.state == incident_state::open; })));
}

void incident_desk::touch(incident& i) {
    ++i.revision;
    dirty_.insert(i.id);
}

void incident_desk::point_switched(const std::string& point, bool on, const std::string& reason) {
    const auto now = clock_.now();
    {
        std::lock_guard lk(mutex_);
        auto* found = waiting_for(live_, incident_cause::point_off, [&](const incident& i) { return i.point == point; });
        if (on && found) {
            found->sent_ms = now; // delivery goes on
            touch(*found);
        } else if (!on && !found) {
            incident i;
            i.cause = incident_cause::point_off;
            i.point = point;
            i.queue = point_queue(point);
            i.reason = fmt::format("delivery point {} switched off: {}", point, reason);
            to_name_.insert(open(std::move(i), now).id);
        }
    }
    wake();
}

void incident_desk::watch_store(std::int64_t now) {
    const auto problem = messages_.write_problem();
    std::lock_guard lk(mutex_);
    auto* found = waiting_for(live_, incident_cause::store_failure, [](const incident&) { return true; });
    if (!problem.empty() && !found) {
        incident i;
        i.cause = incident_cause::store_failure;
        i.reason = problem; // "the store cannot write: …"
        open(std::move(i), now);
    } else if (problem.empty() && found) {
        found->sent_ms = now; // writes resumed
        touch(*found);
    }
}

task<void> incident_desk::scan_queues(std::int64_t now) {
    auto queues = co_await messages_.queues();
    if (!queues) co_return; // the store's own failure opens its incident
    std::set<std::string> overdue;
    for (const auto& [queue, depth] : *queues) {
        const auto first = co_await oldest_in(messages_, queue);
        if (!first || now - first->received_ms < settings_.undelivered_after_ms) continue;
        overdue.insert(queue);
        std::lock_guard lk(mutex_);
        if (waiting_for(live_, incident_cause::undelivered, [&](const incident& i) { return i.queue == queue; }))
            continue;
        incident i;
        i.cause = incident_cause::undelivered;
        i.queue = queue;
        if (auto dest = push_destination(queue); dest && dest->kind == destination_kind::point) i.point = dest->id;
        i.message_id = first->id;
        i.received_ms = first->received_ms;
        i.messages = static_cast<std::int64_t>(depth);
        i.reason = fmt::format("message {} has waited {} in queue {} (the limit is {}); {} messages are waiting there",
                               first->id, waited(now - first->received_ms), queue,
                               waited(settings_.undelivered_after_ms), depth);
        open(std::move(i), now);
    }
    // A queue with nothing overdue any more has delivered what waited.
    std::lock_guard lk(mutex_);
    while (auto* settled = waiting_for(live_, incident_cause::undelivered,
                                       [&](const incident& i) { return !overdue.count(i.queue); })) {
        settled->sent_ms = now;
        touch(*settled);
    }
}

task<void> incident_desk::name_waiting() {
    std::set<std::string> ids;
    {
        std::lock_guard lk(mutex_);
        ids.swap(to_name_);
    }
    for (const auto& id : ids) {
        std::string queue;
        {
            std::lock_guard lk(mutex_);
            if (auto it = live_.find(id); it != live_.end()) queue = it->second.queue;
        }
        if (queue.empty()) continue;
        const auto first = co_await oldest_in(messages_, queue);
        if (!first) continue; // nothing waits
        auto depth = co_await messages_.depth(queue);
        std::lock_guard lk(mutex_);
        auto it = live_.find(id);
        if (it == live_.end()) continue;
        it->second.message_id = first->id;
        it->second.received_ms = first->received_ms;
        it->second.messages = depth ? static_cast<std::int64_t>(*depth) : 0;
        touch(it->second);
    }
}

task<void> incident_desk::notify_due(std::int64_t now) {
    if (!notifier_) co_return;
    std::vector<incident> due;
    {
        std::lock_guard lk(mutex_);
        for (const auto& [id, i] : live_)
            if (i.state == incident_state::open && i.notified_ms == 0 && i.next_notify_ms <= now) due.push_back(i);
    }
    for (const auto& i : due) {
        if (stopping_) co_return;
        auto sent = co_await notifier_->notify(i);
        std::lock_guard lk(mutex_);
        auto it = live_.find(i.id);
        if (it == live_.end()) continue;
        auto& now_i = it->second;
        if (sent) {
            now_i.notified_ms = clock_.now();
            now_i.notify_error.clear();
        } else {
            ++now_i.notify_attempts;
            const auto shift = std::min(now_i.notify_attempts - 1, 30);
            now_i.next_notify_ms = clock_.now() + std::min(settings_.backoff_ms << shift, settings_.backoff_max_ms);
            now_i.notify_error = sent.error().detail;
            log::warn("incidents", "incident {}: notification attempt {} failed: {}", i.id, now_i.notify_attempts,
                      sent.error().detail);
        }
        touch(now_i);
    }
}

task<void> incident_desk::write_pending() {
    std::vector<incident> pending;
    {
        std::lock_guard lk(mutex_);
        for (const auto& id : dirty_)
            if (auto it = live_.find(id); it != live_.end()) pending.push_back(it->second);
        dirty_.clear();
    }
    for (const auto& i : pending) {
        auto written = co_await store_.put_incident(i);
        std::lock_guard lk(mutex_);
        auto it = live_.find(i.id);
        if (!written) {
            if (it != live_.end()) dirty_.insert(i.id); // the next round tries again
            if (!write_failing_) {
                if (written.error().code == errc::store_unavailable) // the store logged why
                    log::warn("incidents", "incident {} is kept in memory until the store writes again", i.id);
                else log::error("incidents", "incident {} not written: {}", i.id, written.error().detail);
            }
            write_failing_ = true;
            continue;
        }
        write_failing_ = false;
        // A closed incident leaves memory once its last change is written.
        if (it != live_.end() && it->second.state == incident_state::closed && it->second.revision == i.revision &&
            !dirty_.count(i.id))
            live_.erase(it);
    }
}

task<void> incident_desk::round() {
    const auto now = clock_.now();
    watch_store(now);
    if (watch_queues_.load(std::memory_order_relaxed) && now >= next_scan_ms_) {
        co_await scan_queues(now);
        next_scan_ms_ = now + std::clamp<std::int64_t>(settings_.undelivered_after_ms / 10, 1000, 60000);
    }
    co_await name_waiting(); // before the webhook is told
    co_await notify_due(now);
    co_await write_pending();
}

task<result<std::vector<incident>>> incident_desk::incidents(incident_query q) {
    auto stored = co_await store_.incidents(q);
    if (!stored) co_return stored.error();
    std::map<std::string, incident> page;
    for (auto& i : *stored) page[i.id] = std::move(i);
    {
        // Memory holds the newest state, and incidents the store could not take yet.
        std::lock_guard lk(mutex_);
        for (const auto& [id, i] : live_) {
            if (id <= q.after) continue;
            if (page.count(id) || ((!q.state || i.state == *q.state) && (stored->size() < q.limit || id < stored->back().id)))
                page[id] = i;
        }
    }
    std::vector<incident> out;
    for (auto& [id, i] : page) {
        if (out.size() == q.limit) break;
        if (!q.state || i.state == *q.state) out.push_back(std::move(i));
    }
    co_return out;
}

task<result<incident>> incident_desk::find(std::string id) {
    {
        std::lock_guard lk(mutex_);
        if (auto it = live_.find(id); it != live_.end()) co_return it->second;
    }
    auto stored = co_await store_.find_incident(id);
    if (!stored) co_return stored.error();
    if (!*stored) co_return fail(errc::not_found, "no incident has id \"" + id + "\"");
    co_return std::move(**stored);
}

task<result<incident>> incident_desk::update(std::string id, incident_update u) {
    std::optional<incident> changed;
    {
        std::lock_guard lk(mutex_);
        auto it = live_.find(id);
        if (it != live_.end() && it->second.state == incident_state::open) {
            auto& i = it->second;
            const auto now = clock_.now();
            if (u.responsible) i.responsible = *u.responsible;
            if (u.measures) i.measures = *u.measures;
            if (u.responded_ms) i.responded_ms = *u.responded_ms;
            else if ((u.responsible || u.measures) && i.responded_ms == 0) i.responded_ms = now;
            if (u.close) {
                i.state = incident_state::closed;
                i.closed_ms = now;
            }
            touch(i);
            recount();
            changed = i;
        }
    }
    if (!changed) {
        // Every open incident is in memory: one that is not is closed, or unknown.
        auto known = co_await find(id);
        if (!known) co_return known.error();
        co_return fail(errc::conflict, "incident " + id + " is closed");
    }
    auto written = co_await store_.put_incident(*changed);
    if (!written) co_return written.error(); // still pending: the watch writes it when it can
    std::lock_guard lk(mutex_);
    if (auto it = live_.find(id); it != live_.end() && it->second.revision == changed->revision) {
        dirty_.erase(id);
        if (it->second.state == incident_state::closed) live_.erase(it);
    }
    co_return std::move(*changed);
}

} // namespace qaqpa::routing
