#pragma once
// The delivery state machine as pure functions (no I/O, time passed in):
// the state changes of a message, the status notifications they cause, and
// the retry schedule after a failed attempt. The PUSH engine and the PULL
// operations both go through here, so both follow the same rules.

#include "core/async_message.hpp"
#include "core/journal.hpp"
#include "core/registry.hpp"
#include "core/time_source.hpp"
#include "storage/message_store.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace qaqpa::routing {

using qaqpa::unix_ms;

unix_ms now_ms();
std::string format_ms(unix_ms t);

/// Status codes the gateway reports (statusCode), with the state they go with.
namespace status_code {
inline constexpr std::string_view accepted = "ACCEPTED";            ///< queued, ON_DELIVERY
inline constexpr std::string_view attempt_failed = "ATTEMPT_FAILED"; ///< will be retried
inline constexpr std::string_view resend = "RESEND";                ///< the puller asked for it again
inline constexpr std::string_view delivered = "DELIVERED";
inline constexpr std::string_view rejected = "REJECTED";            ///< the puller refused it
inline constexpr std::string_view retries_exhausted = "RETRIES_EXHAUSTED";
inline constexpr std::string_view stopped = "DELIVERY_STOPPED";
inline constexpr std::string_view redelivered = "REDELIVERED";      ///< put back on its queue by the administrator
inline constexpr std::string_view forwarded = "FORWARDED"; ///< taken by a peer gateway: ON_DELIVERY until it reports
} // namespace status_code

message_status make_status(message_state state, std::string_view code, std::string message, unix_ms at);

/// Who is told about a state change: the sender's system entry (for its
/// address) and the service's flags. Either may be null (then nobody is).
struct notify_rules {
    const service_entry* service = nullptr;
    const system_entry* sender = nullptr;
    /// The sender is a peer gateway with a way back (a `[[peers]]` entry
    /// with its BIN): it is told every change of state, whatever the
    /// service says, so that its node mirrors this one's.
    bool to_peer = false;
};

class registry_view;
/// The rules for the messages of `sender` to `service` as `view` has them.
notify_rules notify_rules_of(const registry_view& view, std::string_view service, std::string_view sender);

/// True when the sender gets a changeMassageStatusNotification for a change
/// into `state`: a peer gateway every change; else every change with
/// notify_status, the delivery with notify_delivered; only when the sender
/// has an address to PUSH to.
bool notifies(const notify_rules& rules, message_state state);

/// A changeMassageStatusNotification to `sender` about message `id`, queued
/// for PUSH to the sender's address.
storage::new_message status_notice(std::string_view id, const storage::tracking& current, const message_status& status,
                                   const system_entry& sender);

/// The state change of message `id` from `current` to `next` (final states
/// leave the queue), with the notification it causes queued in the same
/// write: only a change of state notifies (a failed attempt that will be
/// retried does not), and `status_notification` records never do.
storage::state_change transition(std::string_view id, storage::record_kind kind, const storage::tracking& current,
                                 message_status next, const notify_rules& rules);

/// A journal row about stored message `id`, with its service, parties and
/// delivery point from `track`; `state` is the state it is in after the event.
journal_event tracked_event(journal_event_kind kind, journal_channel channel, std::string_view id,
                            const storage::tracking& track, message_state state, unix_ms at);

/// What follows a failed attempt: retry at `retry_at`, or give up (1 +
/// retries attempts made). Back-off doubles from backoff_ms up to
/// backoff_max_ms; `jitter` in [-1, 1] moves it by up to ±25 %, so that
/// messages failed together do not all come back at the same moment.
struct after_failure {
    bool give_up = false;
    unix_ms retry_at = 0;
};
after_failure schedule_after_failure(const delivery_policy& policy, int failed_attempts, unix_ms now,
                                     double jitter = 0);
/// The back-off after the n-th failure in a row: backoff_ms doubled n - 1
/// times, capped at backoff_max_ms, moved by `jitter` (see above).
unix_ms backoff_delay(const delivery_policy& policy, int n, double jitter = 0);

/// A uniformly random jitter in [-1, 1] for schedule_after_failure.
double random_jitter();

} // namespace qaqpa::routing
