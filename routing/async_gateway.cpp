#include "routing/async_gateway.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "crypto/digest.hpp"
#include "core/log.hpp"
#include "routing/destinations.hpp"

#include <algorithm>

namespace qaqpa::routing {
namespace {

/// The delivery point a queue feeds, if it feeds one.
const delivery_point* route_point(const registry_view& view, std::string_view queue) {
    const auto d = push_destination(queue);
    return d && d->kind == destination_kind::point ? view.point(d->id) : nullptr;
}

/// How many queue entries one getMessages may look at past leased or
/// filtered-out ones before it answers with what it has.
constexpr std::size_t max_examined = 10000;

std::int64_t depth_bound(const delivery_point* dp, const async_limits& limits) {
    return dp && dp->max_queue_depth > 0 ? dp->max_queue_depth : limits.max_queue_depth;
}

result<async_route> route_request(const registry_view& view, const system_entry& caller, const service_entry& svc,
                                  const async_message_info& info, const async_limits& limits) {
    if (!view.access(caller.id, svc.id))
        return fail(errc::access_denied, "\"" + caller.id + "\" may not send to \"" + svc.id + "\"");
    async_route r;
    r.recipient = svc.owner;
    storage::chain c{new_ordered_guid(), svc.id, caller.id, svc.owner, {}};
    if (svc.delivery == delivery_mode::pull) {
        r.queue = pull_queue(svc.owner, svc.id);
        r.max_depth = limits.max_queue_depth;
    } else {
        std::string_view point = svc.delivery_point;
        if (info.route_id && !svc.routes.empty()) {
            const auto it = svc.routes.find(*info.route_id);
            if (it == svc.routes.end()) return fail(errc::unknown_route, "routeId \"" + *info.route_id + "\"");
            point = it->second;
        }
        if (point.empty()) return fail(errc::unknown_route, "service \"" + svc.id + "\" needs a routeId");
        const auto* dp = view.point(point);
        if (!dp) return fail(errc::internal, "delivery point \"" + std::string(point) + "\" is not registered");
        r.queue = point_queue(dp->id);
        r.max_depth = depth_bound(dp, limits);
        c.point = dp->id;
    }
    r.opens = std::move(c);
    return r;
}

result<async_route> route_in_chain(const registry_view& view, const system_entry& caller, const service_entry& svc,
                                   const storage::chain& c, const async_limits& limits) {
    async_route r;
    // the provider answers the IS that opened the chain; a peer gateway the
    // chain's REQUEST was forwarded to speaks for the provider behind it
    if (caller.id == c.owner || view.speaks_for(caller, c.point)) {
        r.recipient = c.opener;
        r.queue = view.system_target(c.opener) ? system_queue(c.opener) : pull_queue(c.opener, svc.id);
        r.max_depth = limits.max_queue_depth;
    } else if (caller.id == c.opener) { // the opener writes on to the provider
        r.recipient = c.owner;
        const auto* dp = c.point.empty() ? nullptr : view.point(c.point);
        r.queue = dp ? point_queue(dp->id) : pull_queue(c.owner, svc.id);
        r.max_depth = depth_bound(dp, limits);
    } else {
        return fail(errc::not_chain_party, "\"" + caller.id + "\" is not a party of chain " + c.correlation_id);
    }
    return r;
}

/// A peer gateway forwards a message under the ids its first node gave it
/// (one message, one id, end to end: the trace across the hop, and how a
/// retried forward is recognised). Both are that node's gateway ids.
result<void> check_peer_ids(const async_message_info& info) {
    if (!info.message_id || !ordered_guid_ms(*info.message_id))
        return fail(errc::invalid_request, "a peer gateway's message needs the messageId its first node gave it");
    if (!info.correlation_id || !ordered_guid_ms(*info.correlation_id))
        return fail(errc::invalid_request, "a peer gateway's message needs the correlationId its first node gave it");
    return {};
}

template <class T>
async_outcome<T> faulted(std::string session, failure f) {
    return {std::move(session), gateway_fault{std::move(f), nullptr}};
}

} // namespace

result<async_route> resolve_async_route(const registry_view& view, const system_entry& caller,
                                        const async_message_info& info, const std::optional<storage::chain>& existing,
                                        const async_limits& limits) {
    const auto* svc = view.service(info.service_id);
    if (!svc) return fail(errc::unknown_service, "serviceId \"" + info.service_id + "\"");
    if (svc->mode == service_mode::sync)
        return fail(errc::wrong_channel, "service \"" + svc->id + "\" is synchronous only");
    if (info.type == message_type::request) return route_request(view, caller, *svc, info, limits);
    if (!existing) return fail(errc::unknown_chain, "a " + std::string(to_string(info.type)) +
                                                        " needs the correlationId of an existing chain");
    if (existing->service_id != svc->id)
        return fail(errc::unknown_chain, "chain " + existing->correlation_id + " belongs to another service");
    return route_in_chain(view, caller, *svc, *existing, limits);
}

namespace {

/// How far a messageDate may be from now for a retry to be recognised by it.
constexpr std::int64_t repeatable_span_ms = 24LL * 3600 * 1000;

struct repeatable_ids {
    std::string message_id;
    std::string chain_id; ///< the chain a REQUEST opens
};

/// On a store nodes share, a sender's retry of a sendMessage (its
/// messageId, messageDate, routing and content unchanged) gets the ids its
/// first try got, and is stored once: a try answered with a fault may be
/// stored all the same (its commit's wait for the synchronous standby was
/// cancelled; a node died before it answered), and the retry may reach any
/// node. The ids' time is the messageDate's, so retention still finds them;
/// a sender without a messageId, or a messageDate more than a day from now,
/// gets fresh ids.
std::optional<repeatable_ids> repeatable_ids_of(const system_entry& sender, const async_message& m, unix_ms now) {
    const auto& info = m.info;
    if (!info.message_id || info.message_id->empty()) return std::nullopt;
    const auto date = parse_datetime(info.message_date);
    if (!date) return std::nullopt;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(date->time_since_epoch()).count();
    if (ms <= 0 || ms < now - repeatable_span_ms || ms > now + repeatable_span_ms) return std::nullopt;
    std::string key;
    for (const std::string_view part : {std::string_view(sender.id), std::string_view(*info.message_id),
                                        std::string_view(info.message_date), std::string_view(info.service_id),
                                        to_string(info.type), std::string_view(info.correlation_id.value_or("")),
                                        std::string_view(info.route_id.value_or("")), std::string_view(m.data.content)}) {
        key += std::to_string(part.size());
        key += ':';
        key += part;
    }
    const auto digest = crypto::sha256(key);
    const auto chain = crypto::sha256(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
    const auto bytes = [](const crypto::sha256_digest& d) {
        return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
    };
    return repeatable_ids{ordered_guid_of(ms, bytes(digest)), ordered_guid_of(ms, bytes(chain))};
}

} // namespace

async_gateway::async_gateway(const registry_holder& registry, authenticator& auth, storage::message_store& store,
                             delivery_engine& engine, const point_states& points, async_limits limits,
                             metrics_registry& metrics, journal_sink& journal, const transport_security* security)
    : registry_(registry), auth_(auth), store_(store), engine_(engine), points_(points), limits_(limits),
      probe_(metrics), journal_(journal), security_(security) {}

task<result<void>> async_gateway::recover() {
    if (store_.shared()) co_return result<void>{}; // the leases live in the store alone
    auto leases = co_await store_.leases();
    if (!leases) co_return leases.error();
    leases_.restore(*leases);
    co_return result<void>{};
}

task<result<const system_entry*>> async_gateway::caller(const registry_view& view,
                                                        const std::optional<sender_info>& sender,
                                                        const caller_envelope* envelope) {
    if (!sender) co_return fail(errc::auth_failed, "request/sender is required");
    auto who = co_await auth_.authenticate(view, *sender);
    if (who)
        if (auto named = check_client_certificate(envelope, **who); !named) co_return named.error();
    if (who && signature_required(envelope, 0, **who)) // a point's mode is checked where the route is known
        if (auto checked = co_await check_signature(security_, envelope, **who, view.hop_of(**who)); !checked)
            co_return checked.error();
    co_return who;
}

task<async_outcome<accepted_message>> async_gateway::send(async_message m, const caller_envelope* envelope) {
    if (!journal_.enabled()) { // counted only
        auto out = co_await accept(std::move(m), envelope);
        (std::holds_alternative<accepted_message>(out.answer) ? probe_.async_accepted : probe_.async_rejected).inc();
        co_return out;
    }
    // An accepted message's row is written with it (accept()); a refusal's
    // row is written on its own.
    journal_event refusal;
    refusal.channel = journal_channel::async;
    refusal.transport = transport_of(envelope);
    refusal.service_id = m.info.service_id;
    refusal.sender = m.info.sender.sender_id;
    refusal.correlation_id = m.info.correlation_id.value_or("");
    refusal.message_id = m.info.message_id.value_or("");
    refusal.message_type = std::string(to_string(m.info.type));
    refusal.request_bytes = static_cast<std::int64_t>(m.data.content.size());
    refusal.received_ms = now_ms();
    auto out = co_await accept(std::move(m), envelope);
    if (std::holds_alternative<accepted_message>(out.answer)) {
        probe_.async_accepted.inc();
        co_return out;
    }
    probe_.async_rejected.inc();
    set_refusal(refusal, std::get<gateway_fault>(out.answer).cause);
    refusal.at_ms = now_ms();
    refusal.duration_ms = refusal.at_ms - refusal.received_ms;
    journal_.record(refusal);
    co_return out;
}

task<async_outcome<accepted_message>> async_gateway::accept(async_message m, const caller_envelope* envelope) {
    auto session = braced(new_guid());
    const auto view = registry_.current();
    auto who = co_await auth_.authenticate(*view, m.info.sender);
    if (!who) co_return faulted<accepted_message>(session, who.error());
    const system_entry& sender = **who;
    // a peer gateway hears back on a signed hop, whatever the answer
    const auto hop = [&](async_outcome<accepted_message> out) {
        out.hop = view->answer_hop(sender);
        return out;
    };

    std::optional<storage::chain> existing;
    if (m.info.type != message_type::request && m.info.correlation_id) {
        auto found = co_await store_.find_chain(*m.info.correlation_id);
        if (!found) co_return hop(faulted<accepted_message>(session, found.error()));
        existing = std::move(*found);
    }
    auto route = resolve_async_route(*view, sender, m.info, existing, limits_);
    if (!route) co_return hop(faulted<accepted_message>(session, route.error()));
    std::optional<signature_evidence> evidence;
    const auto* point = route_point(*view, route->queue);
    const int mode = point ? view->policy(*point, sender.id, m.info.service_id).policy.security_mode : 0;
    if (signature_required(envelope, mode, sender)) {
        auto checked = co_await check_signature(security_, envelope, sender, view->hop_of(sender));
        if (!checked) co_return hop(faulted<accepted_message>(session, checked.error()));
        evidence = std::move(*checked);
    }
    if (sender.gateway) { // signed by the peer: its ids are its first node's
        if (auto ids = check_peer_ids(m.info); !ids) co_return hop(faulted<accepted_message>(session, ids.error()));
        if (route->opens) route->opens->correlation_id = *m.info.correlation_id;
    }

    const auto now = now_ms();
    std::optional<repeatable_ids> again;
    if (!sender.gateway && store_.shared()) again = repeatable_ids_of(sender, m, now);
    if (again && route->opens) route->opens->correlation_id = again->chain_id;
    auto body = std::make_shared<storage::queued_message>();
    body->id = sender.gateway ? *m.info.message_id : again ? again->message_id : new_ordered_guid();
    body->accepted_ms = now;
    m.info.message_id = body->id;
    m.info.correlation_id = route->opens ? route->opens->correlation_id : existing->correlation_id;
    m.info.session_id = session;
    m.info.sender = sender_info{sender.id, std::nullopt}; // neither the password nor the address is stored
    body->message = std::move(m);
    accepted_message answer{body->id, *body->message.info.correlation_id};
    storage::new_message n;
    n.track.destination = route->queue;
    n.track.sender = sender.id;
    n.track.recipient = route->recipient;
    n.track.service_id = body->message.info.service_id;
    n.body = std::move(body);
    n.track.status = make_status(message_state::on_delivery, status_code::accepted, "accepted", now);
    n.opens = std::move(route->opens);
    n.max_depth = static_cast<std::size_t>(route->max_depth);
    n.if_absent = sender.gateway;
    if (journal_.enabled()) {
        const auto& info = n.body->message.info;
        journal_event e;
        e.kind = journal_event_kind::accepted;
        e.channel = journal_channel::async;
        e.transport = transport_of(envelope);
        e.message_id = n.body->id;
        e.correlation_id = *info.correlation_id;
        e.message_type = std::string(to_string(info.type));
        e.service_id = info.service_id;
        e.sender = sender.id;
        e.recipient = route->recipient;
        e.point = route->queue;
        e.state = std::string(to_string(message_state::on_delivery));
        e.at_ms = e.received_ms = now;
        e.request_bytes = static_cast<std::int64_t>(n.body->message.data.content.size());
        if (point && point->journal_payload) e.payload = n.body->message.data.content;
        e.detail = transport_note(envelope, evidence ? &*evidence : nullptr);
        if (sender.gateway) { // who sent it first, at the node before this one
            const auto origin = property_value(info.properties, origin_property);
            e.detail += (e.detail.empty() ? "" : "; ") + std::string("forwarded by peer ") + sender.id;
            if (!origin.empty()) e.detail += ", origin " + std::string(origin);
        }
        n.journal.push_back(std::move(e));
    }

    // The store offers the message to its PUSH worker (if any) as it writes it.
    auto stored = co_await store_.accept(std::move(n));
    // a peer forwarding again what this node took before, or a sender
    // retrying what a node took (their answer was lost, or a fault), is
    // answered as accepted again: stored once
    const bool repeated = !stored && (sender.gateway || again) && stored.error().code == errc::conflict;
    if (!stored && !repeated) co_return hop(faulted<accepted_message>(session, stored.error()));
    if (repeated)
        log::info("async", "{}: a repeated {} from {}, already stored", answer.message_id,
                  sender.gateway ? "forward" : "sendMessage", sender.id);
    co_return hop({std::move(session), std::move(answer)});
}

task<result<std::vector<storage::queue_entry>>> async_gateway::claim_shared(storage::shared_state& shared,
                                                                            const pull_request& r,
                                                                            const std::string& queue,
                                                                            std::size_t amount, unix_ms now,
                                                                            unix_ms until) {
    std::vector<std::uint64_t> only;
    if (r.message_id) { // one message, when it waits in this caller's queue
        auto t = co_await store_.track(*r.message_id);
        if (!t) co_return t.error();
        if (!*t || (*t)->destination != queue || is_final((*t)->status.state))
            co_return std::vector<storage::queue_entry>{};
        only.push_back((*t)->seq);
    } else if (r.correlation_id) { // one chain: its positions, from the queue's head
        constexpr std::size_t page = 256;
        std::uint64_t from = 0;
        for (std::size_t examined = 0; only.size() < amount && examined < max_examined; examined += page) {
            auto entries = co_await store_.scan(queue, from, page);
            if (!entries) co_return entries.error();
            for (const auto& e : *entries)
                if (e.body->message.info.correlation_id == r.correlation_id && only.size() < amount)
                    only.push_back(e.seq);
            if (entries->size() < page) break;
            from = entries->back().seq + 1;
        }
        if (only.empty()) co_return std::vector<storage::queue_entry>{};
    }
    if (!only.empty()) co_return co_await shared.lease(queue, std::move(only), amount, now, until);
    std::vector<storage::queue_entry> out;
    for (int round = 0; round < 3 && out.size() < amount; ++round) { // another node may win some of a round
        auto got = co_await shared.lease(queue, {}, amount - out.size(), now, until);
        if (!got) co_return got.error();
        if (got->empty()) break;
        for (auto& e : *got) out.push_back(std::move(e));
    }
    co_return out;
}

task<result<std::vector<storage::queue_entry>>> async_gateway::claim(const pull_request& r, const std::string& queue,
                                                                     std::size_t amount, unix_ms now, unix_ms until) {
    if (auto* shared = store_.shared()) co_return co_await claim_shared(*shared, r, queue, amount, now, until);
    std::vector<storage::queue_entry> out;
    auto take = [&](std::vector<storage::queue_entry>& entries, std::uint64_t scanned_to, bool plain) {
        std::vector<lease_table::slot> slots;
        slots.reserve(entries.size());
        for (const auto& e : entries) slots.push_back({e.seq, e.id});
        for (auto i : leases_.claim(queue, slots, scanned_to, now, until, plain)) out.push_back(std::move(entries[i]));
    };
    if (r.message_id) { // one message, when it waits in this caller's queue
        auto t = co_await store_.track(*r.message_id);
        if (!t) co_return t.error();
        if (!*t || (*t)->destination != queue || is_final((*t)->status.state)) co_return out;
        auto body = co_await store_.at(queue, (*t)->seq);
        if (!body) co_return body.error();
        if (!*body) co_return out;
        std::vector<storage::queue_entry> one{
            {(*t)->seq, *r.message_id, std::make_shared<storage::queued_message>(std::move(**body))}};
        take(one, (*t)->seq, false);
        co_return out;
    }
    if (r.correlation_id) { // one chain: look through the queue from its head
        constexpr std::size_t page = 256;
        std::uint64_t from = 0;
        for (std::size_t examined = 0; out.size() < amount && examined < max_examined; examined += page) {
            auto entries = co_await store_.scan(queue, from, page);
            if (!entries) co_return entries.error();
            std::vector<storage::queue_entry> matching;
            for (auto& e : *entries)
                if (e.body->message.info.correlation_id == r.correlation_id && out.size() + matching.size() < amount)
                    matching.push_back(std::move(e));
            take(matching, 0, false);
            if (entries->size() < page) break;
            from = entries->back().seq + 1;
        }
        co_return out;
    }
    // What came back (RESEND, ended leases) first, then new entries from the
    // frontier: nothing out on lease is read again.
    for (auto& slot : leases_.take_returned(queue, now, until, amount)) {
        auto body = co_await store_.at(queue, slot.seq);
        if (!body) {
            leases_.give_back(queue, slot.seq, slot.id);
            co_return body.error();
        }
        if (*body) out.push_back({slot.seq, slot.id, std::make_shared<storage::queued_message>(std::move(**body))});
        else leases_.settle(queue, slot.seq); // settled meanwhile
    }
    for (int round = 0; round < 3 && out.size() < amount; ++round) { // a concurrent puller may win a round
        auto entries = co_await store_.scan(queue, leases_.frontier(queue), amount - out.size());
        if (!entries) co_return entries.error();
        if (entries->empty()) break;
        const auto last = entries->back().seq;
        take(*entries, last, true);
    }
    co_return out;
}

task<async_outcome<std::vector<async_message>>> async_gateway::pull(pull_request r, const caller_envelope* envelope) {
    auto out = co_await offer(std::move(r), envelope);
    if (const auto* offered = std::get_if<std::vector<async_message>>(&out.answer))
        probe_.pull_offered.inc(offered->size());
    co_return out;
}

task<async_outcome<std::vector<async_message>>> async_gateway::offer(pull_request r, const caller_envelope* envelope) {
    using outcome = async_outcome<std::vector<async_message>>;
    auto session = braced(new_guid());
    const auto view = registry_.current();
    auto who = co_await caller(*view, r.sender, envelope);
    if (!who) co_return faulted<std::vector<async_message>>(session, who.error());
    const auto* svc = view->service(r.service_id);
    if (!svc) co_return faulted<std::vector<async_message>>(session, fail(errc::unknown_service, "serviceId \"" + r.service_id + "\""));

    const auto queue = pull_queue((*who)->id, svc->id);
    const auto amount = static_cast<std::size_t>(
        r.amount <= 0 ? limits_.pull_batch_default : std::min(r.amount, limits_.pull_batch_max));
    const auto now = now_ms();
    const auto until = now + limits_.pull_lease_ms;
    auto claimed = co_await claim(r, queue, amount, now, until);
    if (!claimed) co_return faulted<std::vector<async_message>>(session, claimed.error());

    std::vector<lease_table::slot> slots;
    std::vector<async_message> offered;
    slots.reserve(claimed->size());
    offered.reserve(claimed->size());
    for (auto& e : *claimed) {
        slots.push_back({e.seq, e.id});
        offered.push_back(std::move(e.body->message)); // read for this call alone
    }
    if (store_.shared()) { // leased on the store's side already; the journal's rows in their order
        auto rows = leased_rows(offered, **who, transport_of(envelope));
        if (!rows.empty())
            if (auto written = co_await store_.set_leases({}, std::move(rows)); !written)
                co_return faulted<std::vector<async_message>>(session, written.error()); // the leases lapse
    } else if (!slots.empty()) {
        auto leased = co_await store_.set_leases(lease_table::records(queue, slots, until), leased_rows(offered, **who, transport_of(envelope)));
        if (!leased) {
            for (auto& slot : slots) leases_.give_back(queue, slot.seq, slot.id);
            co_return faulted<std::vector<async_message>>(session, leased.error());
        }
    }
    co_return outcome{std::move(session), std::move(offered)};
}

std::vector<journal_event> async_gateway::leased_rows(const std::vector<async_message>& offered,
                                                      const system_entry& puller, const std::string& transport) const {
    std::vector<journal_event> rows;
    if (!journal_.enabled()) return rows;
    const auto at = now_ms();
    rows.reserve(offered.size());
    for (const auto& m : offered) {
        journal_event e;
        e.kind = journal_event_kind::leased;
        e.channel = journal_channel::pull;
        e.transport = transport;
        e.message_id = m.info.message_id.value_or("");
        e.correlation_id = m.info.correlation_id.value_or("");
        e.message_type = std::string(to_string(m.info.type));
        e.service_id = m.info.service_id;
        e.sender = m.info.sender.sender_id;
        e.recipient = puller.id;
        e.state = std::string(to_string(message_state::on_delivery));
        e.at_ms = e.sent_ms = at;
        e.request_bytes = static_cast<std::int64_t>(m.data.content.size());
        rows.push_back(std::move(e));
    }
    return rows;
}

task<async_outcome<std::string>> async_gateway::confirm(delivery_report r, const caller_envelope* envelope) {
    // A verdict taken is journalled with the state change it makes
    // (take_report); a refused one on its own.
    journal_event refusal;
    const bool journalled = journal_.enabled();
    if (journalled) {
        refusal.channel = journal_channel::pull;
        refusal.transport = transport_of(envelope);
        refusal.message_id = r.message_id;
        refusal.service_id = r.service_id;
        refusal.sender = r.sender ? r.sender->sender_id : std::string();
        refusal.received_ms = now_ms();
    }
    auto out = co_await take_report(std::move(r), envelope);
    if (const auto* f = std::get_if<gateway_fault>(&out.answer)) {
        if (journalled) {
            set_refusal(refusal, f->cause);
            refusal.at_ms = now_ms();
            journal_.record(refusal);
        }
    } else {
        probe_.pull_confirmed.inc();
    }
    co_return out;
}

task<async_outcome<std::string>> async_gateway::take_report(delivery_report r, const caller_envelope* envelope) {
    auto session = braced(new_guid());
    const auto view = registry_.current();
    auto who = co_await caller(*view, r.sender, envelope);
    if (!who) co_return faulted<std::string>(session, who.error());
    auto t = co_await store_.track(r.message_id);
    if (!t) co_return faulted<std::string>(session, t.error());
    auto& track = *t;
    if (!track || track->recipient != (*who)->id || !is_pull_queue(track->destination) ||
        track->service_id != r.service_id)
        co_return faulted<std::string>(session, fail(errc::unknown_message, "messageId \"" + r.message_id +
                                                                                "\" is not waiting for \"" +
                                                                                (*who)->id + "\" in " + r.service_id));
    const bool accepted = r.status == receive_status::accepted;
    if (is_final(track->status.state)) {
        if (accepted && track->status.state == message_state::delivered) // a repeated confirmation
            co_return async_outcome<std::string>{std::move(session), new_guid()};
        co_return faulted<std::string>(session, fail(errc::message_final, "message " + r.message_id + " is " +
                                                                              std::string(to_string(track->status.state))));
    }
    const auto now = now_ms();
    const auto why = r.error ? r.error->code + ": " + r.error->message : std::string();
    message_status next;
    if (accepted) next = make_status(message_state::delivered, status_code::delivered, "confirmed by the recipient", now);
    else if (r.resend == resend_choice::resend)
        next = make_status(message_state::on_delivery, status_code::resend, "the recipient asked for it again" +
                                                                              (why.empty() ? "" : ": " + why), now);
    else next = make_status(message_state::not_delivered, status_code::rejected, "refused by the recipient" +
                                                                                  (why.empty() ? "" : ": " + why), now);
    if (!accepted) ++track->attempts;
    journal_event e;
    if (journal_.enabled()) {
        const auto kind = next.state == message_state::delivered       ? journal_event_kind::delivered
                          : next.state == message_state::not_delivered ? journal_event_kind::not_delivered
                                                                       : journal_event_kind::resend;
        e = tracked_event(kind, journal_channel::pull, r.message_id, *track, next.state, now);
        e.transport = transport_of(envelope);
        e.error_code = r.error ? r.error->code : std::string();
        e.detail = next.message;
    }
    const auto rules = notify_rules_of(*view, track->service_id, track->sender);
    auto change = transition(r.message_id, storage::record_kind::message, *track, std::move(next), rules);
    change.release_lease = !change.dequeue;
    if (journal_.enabled()) change.journal.push_back(std::move(e));
    auto written = co_await store_.change(change);
    if (!written) co_return faulted<std::string>(session, written.error());
    if (!store_.shared()) {
        if (change.dequeue) leases_.settle(track->destination, track->seq);
        else leases_.give_back(track->destination, track->seq, r.message_id);
    }
    engine_.wake_for(change);
    co_return async_outcome<std::string>{std::move(session), new_guid()};
}

task<async_outcome<message_status>> async_gateway::status(status_query q, const caller_envelope* envelope) {
    auto session = braced(new_guid());
    const auto view = registry_.current();
    auto who = co_await caller(*view, std::optional<sender_info>(q.sender), envelope);
    if (!who) co_return faulted<message_status>(session, who.error());
    auto t = co_await store_.track(q.message_id);
    if (!t) co_return faulted<message_status>(session, t.error());
    if (!*t || ((*t)->sender != (*who)->id && (*t)->recipient != (*who)->id))
        co_return faulted<message_status>(session, fail(errc::unknown_message, "messageId \"" + q.message_id + "\""));
    auto status = std::move((*t)->status);
    if (status.state == message_state::on_delivery && (*t)->forwarded_to.empty()) // a peer's state is its own
        if (auto why = points_.off_for_queue((*t)->destination)) { // its point is switched off
            status.state = message_state::delivery_stopped;
            status.code = std::string(status_code::stopped);
            status.message = std::move(*why);
        }
    co_return async_outcome<message_status>{std::move(session), std::move(status)};
}

} // namespace qaqpa::routing
