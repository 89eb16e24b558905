#include "routing/message_states.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "routing/destinations.hpp"
#include "routing/registry_view.hpp"

#include <algorithm>
#include <chrono>
#include <random>

namespace qaqpa::routing {

unix_ms now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string format_ms(unix_ms t) { return format_unix_ms(t); }

message_status make_status(message_state state, std::string_view code, std::string message, unix_ms at) {
    return message_status{state, std::string(code), std::move(message), format_ms(at)};
}

notify_rules notify_rules_of(const registry_view& view, std::string_view service, std::string_view sender) {
    notify_rules r{view.service(service), view.system(sender)};
    r.to_peer = r.sender && r.sender->gateway && view.peer_of_system(*r.sender);
    return r;
}

bool notifies(const notify_rules& rules, message_state state) {
    if (rules.to_peer) return true;
    if (!rules.service || !rules.sender || rules.sender->address.empty()) return false;
    return rules.service->notify_status || (rules.service->notify_delivered && state == message_state::delivered);
}

storage::new_message status_notice(std::string_view id, const storage::tracking& current, const message_status& status,
                                   const system_entry& sender) {
    auto body = std::make_shared<storage::queued_message>();
    body->kind = storage::record_kind::status_notification;
    body->id = new_ordered_guid();
    body->notification = {body->id, std::string(id), status};
    body->accepted_ms = now_ms();
    storage::new_message n;
    n.body = body;
    n.track.destination = system_queue(sender.id);
    n.track.sender = current.recipient; // the notification is about the recipient's side
    n.track.recipient = sender.id;
    n.track.service_id = current.service_id;
    n.track.status = make_status(message_state::on_delivery, status_code::accepted, "status notification queued",
                                 body->accepted_ms);
    return n;
}

storage::state_change transition(std::string_view id, storage::record_kind kind, const storage::tracking& current,
                                 message_status next, const notify_rules& rules) {
    storage::state_change c;
    c.id = std::string(id);
    c.track = current;
    c.track.status = std::move(next);
    c.dequeue = is_final(c.track.status.state);
    const bool changed = current.status.state != c.track.status.state;
    if (kind == storage::record_kind::message && changed && notifies(rules, c.track.status.state))
        c.enqueue.push_back(status_notice(id, current, c.track.status, *rules.sender));
    return c;
}

after_failure schedule_after_failure(const delivery_policy& policy, int failed_attempts, unix_ms now,
                                     double jitter) {
    if (failed_attempts > policy.retries) return {true, 0};
    return {false, now + backoff_delay(policy, failed_attempts, jitter)};
}

unix_ms backoff_delay(const delivery_policy& policy, int n, double jitter) {
    std::int64_t delay = std::max(0, policy.backoff_ms);
    for (int i = 1; i < n && delay < policy.backoff_max_ms; ++i) delay *= 2;
    delay = std::min<std::int64_t>(delay, std::max(0, policy.backoff_max_ms));
    const double factor = 1.0 + 0.25 * std::clamp(jitter, -1.0, 1.0);
    return static_cast<std::int64_t>(static_cast<double>(delay) * factor);
}

double random_jitter() {
    thread_local std::mt19937_64 gen{std::random_device{}()};
    return std::uniform_real_distribution<double>(-1.0, 1.0)(gen);
}

journal_event tracked_event(journal_event_kind kind, journal_channel channel, std::string_view id,
                            const storage::tracking& track, message_state state, unix_ms at) {
    journal_event e;
    e.kind = kind;
    e.channel = channel;
    e.message_id = std::string(id);
    e.service_id = track.service_id;
    e.sender = track.sender;
    e.recipient = track.recipient;
    e.point = track.destination;
    e.state = std::string(to_string(state));
    e.at_ms = at;
    return e;
}

} // namespace qaqpa::routing
