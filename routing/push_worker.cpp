#include "routing/push_worker.hpp"

#include "core/ids.hpp"
#include "core/log.hpp"
#include "routing/message_states.hpp"

#include <boost/asio/post.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace qaqpa::routing {

namespace asio = boost::asio;

namespace {

/// Queue entries read at a time (their messages included).
constexpr std::size_t window = 64;
/// Fresh messages a worker holds at most; beyond, it finds them by scanning.
constexpr std::size_t max_fresh = 64;
/// A worker whose store read or write failed tries again after this long.
constexpr unix_ms store_retry_ms = 1000;
/// What a worker with nothing to do until it is woken waits for.
constexpr unix_ms idle = std::numeric_limits<unix_ms>::max() / 2;
/// Messages waiting (for a retry or a sender's throttle) a worker looks past
/// at most; beyond, the rest of its queue waits for the first of them. Each
/// look reads them again, so this bounds the cost of a wake too.
constexpr std::size_t max_deferred = 256;

} // namespace

struct push_worker::pass {
    std::optional<std::uint64_t> first_kept; ///< the first message kept for later
    unix_ms earliest = idle;                 ///< when the first of those is due
    bool attempted = false;
    unix_ms stop_at = 0; ///< when consider() ended the pass: look again then
};

push_worker::push_worker(std::string queue, destination dest, const executor& ex, push_context& ctx)
    : queue_(std::move(queue)), dest_(std::move(dest)), ex_(ex), ctx_(ctx), series_(ctx.probe.for_queue(queue_)),
      wake_timer_(ex), slot_timer_(ex) {}

push_worker::~push_worker() { ctx_.clock.disarm(wake_timer_); }

void push_worker::start() { ctx_.tasks.spawn(ex_, run()); }

void push_worker::poke() {
    dirty_ = true;
    wake_timer_.cancel();
}

void push_worker::wake() {
    asio::post(ex_, [self = shared_from_this()] { self->poke(); });
}

void push_worker::resume() {
    asio::post(ex_, [self = shared_from_this()] {
        self->streak_.succeeded(); // switched on by hand: the recipient is taken to be back
        self->held_until_ = 0;
        self->poke();
    });
}

void push_worker::rescan() {
    asio::post(ex_, [self = shared_from_this()] {
        self->retried_below_ = 0;
        self->poke();
    });
}

void push_worker::offer(std::uint64_t seq, std::shared_ptr<const storage::queued_message> body,
                        storage::tracking track) {
    asio::post(ex_, [self = shared_from_this(), f = fresh_message{seq, std::move(body), std::move(track)}]() mutable {
        if (self->fresh_.size() < max_fresh) self->fresh_.push_back(std::move(f));
        self->poke();
    });
}

void push_worker::reconsider() {
    asio::post(ex_, [self = shared_from_this()] {
        // Waits decided under the old policies are forgotten; a retry's
        // time is in its tracking and is read again. One whose failure is
        // still being written keeps its place.
        std::erase_if(self->deferred_, [&](const auto& d) { return !self->settling_.contains(d.first); });
        self->held_until_ = 0;
        self->poke();
    });
}

void push_worker::stop() {
    asio::post(ex_, [self = shared_from_this()] {
        self->stopping_ = true;
        self->wake_timer_.cancel();
        self->slot_timer_.cancel();
    });
}

push_worker::counters push_worker::read_counters() const noexcept {
    return {attempts_.load(std::memory_order_relaxed), failures_.load(std::memory_order_relaxed),
            throttled_waits_.load(std::memory_order_relaxed), in_flight_count_.load(std::memory_order_relaxed)};
}

task<void> push_worker::run() {
    const auto self = shared_from_this(); // alive while its loop runs
    while (!stopping_) {
        dirty_ = false;
        const auto sleep_until = co_await process_window();
        if (stopping_) break;
        if (dirty_ || !sleep_until || *sleep_until <= ctx_.clock.now()) continue;
        ctx_.clock.arm(wake_timer_, *sleep_until);
        boost::system::error_code ec;
        co_await wake_timer_.async_wait(use_task_ec(ec));
    }
}

