#include "routing/delivery_engine.hpp"

#include "core/log.hpp"
#include "routing/destinations.hpp"

#include <chrono>

namespace qaqpa::routing {

namespace {
/// Queue entries an announcement reads at a time.
constexpr std::size_t announce_window = 64;
/// How long stop() lets the workers finish their current PUSHes before it
/// cancels them (what is not confirmed stays queued).
constexpr std::chrono::seconds finish_bound{3};
constexpr std::chrono::seconds cancel_bound{1};
} // namespace

delivery_engine::delivery_engine(runtime& rt, storage::message_store& store, const registry_holder& registry,
                                 const outbound_table& clients, throttle_table& throttles, point_states& points,
                                 time_source& clock, metrics_registry& metrics, journal_sink& journal,
                                 system_push_policy system_policy)
    : runtime_(rt), store_(store), registry_(registry), points_(points), clock_(clock), journal_(journal),
      probe_(metrics),
      context_{store,
               registry,
               clients,
               throttles,
               points,
               clock,
               tasks_,
               probe_,
               journal,
               system_policy.policy,
               random_jitter,
               [this](std::string point, std::string reason) -> task<void> {
                   auto switched = co_await switch_point(point, false, std::move(reason));
                   if (!switched) log::error("delivery", "switching {} off: {}", point, switched.error().detail);
                   else if (*switched) probe_.error_shutdowns.inc();
               },
               [this](const storage::state_change& c) { wake_for(c); }} {
    if (store_.shared()) owned_.emplace(); // none until this node's first claims
    store_.set_queued_observer([this](const storage::new_message& m) { offer(m); });
}

delivery_engine::~delivery_engine() { stop(); }

void delivery_engine::start() { tasks_.spawn(runtime_.context(0).get_executor(), recover()); }

task<void> delivery_engine::recover() {
    auto queues = co_await store_.queues();
    if (!queues) {
        log::error("delivery", "listing the queues to deliver: {}", queues.error().detail);
        co_return;
    }
    for (const auto& [queue, depth] : *queues) wake(queue);
}

std::optional<failure> delivery_engine::unknown(const std::string& point) const {
    if (registry_.current()->point(point)) return std::nullopt;
    return fail(errc::unknown_point, "no delivery point \"" + point + "\"");
}

task<result<bool>> delivery_engine::switch_point(std::string point, bool on, std::string reason) {
    if (auto missing = unknown(point)) co_return *missing;
    std::vector<journal_event> rows;
    if (journal_.enabled()) {
        journal_event e;
        e.kind = on ? journal_event_kind::resumed : journal_event_kind::stopped;
        e.channel = journal_channel::admin;
        e.transport.clear();
        e.point = point;
        e.state = on ? "ON" : "OFF";
        e.detail = reason;
        e.at_ms = clock_.now();
        rows.push_back(std::move(e));
    }
    auto changed = co_await points_.set(point, on, reason, std::move(rows));
    if (!changed || !*changed) co_return changed;
    log::warn("delivery", "delivery point {} switched {}{}", point, on ? "on" : "off", on ? "" : ": " + reason);
    if (on)
        if (auto w = find_worker(point_queue(point))) w->resume(); // in order, at once
    const auto now = clock_.now();
    auto status = on ? make_status(message_state::on_delivery, status_code::accepted, "delivery resumed", now)
                     : make_status(message_state::delivery_stopped, status_code::stopped, reason, now);
    tasks_.spawn(runtime_.context(0).get_executor(), announce(point, std::move(status)));
    co_return true;
}

task<result<point_state>> delivery_engine::state(std::string point) {
    if (auto missing = unknown(point)) co_return *missing;
    point_state s;
    s.id = point;
    if (auto why = points_.off(point)) {
        s.on = false;
        s.reason = *why;
    }
    const auto queue = point_queue(point);
    auto depth = co_await store_.depth(queue);
    if (!depth) co_return depth.error();
    s.queue_depth = *depth;
    if (auto w = find_worker(queue)) {
        const auto c = w->read_counters();
        s.attempts = c.attempts;
        s.failures = c.failures;
        s.throttled_waits = c.throttled_waits;
        s.in_flight = c.in_flight;
    }
    co_return s;
}

task<void> delivery_engine::announce(std::string point, message_status status) {
    const auto queue = point_queue(point);
    for (std::uint64_t from = 0; !stopping_;) {
        auto entries = co_await store_.scan(queue, from, announce_window);
        if (!entries || entries->empty()) break;
        const auto view = registry_.current();
        for (const auto& e : *entries) {
            if (stopping_ || e.body->kind != storage::record_kind::message) continue;
            auto track = co_await store_.track(e.id);
            if (!track || !*track || is_final((*track)->status.state)) continue;
            const auto rules = notify_rules_of(*view, (*track)->service_id, (*track)->sender);
            if (!notifies(rules, status.state)) continue; // (a stop or a resumption: notify_status, or a peer)
            auto notice = status_notice(e.id, **track, status, *rules.sender);
            const auto to = notice.track.destination;
            if (auto queued = co_await store_.accept(std::move(notice)); queued) wake(to);
        }
        from = entries->back().seq + 1;
    }
}

std::shared_ptr<push_worker> delivery_engine::find_worker(std::string_view queue) {
    if (stopping_) return nullptr;
    auto dest = push_destination(queue);
    if (!dest) return nullptr;
    std::shared_ptr<push_worker> w;
    {
        std::lock_guard lk(mutex_);
        if (auto it = workers_.find(queue); it != workers_.end()) return it->second;
        if (owned_ && !owned_->contains(queue)) return nullptr; // another node's to PUSH
        const auto i = std::hash<std::string_view>{}(queue) % runtime_.size();
        w = std::make_shared<push_worker>(std::string(queue), std::move(*dest), runtime_.context(i).get_executor(),
                                          context_);
        workers_.emplace(w->queue(), w);
    }
    // Outside the lock: on its own thread the loop may start at once.
    w->start();
    return w;
}

void delivery_engine::own(std::set<std::string> queues) {
    std::vector<std::shared_ptr<push_worker>> lost;
    std::vector<std::string> gained;
    {
        std::lock_guard lk(mutex_);
        for (auto it = workers_.begin(); it != workers_.end();) {
            if (queues.contains(it->first)) {
                ++it;
                continue;
            }
            lost.push_back(std::move(it->second));
            it = workers_.erase(it);
        }
        for (const auto& q : queues)
            if (!owned_ || !owned_->contains(q)) gained.push_back(q);
        owned_.emplace(queues.begin(), queues.end());
    }
    for (auto& w : lost) w->stop();
    for (const auto& q : gained) wake(q); // a worker reads its queue from the head
}

void delivery_engine::rescan_owned() {
    std::lock_guard lk(mutex_);
    for (auto& [queue, w] : workers_) w->rescan();
}

void delivery_engine::resumed_elsewhere(const std::string& point) {
    if (auto w = find_worker(point_queue(point))) w->resume();
}

void delivery_engine::wake(std::string_view queue) {
    if (auto w = find_worker(queue)) w->wake();
}

void delivery_engine::offer(const storage::new_message& m) {
    if (auto w = find_worker(m.track.destination)) w->offer(m.track.seq, m.body, m.track);
}

void delivery_engine::reconsider() {
    std::lock_guard lk(mutex_);
    for (auto& [queue, w] : workers_) w->reconsider();
}

void delivery_engine::wake_for(const storage::state_change& c) {
    for (const auto& m : c.enqueue) wake(m.track.destination);
}

void delivery_engine::stop() {
    if (stopping_.exchange(true)) return;
    store_.set_queued_observer(nullptr);
    {
        std::lock_guard lk(mutex_);
        for (auto& [q, w] : workers_) w->stop();
    }
    tasks_.close();
    // A worker in the middle of a PUSH finishes it (bounded by its timeout);
    // the node does not wait that long: what is not confirmed stays queued.
    if (tasks_.wait(finish_bound)) return;
    tasks_.cancel();
    if (!tasks_.wait(cancel_bound))
        log::warn("delivery", "{} delivery tasks still running after the stop", tasks_.running());
}

void delivery_engine::release_workers() noexcept {
    std::lock_guard lk(mutex_);
    workers_.clear();
}

std::vector<delivery_engine::queue_counters> delivery_engine::counters() {
    std::lock_guard lk(mutex_);
    std::vector<queue_counters> out;
    for (const auto& [queue, w] : workers_) {
        const auto c = w->read_counters();
        out.push_back({queue, c.attempts, c.failures, c.throttled_waits, c.in_flight,
                       w->dest().kind == destination_kind::point && points_.is_off(w->dest().id)});
    }
    return out;
}

} // namespace qaqpa::routing
