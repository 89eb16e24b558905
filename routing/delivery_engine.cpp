#include "routing/delivery_engine.hpp"

#include "core/ids.hpp"
#include "core/log.hpp"

#include <fmt/format.h>
#include "routing/destinations.hpp"
#include "routing/policies/failure_streak.hpp"
#include "routing/policies/sliding_window.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <deque>
#include <set>
#include <thread>
#include <unordered_map>

namespace qaqpa::routing {

namespace asio = boost::asio;

namespace {

/// Queue entries read at a time (their messages included).
constexpr std::size_t window = 64;
/// Fresh messages a worker holds at most; beyond, it finds them by scanning.
constexpr std::size_t max_fresh = 64;
/// A worker whose store read failed tries again after this long.
constexpr unix_ms store_retry_ms = 1000;
/// What a worker with nothing to do until it is woken waits for.
constexpr unix_ms idle = std::numeric_limits<unix_ms>::max() / 2;
/// The longest single timer wait of a worker (it re-checks and sleeps again).
constexpr unix_ms max_sleep_ms = 3'600'000;
/// Messages waiting (for a retry or a sender's throttle) a worker looks past
/// at most; beyond, the rest of its queue waits for the first of them. Each
/// look reads them again, so this bounds the cost of a wake too.
constexpr std::size_t max_deferred = 256;

} // namespace

/// A message handed over by the store while its batch is being written.
struct delivery_engine::fresh_message {
    storage::queue_entry entry;
    storage::tracking track;
};

struct delivery_engine::worker {
    worker(std::string q, destination d, executor e) : queue(std::move(q)), dest(std::move(d)), ex(e), wake_timer(e) {}