task<std::optional<unix_ms>> push_worker::process_window() {
    cursor_ = std::min(cursor_, std::exchange(retried_below_, UINT64_MAX));
    const auto now = ctx_.clock.now();
    if (dest_.kind == destination_kind::point && ctx_.points.is_off(dest_.id))
        co_return idle; // switched off: wait for the switch (a wake)
    if (streak_.paused_until() > now) co_return streak_.paused_until(); // no scan while paced
    if (held_until_ > now) co_return held_until_; // a new message cannot go before either
    pass p;
    bool exhausted = false;
    // The cursor never passes a message in flight or one whose retry is
    // pending: the next pass must find it again.
    auto settle_cursor = [&](std::uint64_t at) {
        if (!in_flight_.empty()) at = std::min(at, *in_flight_.begin());
        cursor_ = std::min(at, std::exchange(retried_below_, UINT64_MAX));
    };
    // From the cursor on, a window at a time; a window of nothing but
    // messages that wait (a retry, a sender's throttle) does not hold up
    // the ones behind it.
    std::uint64_t from = cursor_;
    while (!p.attempted && !exhausted) {
        auto entries = co_await ctx_.store.scan(queue_, from, window);
        if (!entries) {
            log::error("delivery", "{}: {}", queue_, entries.error().detail);
            co_return ctx_.clock.now() + store_retry_ms;
        }
        for (auto& e : *entries) {
            if (stopping_) co_return std::nullopt;
            if (!co_await consider(p, e.seq, std::move(e.body), std::nullopt)) {
                if (stopping_) co_return std::nullopt;
                settle_cursor(p.first_kept.value_or(e.seq)); // resume here
                co_return p.stop_at;
            }
        }
        exhausted = entries->size() < window;
        if (!entries->empty()) from = entries->back().seq + 1;
        if (deferred_.size() >= max_deferred) break;
    }
    settle_cursor(p.first_kept.value_or(from));
    if (exhausted) deferred_.erase(deferred_.begin(), deferred_.lower_bound(cursor_));
    // Past the end of what is synced: what was accepted a moment ago, while
    // its batch is still being written. A later scan finds each of them
    // again and skips it (in flight, settling, final, or deferred).
    while (exhausted && !fresh_.empty() && !stopping_) {
        auto f = std::move(fresh_.front());
        fresh_.pop_front();
        if (f.seq <= high_water_) continue;
        if (!co_await consider(p, f.seq, f.body, f.track)) {
            if (stopping_) co_return std::nullopt;
            fresh_.push_front(std::move(f));
            co_return p.stop_at;
        }
    }
    // A window of nothing but waiting messages waits for the first of them,
    // so a blocked head cannot spin.
    if (p.attempted || (!exhausted && !p.first_kept)) co_return std::nullopt;
    // A retry of a message the scan did not reach (its batch is still being
    // synced) is due all the same.
    const auto soon = ctx_.clock.now() + 5;
    for (const auto& [seq, due] : deferred_) p.earliest = std::min(p.earliest, std::max(due, soon));
    co_return p.earliest;
}

