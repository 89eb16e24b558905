#include "routing/delivery_engine.hpp"

#include "core/ids.hpp"
#include "core/log.hpp"
#include "routing/destinations.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <thread>

namespace qaqpa::routing {

namespace asio = boost::asio;

namespace {

/// Queue entries read at a time (their messages included).
constexpr std::size_t window = 64;
/// A worker whose store read failed tries again after this long.
constexpr unix_ms store_retry_ms = 1000;

} // namespace

struct delivery_engine::worker {
    worker(std::string q, destination d, executor e) : queue(std::move(q)), dest(std::move(d)), ex(e), wake_timer(e) {}

    std::string queue;
    destination dest;
    executor ex;
    // Touched on `ex` only.
    timer wake_timer;
    bool dirty = false;
    bool stopping = false;
    std::uint64_t cursor = 0;                 ///< every entry below it is gone
    std::map<std::uint64_t, unix_ms> deferred; ///< seq → retry time, within the window
};

delivery_engine::delivery_engine(runtime& rt, storage::message_store& store, const registry_holder& registry,
                                 push_client& client, system_push_policy system_policy)
    : runtime_(rt), store_(store), registry_(registry), client_(client), system_policy_(system_policy) {}

delivery_engine::~delivery_engine() { stop(); }

void delivery_engine::start() {
    for (const auto& [queue, depth] : store_.queues()) wake(queue);
}

void delivery_engine::wake(std::string_view queue) {
    if (stopping_) return;
    auto dest = push_destination(queue);
    if (!dest) return;
    std::shared_ptr<worker> w;
    {
        std::lock_guard lk(mutex_);
        auto it = workers_.find(queue);
        if (it == workers_.end()) {
            const auto i = std::hash<std::string_view>{}(queue) % runtime_.size();
            w = std::make_shared<worker>(std::string(queue), std::move(*dest), runtime_.context(i).get_executor());
            workers_.emplace(w->queue, w);
            ++running_;
            asio::co_spawn(w->ex, run(w), asio::detached);
            return; // a new worker reads its queue first thing
        }
        w = it->second;
    }
    asio::post(w->ex, [w] {
        w->dirty = true;
        w->wake_timer.cancel();
    });
}

void delivery_engine::wake_for(const storage::state_change& c) {
    for (const auto& m : c.enqueue) wake(m.track.destination);
}

void delivery_engine::stop() {
    if (stopping_.exchange(true)) return;
    {
        std::lock_guard lk(mutex_);
        for (auto& [q, w] : workers_)
            asio::post(w->ex, [w = w] {
                w->stopping = true;
                w->wake_timer.cancel();
            });
    }
    // A worker in the middle of a PUSH finishes it (bounded by its timeout);
    // the node does not wait that long: what is not confirmed stays queued.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (running_ > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

task<void> delivery_engine::run(std::shared_ptr<worker> w) {
    while (!w->stopping) {
        w->dirty = false;
        const auto sleep_until = co_await process_window(*w);
        if (w->stopping) break;
        if (w->dirty || !sleep_until) continue;
        const auto wait = *sleep_until - now_ms();
        if (wait <= 0) continue;
        w->wake_timer.expires_after(std::chrono::milliseconds(wait));
        boost::system::error_code ec;
        co_await w->wake_timer.async_wait(use_task_ec(ec));
    }
    --running_;
}

task<std::optional<unix_ms>> delivery_engine::process_window(worker& w) {
    constexpr unix_ms idle = std::numeric_limits<unix_ms>::max() / 2;
    auto entries = store_.scan(w.queue, w.cursor, window);
    if (!entries) {
        log::error("delivery", "{}: {}", w.queue, entries.error().detail);
        co_return now_ms() + store_retry_ms;
    }
    if (entries->empty()) {
        w.deferred.clear();
        co_return idle;
    }
    std::optional<std::uint64_t> first_kept;
    unix_ms earliest = idle;
    bool delivered_any = false;
    for (const auto& e : *entries) {
        if (w.stopping) co_return std::nullopt;
        auto due = w.deferred.find(e.seq);
        if (due != w.deferred.end() && due->second > now_ms()) {
            first_kept = first_kept.value_or(e.seq);
            earliest = std::min(earliest, due->second);
            continue;
        }
        auto track = store_.track(e.id);
        if (!track || !*track || is_final((*track)->status.state)) continue; // nothing left to deliver
        if ((*track)->next_attempt_ms > now_ms()) {
            w.deferred[e.seq] = (*track)->next_attempt_ms;
            first_kept = first_kept.value_or(e.seq);
            earliest = std::min(earliest, (*track)->next_attempt_ms);
            continue;
        }
        const auto retry_at = co_await deliver(w, e, std::move(**track));
        if (retry_at) {
            w.deferred[e.seq] = *retry_at;
            first_kept = first_kept.value_or(e.seq);
            earliest = std::min(earliest, *retry_at);
        } else {
            w.deferred.erase(e.seq);
            delivered_any = true;
        }
    }
    w.cursor = first_kept.value_or(entries->back().seq + 1);
    w.deferred.erase(w.deferred.begin(), w.deferred.lower_bound(w.cursor));
    // More may be waiting behind a full window; otherwise sleep until the
    // earliest retry (or a wake).
    // A window of nothing but pending retries waits for the first of them, so
    // a blocked head cannot spin the worker.
    if (delivered_any || (entries->size() == window && !first_kept)) co_return std::nullopt;
    co_return earliest;
}

task<std::optional<unix_ms>> delivery_engine::deliver(worker& w, const storage::queue_entry& e,
                                                      storage::tracking track) {
    const auto view = registry_.current();
    push_target target;
    delivery_policy policy = system_policy_.policy;
    std::string missing;
    if (w.dest.kind == destination_kind::point) {
        if (const auto* dp = view->point(w.dest.id)) {
            target = {dp->url, dp->protocol, dp->creds};
            policy = dp->policy;
        } else {
            missing = "delivery point \"" + w.dest.id + "\" is not registered";
        }
    } else if (const auto* sys = view->system(w.dest.id); sys && !sys->address.empty()) {
        target.url = sys->address;
    } else {
        missing = "system \"" + w.dest.id + "\" has no address to PUSH to";
    }

    const storage::queued_message& body = e.body;
    push_result outcome;
    if (!missing.empty()) {
        outcome.reason = missing;
    } else if (target.url.rfind("builtin:", 0) == 0) {
        outcome.delivered = true; // the built-in echo takes every message
    } else {
        const auto session = braced(new_guid());
        outcome = co_await client_.push(target, body, session, std::chrono::milliseconds(policy.timeout_ms));
    }

    const notify_rules rules{view->service(track.service_id), view->system(track.sender)};
    const auto now = now_ms();
    std::optional<unix_ms> retry_at;
    storage::state_change change;
    if (outcome.delivered) {
        change = transition(e.id, body.kind, track,
                            make_status(message_state::delivered, status_code::delivered, "delivered", now), rules);
    } else {
        const int failed = track.attempts + 1;
        const auto next = schedule_after_failure(policy, failed, now);
        track.attempts = failed;
        if (next.give_up) {
            change = transition(e.id, body.kind, track,
                                make_status(message_state::not_delivered, status_code::retries_exhausted,
                                            "not delivered after " + std::to_string(failed) + " attempts: " +
                                                outcome.reason,
                                            now),
                                rules);
        } else {
            track.next_attempt_ms = next.retry_at;
            change = transition(e.id, body.kind, track,
                                make_status(message_state::on_delivery, status_code::attempt_failed,
                                            "attempt " + std::to_string(failed) + " failed: " + outcome.reason, now),
                                rules);
            retry_at = next.retry_at;
        }
        log::debug("delivery", "{}: {} attempt {} failed: {}", w.queue, e.id, failed, outcome.reason);
    }
    auto written = co_await store_.change(change);
    if (!written) {
        if (written.error().code == errc::message_final) co_return std::nullopt; // settled meanwhile
        log::error("delivery", "{}: recording {}: {}", w.queue, e.id, written.error().detail);
        co_return now + store_retry_ms; // the attempt is not recorded: make it again
    }
    wake_for(change);
    co_return retry_at;
}

} // namespace qaqpa::routing