    std::string queue;
    destination dest;
    executor ex;
    // Touched on `ex` only.
    timer wake_timer;
    bool dirty = false;
    bool stopping = false;
    std::uint64_t cursor = 0;                  ///< every entry below it is settled or being settled
    std::uint64_t high_water = 0;              ///< the highest sequence attempted so far
    std::map<std::uint64_t, unix_ms> deferred; ///< seq → retry time, within the window
    std::set<std::uint64_t> settling;          ///< attempted; the outcome is being written
    std::deque<fresh_message> fresh;           ///< just accepted, possibly not yet synced
    struct error_window {
        error_shutdown_policy policy; ///< the policy `window` was built for
        sliding_window window;
    };
    /// Failed attempts by call_policy::shutdown_key: the point's own window
    /// and those of senders with their own error shutdown.
    std::unordered_map<std::string, error_window> errors;
    failure_streak streak; ///< attempts failed in a row; paces a recipient that is down
    unix_ms held_until = 0; ///< the point's throttle window is full until then: no scan before
    // Read by counters() from any thread.
    std::atomic<std::uint64_t> attempts{0}, failures{0}, throttled_waits{0};
};

delivery_engine::delivery_engine(runtime& rt, storage::message_store& store, const registry_holder& registry,
                                 push_client& client, throttle_table& throttles, system_push_policy system_policy)
    : runtime_(rt), store_(store), registry_(registry), client_(client), throttles_(throttles),
      system_policy_(system_policy) {
    store_.set_queued_observer([this](const storage::new_message& m) { offer(m); });
    for (auto& [point, why] : store_.points_off()) points_off_[point] = why; // before any listener opens
}

delivery_engine::~delivery_engine() { stop(); }

void delivery_engine::start() {
    for (const auto& [queue, depth] : store_.queues()) wake(queue);
}

std::optional<std::string> delivery_engine::stopped(std::string_view queue) {
    const auto dest = push_destination(queue);
    if (!dest || dest->kind != destination_kind::point) return std::nullopt;
    return point_off(dest->id);
}

std::optional<std::string> delivery_engine::point_off(std::string_view point) {
    std::lock_guard lk(mutex_);
    const auto it = points_off_.find(point);
    if (it == points_off_.end()) return std::nullopt;
    return it->second;
}

task<result<bool>> delivery_engine::switch_point(std::string point, bool on, std::string reason) {
    if (!registry_.current()->point(point)) co_return fail(errc::unknown_message, "no delivery point \"" + point + "\"");
    {
        std::lock_guard lk(mutex_);
        if (on != points_off_.contains(point)) co_return false; // already so
    }
    auto written = co_await store_.set_point_off(point, !on, reason);
    if (!written) co_return written.error();
    {
        std::lock_guard lk(mutex_);
        if (on) points_off_.erase(point);
        else points_off_[point] = reason;
    }
    log::warn("delivery", "delivery point {} switched {}{}", point, on ? "on" : "off", on ? "" : ": " + reason);
    if (on) resume(point_queue(point)); // in order, at once
    auto status = on ? make_status(message_state::on_delivery, status_code::accepted, "delivery resumed", now_ms())
                     : make_status(message_state::delivery_stopped, status_code::stopped, reason, now_ms());
    ++running_;
    asio::co_spawn(runtime_.context(0), announce(point, std::move(status)), asio::detached);
    co_return true;
}

task<void> delivery_engine::announce(std::string point, message_status status) {
    const auto queue = point_queue(point);
    for (std::uint64_t from = 0; !stopping_;) {
        auto entries = store_.scan(queue, from, window);
        if (!entries || entries->empty()) break;
        const auto view = registry_.current();
        for (const auto& e : *entries) {
            if (stopping_ || e.body.kind != storage::record_kind::message) continue;
            auto track = store_.track(e.id);
            if (!track || !*track || is_final((*track)->status.state)) continue;
            const notify_rules rules{view->service((*track)->service_id), view->system((*track)->sender)};
            if (!rules.service || !rules.service->notify_status || !notifies(rules, status.state)) continue;
            auto notice = status_notice(e.id, **track, status, *rules.sender);
            const auto to = notice.track.destination;
            if (auto queued = co_await store_.accept(std::move(notice)); queued) wake(to);
        }
        from = entries->back().seq + 1;
    }
    --running_;
}

std::shared_ptr<delivery_engine::worker> delivery_engine::find_worker(std::string_view queue, bool& created) {
    created = false;
    if (stopping_) return nullptr;
    auto dest = push_destination(queue);
    if (!dest) return nullptr;
    std::shared_ptr<worker> w;
    {
        std::lock_guard lk(mutex_);
        if (auto it = workers_.find(queue); it != workers_.end()) return it->second;
        const auto i = std::hash<std::string_view>{}(queue) % runtime_.size();
        w = std::make_shared<worker>(std::string(queue), std::move(*dest), runtime_.context(i).get_executor());
        workers_.emplace(w->queue, w);
        ++running_;
    }
    // Outside the lock: on its own thread co_spawn may start the worker at
    // once, and the worker takes the lock.
    asio::co_spawn(w->ex, run(w), asio::detached);
    created = true;
    return w;
}

void delivery_engine::wake(std::string_view queue) {
    bool created = false;
    auto w = find_worker(queue, created);
    if (!w || created) return; // a new worker reads its queue first thing
    asio::post(w->ex, [w] {
        w->dirty = true;
        w->wake_timer.cancel();
    });
}

void delivery_engine::resume(std::string_view queue) {
    bool created = false;
    auto w = find_worker(queue, created);
    if (!w || created) return;
    asio::post(w->ex, [w] {
        w->streak.succeeded(); // switched on by hand: the recipient is taken to be back
        w->held_until = 0;
        w->dirty = true;
        w->wake_timer.cancel();
    });
}

void delivery_engine::offer(const storage::new_message& m) {
    bool created = false;
    auto w = find_worker(m.track.destination, created);
    if (!w) return;
    fresh_message f{{m.track.seq, m.body.id, m.body}, m.track};
    asio::post(w->ex, [w, f = std::move(f)]() mutable {
        if (w->fresh.size() < max_fresh) w->fresh.push_back(std::move(f));
        w->dirty = true;
        w->wake_timer.cancel();
    });
}

void delivery_engine::reconsider() {
    std::lock_guard lk(mutex_);
    for (auto& [queue, w] : workers_)
        asio::post(w->ex, [w = w] {
            // Waits decided under the old policies are forgotten; a retry's
            // time is in its tracking and is read again. One whose failure
            // is still being written keeps its place.
            std::erase_if(w->deferred, [&](const auto& d) { return !w->settling.contains(d.first); });
            w->held_until = 0;
            w->dirty = true;
            w->wake_timer.cancel();
        });
}

void delivery_engine::wake_for(const storage::state_change& c) {
    for (const auto& m : c.enqueue) wake(m.track.destination);
}

void delivery_engine::stop() {
    if (stopping_.exchange(true)) return;
    store_.set_queued_observer(nullptr);
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

void delivery_engine::release_workers() noexcept {
    std::lock_guard lk(mutex_);
    workers_.clear();
}

task<void> delivery_engine::run(std::shared_ptr<worker> w) {
    while (!w->stopping) {
        w->dirty = false;
        const auto sleep_until = co_await process_window(w);
        if (w->stopping) break;
        if (w->dirty || !sleep_until) continue;
        const auto wait = *sleep_until - now_ms();
        if (wait <= 0) continue;
        // `idle` is far beyond what a steady_clock duration in nanoseconds
        // holds; a worker waiting that long is woken by a cancel anyway, so
        // an hour at a time is as good (found by UBSan).
        w->wake_timer.expires_after(std::chrono::milliseconds(std::min<unix_ms>(wait, max_sleep_ms)));
        boost::system::error_code ec;
        co_await w->wake_timer.async_wait(use_task_ec(ec));
    }
    --running_;
}

task<std::optional<unix_ms>> delivery_engine::process_window(std::shared_ptr<worker> w) {
    if (stopped(w->queue)) co_return idle; // switched off: wait for the switch (a wake)
    if (w->streak.paused_until() > now_ms()) co_return w->streak.paused_until(); // no scan while paced
    if (w->held_until > now_ms()) co_return w->held_until; // a new message cannot go before either
    std::optional<std::uint64_t> first_kept;
    unix_ms earliest = idle;
    bool attempted = false, exhausted = false;
    auto keep = [&](std::uint64_t seq, unix_ms due) {
        w->deferred[seq] = due;
        first_kept = first_kept.value_or(seq);
        earliest = std::min(earliest, due);
    };
    // From the cursor on, a window at a time; a window of nothing but
    // messages that wait (a retry, a sender's throttle) does not hold up
    // the ones behind it.
    std::uint64_t from = w->cursor;
    while (!attempted && !exhausted) {
        auto entries = store_.scan(w->queue, from, window);
        if (!entries) {
            log::error("delivery", "{}: {}", w->queue, entries.error().detail);
            co_return now_ms() + store_retry_ms;
        }
        for (auto& e : *entries) {
            if (w->stopping) co_return std::nullopt;
            if (auto due = w->deferred.find(e.seq); due != w->deferred.end() && due->second > now_ms()) {
                keep(e.seq, due->second); // a waiting message keeps the cursor here
                continue;
            }
            if (w->settling.count(e.seq)) {
                // Delivered (settle() resets the cursor if the write fails),
                // or a retry due before its failed attempt is even recorded.
                if (w->deferred.count(e.seq)) keep(e.seq, now_ms() + 5);
                continue;
            }
            auto track = store_.track(e.id); // current: a settle may have finished meanwhile
            if (!track || !*track || is_final((*track)->status.state)) continue;
            if ((*track)->next_attempt_ms > now_ms()) {
                keep(e.seq, (*track)->next_attempt_ms);
                continue;
            }
            auto view = registry_.current();
            const auto* policy = policy_of(*view, *w, **track);
            if (auto h = held(*w, policy)) {
                if (!h->whole_queue) { // only its sender's throttle: the others go on
                    keep(e.seq, h->until);
                    continue;
                }
                w->cursor = first_kept.value_or(e.seq); // resume here
                co_return h->until;
            }
            attempted = true;
            if (auto retry_at = co_await attempt(w, e, std::move(**track), std::move(view), policy))
                keep(e.seq, *retry_at);
            else
                w->deferred.erase(e.seq);
        }
        exhausted = entries->size() < window;
        if (!entries->empty()) from = entries->back().seq + 1;
        if (w->deferred.size() >= max_deferred) break;
    }
    w->cursor = first_kept.value_or(from);
    if (exhausted) w->deferred.erase(w->deferred.begin(), w->deferred.lower_bound(w->cursor));
    // Past the end of what is synced: what was accepted a moment ago, while
    // its batch is still being written. A later scan finds each of them
    // again and skips it (settling, final, or deferred).
    while (exhausted && !w->fresh.empty() && !w->stopping) {
        auto f = std::move(w->fresh.front());
        w->fresh.pop_front();
        if (f.entry.seq <= w->high_water) continue;
        auto view = registry_.current();
        const auto* policy = policy_of(*view, *w, f.track);
        if (auto h = held(*w, policy)) {
            if (!h->whole_queue) {
                keep(f.entry.seq, h->until); // a later scan offers it again
                continue;
            }
            w->fresh.push_front(std::move(f));
            co_return h->until;
        }
        attempted = true;
        if (auto retry_at = co_await attempt(w, f.entry, std::move(f.track), std::move(view), policy))
            keep(f.entry.seq, *retry_at);
    }
    // A window of nothing but waiting messages waits for the first of them,
    // so a blocked head cannot spin.
    if (attempted || (!exhausted && !first_kept)) co_return std::nullopt;
    co_return earliest;
}

const call_policy* delivery_engine::policy_of(const registry_view& view, const worker& w,
                                              const storage::tracking& t) {
    if (w.dest.kind != destination_kind::point) return nullptr;
    const auto* dp = view.point(w.dest.id);
    return dp ? &view.policy(*dp, t.sender, t.service_id) : nullptr;
}

std::optional<delivery_engine::hold> delivery_engine::held(worker& w, const call_policy* policy) {
    if (stopped(w.queue)) return hold{idle, true}; // switched off (error shutdown): resume when on
    if (w.streak.paused_until() > now_ms()) return hold{w.streak.paused_until(), true}; // the recipient seems down
    if (!policy || !policy->policy.throttle) return std::nullopt;
    const auto until = throttles_.start_or_wait(policy->throttle_key, *policy->policy.throttle, now_ms());
    if (!until) return std::nullopt;
    ++w.throttled_waits;
    if (policy->throttle_key != w.dest.id) return hold{*until, false}; // the sender's own window
    w.held_until = *until; // the point's: nothing goes before
    return hold{*until, true};
}

task<void> delivery_engine::count_failure(std::shared_ptr<worker> w, const call_policy* policy) {
    if (!policy || !policy->policy.error_shutdown) co_return;
    const auto shutdown = *policy->policy.error_shutdown;
    auto it = w->errors.find(policy->shutdown_key);
    if (it == w->errors.end() || !(it->second.policy == shutdown)) // a policy change takes effect now
        it = w->errors.insert_or_assign(policy->shutdown_key,
                                        worker::error_window{shutdown, sliding_window(shutdown.errors,
                                                                                      shutdown.window_s * 1000LL)})
                 .first;
    if (it->second.window.add(now_ms()) < shutdown.errors) co_return;
    it->second.window.clear();
    const auto whose = policy->shutdown_key == w->dest.id
                           ? std::string()
                           : " of " + policy->shutdown_key.substr(w->dest.id.size() + 1) + "'s messages";
    auto switched = co_await switch_point(w->dest.id, false,
                                          fmt::format("error shutdown: {} failed attempts{} within {} s",
                                                      shutdown.errors, whose, shutdown.window_s));
    if (!switched) log::error("delivery", "{}: switching off: {}", w->queue, switched.error().detail);
}

std::vector<delivery_engine::queue_counters> delivery_engine::counters() {
    std::lock_guard lk(mutex_);
    std::vector<queue_counters> out;
    for (const auto& [queue, w] : workers_)
        out.push_back({queue, w->attempts.load(std::memory_order_relaxed), w->failures.load(std::memory_order_relaxed),
                       w->throttled_waits.load(std::memory_order_relaxed),
                       w->dest.kind == destination_kind::point && points_off_.contains(w->dest.id)});
    return out;
}

task<std::optional<unix_ms>> delivery_engine::attempt(std::shared_ptr<worker> w, const storage::queue_entry& e,
                                                      storage::tracking track,
                                                      std::shared_ptr<const registry_view> view,
                                                      const call_policy* call) {
    w->high_water = std::max(w->high_water, e.seq);
    ++w->attempts;
    push_target target;
    // The sender's effective policy: the point's with its access overrides.
    const delivery_policy& policy = call ? call->policy : system_policy_.policy;
    std::string missing;
    if (w->dest.kind == destination_kind::point) {
        if (const auto* dp = view->point(w->dest.id)) {
            target = {dp->url, dp->protocol, dp->creds};
        } else {
            missing = "delivery point \"" + w->dest.id + "\" is not registered";
        }
    } else if (const auto* sys = view->system(w->dest.id); sys && !sys->address.empty()) {
        target.url = sys->address;
    } else {
        missing = "system \"" + w->dest.id + "\" has no address to PUSH to";
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
        w->streak.succeeded();
        change = transition(e.id, body.kind, track,
                            make_status(message_state::delivered, status_code::delivered, "delivered", now), rules);
    } else {
        ++w->failures;
        w->streak.failed(policy, now, random_jitter());
        co_await count_failure(w, call);
        const int failed = track.attempts + 1;
        const auto next = schedule_after_failure(policy, failed, now, random_jitter());
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
        log::debug("delivery", "{}: {} attempt {} failed: {}", w->queue, e.id, failed, outcome.reason);
    }
    // The outcome is written while the worker goes on: the next message does
    // not wait for this one's fsync.
    w->settling.insert(e.seq);
    ++running_;
    const auto seq = e.seq;
    asio::co_spawn(w->ex, settle(w, seq, std::move(change)), asio::detached);
    co_return retry_at;
}

task<void> delivery_engine::settle(std::shared_ptr<worker> w, std::uint64_t seq, storage::state_change change) {
    auto written = co_await store_.change(change);
    w->settling.erase(seq);
    if (written) {
        wake_for(change);
    } else if (written.error().code != errc::message_final) {
        // Not recorded: the message is still queued as it was; offer it again.
        log::error("delivery", "{}: recording {}: {}", w->queue, change.id, written.error().detail);
        w->cursor = std::min(w->cursor, seq);
        w->deferred[seq] = now_ms() + store_retry_ms;
        w->dirty = true;
        w->wake_timer.cancel();
    }
    --running_;
}

} // namespace qaqpa::routing
