#pragma once
// The asynchronous channel's decisions (PROTOCOL.md "Asynchronous channel"):
// sendMessage (authenticate, authorise, route, store durably, then answer),
// getMessages with leases, sendDeliveryNotification and getMessageStatus.
//
// Lifecycle: constructed once by cmd/ after the store and the engine;
// recover() restores the PULL leases before the listeners open.
// Thread safety: every operation may run on every io_context thread at once.

#include "core/async.hpp"
#include "core/async_message.hpp"
#include "core/journal.hpp"
#include "core/metrics.hpp"
#include "routing/authenticator.hpp"
#include "routing/delivery_engine.hpp"
#include "routing/gateway_probe.hpp"
#include "routing/lease_table.hpp"
#include "routing/point_states.hpp"
#include "routing/registry_view.hpp"
#include "routing/transport_security.hpp"
#include "storage/message_store.hpp"
#include "storage/shared_state.hpp"

#include <string>
#include <variant>
#include <vector>

namespace qaqpa::routing {

struct async_limits {
    int pull_batch_default = 100;
    int pull_batch_max = 1000;
    int pull_lease_ms = 60000;
    std::int64_t max_queue_depth = 1000000;
};

/// The answer to one operation: the gateway's sessionId, and the result or
/// the fault.
template <class T>
struct async_outcome {
    std::string session_id;
    std::variant<T, gateway_fault> answer;
    /// The caller is a peer gateway: its answer is a signed hop, with these keys.
    std::optional<hop_keys> hop = std::nullopt;
};

struct accepted_message {
    std::string message_id;
    std::string correlation_id;
};

/// Where a message goes: its queue, recipient, and the chain a REQUEST opens.
struct async_route {
    std::string queue;
    std::string recipient;
    std::int64_t max_depth = 0;
    std::optional<storage::chain> opens;
};

/// Routing of sendMessage, without I/O: a REQUEST to the service (its route
/// for routeId; its owner's pull queue for a PULL service); any other type to
/// the other party of `existing` (the chain its correlationId names).
result<async_route> resolve_async_route(const registry_view& view, const system_entry& caller,
                                        const async_message_info& info, const std::optional<storage::chain>& existing,
                                        const async_limits& limits);

class async_gateway {
public:
    async_gateway(const registry_holder& registry, authenticator& auth, storage::message_store& store,
                  delivery_engine& engine, const point_states& points, async_limits limits,
                  metrics_registry& metrics, journal_sink& journal, const transport_security* security = nullptr);

    task<result<void>> recover();

    /// `envelope`: the caller's envelope as received, for its transport
    /// signature (transport_security.hpp); it must outlive the call.
    task<async_outcome<accepted_message>> send(async_message m, const caller_envelope* envelope = nullptr);
    task<async_outcome<std::vector<async_message>>> pull(pull_request r, const caller_envelope* envelope = nullptr);
    /// The answer is the notificationId.
    task<async_outcome<std::string>> confirm(delivery_report r, const caller_envelope* envelope = nullptr);
    task<async_outcome<message_status>> status(status_query q, const caller_envelope* envelope = nullptr);
    /// A peer gateway's changeMassageStatusNotification about a message this
    /// node forwarded to it (peer_reports.cpp): signed with the peer's
    /// certificate, applied once, in the order the peer's status dates say.
    task<async_outcome<std::monostate>> peer_report(status_notification n, const caller_envelope* envelope = nullptr);

private:
    task<async_outcome<accepted_message>> accept(async_message m, const caller_envelope* envelope);
    task<async_outcome<std::vector<async_message>>> offer(pull_request r, const caller_envelope* envelope);
    /// The journal's rows for messages offered to `puller` (none with the journal off).
    std::vector<journal_event> leased_rows(const std::vector<async_message>& offered, const system_entry& puller,
                                           const std::string& transport) const;
    task<async_outcome<std::string>> take_report(delivery_report r, const caller_envelope* envelope);
    /// The authenticated caller; on a signed endpoint, with its signature checked.
    task<result<const system_entry*>> caller(const registry_view& view, const std::optional<sender_info>& sender,
                                             const caller_envelope* envelope);
    /// Finds and leases (in memory, or in the store the nodes share) up to
    /// `amount` messages for a getMessages.
    task<result<std::vector<storage::queue_entry>>> claim(const pull_request& r, const std::string& queue,
                                                          std::size_t amount, unix_ms now, unix_ms until);
    task<result<std::vector<storage::queue_entry>>> claim_shared(storage::shared_state& shared, const pull_request& r,
                                                                 const std::string& queue, std::size_t amount,
                                                                 unix_ms now, unix_ms until);

    const registry_holder& registry_;
    authenticator& auth_;
    storage::message_store& store_;
    delivery_engine& engine_;
    const point_states& points_;
    async_limits limits_;
    gateway_probe probe_;
    journal_sink& journal_;
    const transport_security* security_;
    lease_table leases_; ///< unused when the store is shared
};

} // namespace qaqpa::routing