task<bool> push_worker::consider(pass& p, std::uint64_t seq, std::shared_ptr<const storage::queued_message> body,
                                 std::optional<storage::tracking> known) {
    auto keep = [&](unix_ms due) {
        deferred_[seq] = due;
        p.first_kept = p.first_kept.value_or(seq);
        p.earliest = std::min(p.earliest, due);
    };
    auto now = ctx_.clock.now();
    if (!known) { // read from the queue: it may be under way or waiting already
        if (auto due = deferred_.find(seq); due != deferred_.end() && due->second > now) {
            keep(due->second); // a waiting message keeps the cursor here
            co_return true;
        }
        if (in_flight_.contains(seq)) co_return true;
        if (settling_.contains(seq)) {
            // Delivered (settle() brings the cursor back if the write
            // fails), or a retry due before its failed attempt is recorded.
            if (deferred_.contains(seq)) keep(now + 5);
            co_return true;
        }
        auto track = co_await ctx_.store.track(body->id); // current: a settle may have finished meanwhile
        if (!track || !*track || is_final((*track)->status.state)) {
            deferred_.erase(seq);
            co_return true;
        }
        if ((*track)->next_attempt_ms > now) {
            keep((*track)->next_attempt_ms);
            co_return true;
        }
        known = std::move(**track);
    }
    auto view = ctx_.registry.current();
    const auto* policy = policy_of(*view, *known);
    if (in_flight_.size() >= slots_of(policy)) {
        // No room among the attempts in flight: wait for one to end, then
        // decide under the policies of that moment.
        if (!co_await free_slot(policy)) co_return false;
        view = ctx_.registry.current();
        policy = policy_of(*view, *known);
    }
    auto h = held();
    if (!h && policy && policy->policy.throttle) h = co_await throttled(policy);
    if (h) {
        if (!h->whole_queue) { // only its sender's throttle: the others go on
            keep(h->until);
            co_return true;
        }
        p.stop_at = h->until;
        co_return false;
    }
    p.attempted = true;
    launch(seq, std::move(body), std::move(*known), std::move(view), policy);
    co_return true;
}

task<bool> push_worker::free_slot(const call_policy* policy) {
    const auto most = slots_of(policy);
    while (!stopping_ && in_flight_.size() >= most) {
        slot_timer_.expires_at(timer::time_point::max());
        boost::system::error_code ec;
        co_await slot_timer_.async_wait(use_task_ec(ec)); // an attempt ended, or stop()
    }
    co_return !stopping_;
}

void push_worker::launch(std::uint64_t seq, std::shared_ptr<const storage::queued_message> body,
                         storage::tracking track, std::shared_ptr<const registry_view> view,
                         const call_policy* policy) {
    high_water_ = std::max(high_water_, seq);
    in_flight_.insert(seq);
    ++in_flight_count_;
    ++attempts_;
    ctx_.probe.attempts.inc();
    if (track.attempts > 0) ctx_.probe.retries.inc();
    ctx_.probe.in_flight.add(1);
    ctx_.tasks.spawn(ex_, attempt(shared_from_this(), seq, std::move(body), std::move(track), std::move(view), policy));
}

const call_policy* push_worker::policy_of(const registry_view& view, const storage::tracking& t) const {
    if (dest_.kind != destination_kind::point) return view.way_back_policy(dest_.id); // a peer's, or none
    const auto* dp = view.point(dest_.id);
    return dp ? &view.policy(*dp, t.sender, t.service_id) : nullptr;
}

std::size_t push_worker::slots_of(const call_policy* policy) const {
    return static_cast<std::size_t>(std::max(1, policy ? policy->policy.concurrency : ctx_.system_policy.concurrency));
}

std::optional<push_worker::hold> push_worker::held() const {
    const auto now = ctx_.clock.now();
    if (dest_.kind == destination_kind::point && ctx_.points.is_off(dest_.id))
        return hold{idle, true}; // switched off (error shutdown): resume when on
    if (streak_.paused_until() > now) return hold{streak_.paused_until(), true}; // the recipient seems down
    return std::nullopt;
}

task<std::optional<push_worker::hold>> push_worker::throttled(const call_policy* policy) {
    const auto now = ctx_.clock.now();
    const auto until = co_await ctx_.throttles.admit(policy->throttle_key, *policy->policy.throttle, now);
    if (!until) co_return std::nullopt;
    ++throttled_waits_;
    if (policy->throttle_key != dest_.id) co_return hold{*until, false}; // the sender's own window
    held_until_ = *until; // the point's: nothing goes before
    co_return hold{*until, true};
}

