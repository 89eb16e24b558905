// A peer gateway's reports on the messages this node forwarded to it
// (changeMassageStatusNotification on the asynchronous channel, signed by
// the peer). The far node's state changes are mirrored here, so that
// getMessageStatus on this node says what happened at the far end and the
// sender hears of it as its service asks (rules of 2016, appendix 8,
// scenario 1: the way back is the same as the way there).
#include "routing/async_gateway.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "routing/destinations.hpp"
#include "routing/message_states.hpp"

#include <chrono>

namespace qaqpa::routing {
namespace {

journal_event_kind row_kind(message_state s) {
    switch (s) {
    case message_state::delivered: return journal_event_kind::delivered;
    case message_state::not_delivered: return journal_event_kind::not_delivered;
    case message_state::delivery_stopped: return journal_event_kind::stopped;
    case message_state::on_delivery: break;
    }
    return journal_event_kind::resumed;
}

/// The peer as the signer its reports must come from: its BIN's certificate.
system_entry signer_of(const peer_entry& peer) {
    system_entry s;
    s.id = peer.id;
    s.bin = peer.bin;
    s.gateway = true;
    return s;
}

} // namespace

task<async_outcome<std::monostate>> async_gateway::peer_report(status_notification n, const caller_envelope* envelope) {
    // a peer hears back on a signed hop: its own keys once it is known
    async_outcome<std::monostate> out{braced(new_guid()), std::monostate{}, hop_keys{}};
    auto refused = [&](failure f) {
        out.answer = gateway_fault{std::move(f), nullptr};
        return std::move(out);
    };
    const auto view = registry_.current();
    auto t = co_await store_.track(n.message_id);
    if (!t) co_return refused(t.error());
    const auto& track = *t;
    const auto* peer = track && !track->forwarded_to.empty() ? view->peer(track->forwarded_to) : nullptr;
    if (!peer) {
        // Taken by the peer, and its outcome not written here yet: the
        // peer's report comes again (it retries like any PUSH).
        const auto queue = track ? push_destination(track->destination) : std::nullopt;
        if (track && track->forwarded_to.empty() && queue && view->peer_behind(*queue) &&
            !is_final(track->status.state))
            co_return refused(fail(errc::conflict, "message " + n.message_id + " is still being forwarded; report again"));
        co_return refused(fail(errc::unknown_message, "messageId \"" + n.message_id +
                                                          "\" was not forwarded to a peer gateway by this node"));
    }
    out.hop = peer->keys;
    auto signer = co_await check_signature(security_, envelope, signer_of(*peer), &peer->keys);
    if (!signer) co_return refused(signer.error());

    const auto reported = parse_datetime(n.status.date); // checked by the parser
    const std::int64_t reported_ms =
        reported ? std::chrono::duration_cast<std::chrono::milliseconds>(reported->time_since_epoch()).count() : 0;
    if (is_final(track->status.state) || reported_ms < track->peer_status_ms) {
        // a repeated report (its answer was lost) or one overtaken by a newer one
        log::debug("async", "{}: report {} from peer {} already applied or overtaken", n.message_id,
                   n.notification_id, peer->id);
        co_return std::move(out);
    }
    auto next = n.status;
    next.message = "at peer gateway \"" + peer->id + "\": " + (n.status.message.empty() ? n.status.code : n.status.message);
    auto current = *track;
    current.peer_status_ms = reported_ms;
    auto change = transition(n.message_id, storage::record_kind::message, current, next,
                             notify_rules_of(*view, track->service_id, track->sender));
    change.dequeue = false; // it left this node's queue when the peer took it
    if (journal_.enabled()) {
        auto e = tracked_event(row_kind(next.state), journal_channel::async, n.message_id, *track, next.state, now_ms());
        e.transport = transport_of(envelope);
        e.detail = next.message + " (" + n.status.code + ", reported " + n.status.date + ")";
        if (next.state == message_state::delivered) e.sent_ms = reported_ms;
        change.journal.push_back(std::move(e));
    }
    auto written = co_await store_.change(change);
    // final, or a newer report written meanwhile: this one changes nothing
    if (!written && written.error().code != errc::message_final && written.error().code != errc::conflict)
        co_return refused(written.error());
    if (written) engine_.wake_for(change);
    co_return std::move(out);
}

} // namespace qaqpa::routing