task<push_result> push_worker::deliver(const registry_view& view, const storage::queued_message& body,
                                       const storage::tracking& track, const delivery_policy& policy) {
    const outbound_target* target = nullptr;
    int mode = 0; // the effective security mode: signed by the gateway from 1
    if (dest_.kind == destination_kind::point) {
        const auto* dp = view.point(dest_.id);
        if (!dp) co_return push_result{false, "delivery point \"" + dest_.id + "\" is not registered"};
        target = &view.target(*dp);
        mode = policy.security_mode;
    } else {
        target = view.system_target(dest_.id);
        if (!target) co_return push_result{false, "system \"" + dest_.id + "\" has no address to PUSH to"};
        mode = view.security_mode(track.service_id, dest_.id); // the IS's own access row to the service
    }
    std::optional<outbound_target> raised;
    const auto& to = with_security_mode(*target, mode, raised);
    auto* client = ctx_.clients.find(to.kind);
    if (!client) co_return push_result{false, no_client_for(to.kind)};
    co_return co_await client->push(to, body, braced(new_guid()), std::chrono::milliseconds(policy.timeout_ms));
}

task<void> push_worker::attempt([[maybe_unused]] std::shared_ptr<push_worker> self, std::uint64_t seq,
                                std::shared_ptr<const storage::queued_message> body, storage::tracking track,
                                std::shared_ptr<const registry_view> view, const call_policy* call) {
    // The sender's effective policy: the point's with its access overrides.
    const delivery_policy& policy = call ? call->policy : ctx_.system_policy;
    const auto started = ctx_.clock.now();
    const auto outcome = co_await deliver(*view, *body, track, policy);
    auto leave = [&] {
        in_flight_.erase(seq);
        --in_flight_count_;
        ctx_.probe.in_flight.add(-1);
        slot_timer_.cancel();
    };
    if (stopping_ && !outcome.delivered) { // cut short by the stop: it stays queued as it was
        leave();
        co_return;
    }
    const auto rules = notify_rules_of(*view, track.service_id, track.sender);
    const auto now = ctx_.clock.now();
    ctx_.probe.attempt_seconds.observe(static_cast<double>(now - started) / 1000.0);
    // The rows travel with the state change they record (one batch).
    std::vector<journal_event> rows;
    const auto* peer = body->kind == storage::record_kind::message ? view->peer_behind(dest_) : nullptr;
    journal(rows, journal_event_kind::attempt, *body, track, outcome.delivered ? "delivered" : outcome.reason, started,
            outcome.delivered && !peer ? message_state::delivered : message_state::on_delivery);
    if (!rows.empty()) rows.back().http_status = outcome.http_status;
    std::optional<unix_ms> retry_at;
    storage::state_change change;
    if (outcome.delivered && peer) {
        // Taken by a peer gateway: it leaves this queue, and its state is
        // what the peer reports from now on (async_gateway::peer_report).
        streak_.succeeded();
        ctx_.probe.delivered.inc();
        series_.delivered.inc();
        const auto note = "taken by peer gateway \"" + peer->id + "\"";
        journal(rows, journal_event_kind::forwarded, *body, track, note, started, message_state::on_delivery);
        if (!rows.empty()) rows.back().sent_ms = rows.back().at_ms;
        track.forwarded_to = peer->id;
        change = transition(body->id, body->kind, track,
                            make_status(message_state::on_delivery, status_code::forwarded, note, now), rules);
        change.dequeue = true;
    } else if (outcome.delivered) {
        streak_.succeeded();
        ctx_.probe.delivered.inc();
        series_.delivered.inc();
        journal(rows, journal_event_kind::delivered, *body, track, "delivered", started, message_state::delivered);
        change = transition(body->id, body->kind, track,
                            make_status(message_state::delivered, status_code::delivered, "delivered", now), rules);
    } else {
        ++failures_;
        ctx_.probe.failures.inc();
        series_.failed.inc();
        streak_.failed(policy, now, ctx_.jitter());
        co_await count_failure(call);
        const int failed = track.attempts + 1;
        const auto next = schedule_after_failure(policy, failed, now, ctx_.jitter());
        track.attempts = failed;
        if (next.give_up) {
            ctx_.probe.not_delivered.inc();
            journal(rows, journal_event_kind::not_delivered, *body, track, outcome.reason, started,
                    message_state::not_delivered);
            change = transition(body->id, body->kind, track,
                                make_status(message_state::not_delivered, status_code::retries_exhausted,
                                            "not delivered after " + std::to_string(failed) + " attempts: " +
                                                outcome.reason,
                                            now),
                                rules);
        } else {
            track.next_attempt_ms = next.retry_at;
            change = transition(body->id, body->kind, track,
                                make_status(message_state::on_delivery, status_code::attempt_failed,
                                            "attempt " + std::to_string(failed) + " failed: " + outcome.reason, now),
                                rules);
            retry_at = next.retry_at;
        }
        log::debug("delivery", "{}: {} attempt {} failed: {}", queue_, body->id, failed, outcome.reason);
    }
    change.journal = std::move(rows);
    leave();
    if (retry_at) {
        deferred_[seq] = *retry_at;
        retried_below_ = std::min(retried_below_, seq);
    } else {
        deferred_.erase(seq);
    }
    // The outcome is written while the worker goes on: the next message
    // does not wait for this one's fsync.
    settling_.insert(seq);
    poke();
    co_await settle(seq, std::move(change));
}

task<void> push_worker::settle(std::uint64_t seq, storage::state_change change) {
    auto written = co_await ctx_.store.change(change);
    settling_.erase(seq);
    if (written) {
        ctx_.settled(change);
    } else if (written.error().code != errc::message_final) {
        // Not recorded: the message is still queued as it was; offer it again.
        log::error("delivery", "{}: recording {}: {}", queue_, change.id, written.error().detail);
        retried_below_ = std::min(retried_below_, seq);
        deferred_[seq] = ctx_.clock.now() + store_retry_ms;
        poke();
    }
}

void push_worker::journal(std::vector<journal_event>& rows, journal_event_kind kind,
                          const storage::queued_message& body, const storage::tracking& track, std::string detail,
                          unix_ms started, message_state state) const {
    if (!ctx_.journal.enabled()) return;
    journal_event e;
    e.kind = kind;
    e.channel = journal_channel::push;
    e.transport.clear(); // the gateway's own act
    e.message_id = body.id;
    if (body.kind == storage::record_kind::message) {
        e.correlation_id = body.message.info.correlation_id.value_or("");
        e.message_type = std::string(to_string(body.message.info.type));
        e.request_bytes = static_cast<std::int64_t>(body.message.data.content.size());
    } else {
        e.message_type = "STATUS_NOTIFICATION";
        e.correlation_id = body.notification.message_id; // the message it reports on
    }
    e.service_id = track.service_id;
    e.sender = track.sender;
    e.recipient = track.recipient;
    e.point = dest_.kind == destination_kind::point ? dest_.id : queue_;
    e.state = std::string(to_string(state));
    e.detail = std::move(detail);
    e.at_ms = ctx_.clock.now();
    e.received_ms = body.accepted_ms;
    if (state == message_state::delivered) e.sent_ms = e.at_ms;
    e.duration_ms = e.at_ms - started;
    rows.push_back(std::move(e));
}

task<void> push_worker::count_failure(const call_policy* policy) {
    if (!policy || !policy->policy.error_shutdown) co_return;
    const auto shutdown = *policy->policy.error_shutdown;
    auto it = errors_.find(policy->shutdown_key);
    if (it == errors_.end() || !(it->second.policy == shutdown)) // a policy change takes effect now
        it = errors_
                 .insert_or_assign(policy->shutdown_key,
                                   error_window{shutdown, sliding_window(shutdown.errors, shutdown.window_s * 1000LL)})
                 .first;
    if (it->second.window.add(ctx_.clock.now()) < shutdown.errors) co_return;
    it->second.window.clear();
    const auto whose = policy->shutdown_key == dest_.id
                           ? std::string()
                           : " of " + policy->shutdown_key.substr(dest_.id.size() + 1) + "'s messages";
    co_await ctx_.shut_down(dest_.id, fmt::format("error shutdown: {} failed attempts{} within {} s", shutdown.errors,
                                                  whose, shutdown.window_s));
}

} // namespace qaqpa::routing
