#pragma once
// The durable side of the asynchronous channel: messages, per-destination
// queues, message chains, tracking (state) and PULL leases. routing/ talks to
// this interface; rocksdb_message_store is the embedded default and no
// RocksDB type appears here.
//
// Writes go through one committer: every call is one atomic batch, and all
// batches waiting when the committer wakes share one synced write (group
// commit), so a write that returns is durable and concurrent writers share an
// fsync. The committer also assigns queue sequence numbers, so a queue is
// always committed in sequence order: a reader that saw sequence n has seen
// every live entry below it.
//
// Every call the event loops make is asynchronous and can fail with a typed
// error (result<T>), so a store over the network never stalls a loop; an
// embedded store may complete a read inline.
//
// Thread safety: every method may be called from any thread. Calls complete
// on the caller's executor.

#include "core/async.hpp"
#include "core/async_message.hpp"
#include "core/errors.hpp"
#include "core/journal.hpp"
#include "core/outbound.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qaqpa::storage {

/// What a destination receives (core/outbound.hpp): stored as it is sent.
using qaqpa::record_kind;
using queued_message = outbound_message;

/// Where a message waits and what has happened to it. Kept after delivery
/// (getMessageStatus answers from it); the body is dropped then.
struct tracking {
    std::string destination; ///< the queue it waits in (routing/ names queues)
    std::uint64_t seq = 0;   ///< its position there, assigned by the store
    std::string sender;      ///< system ids
    std::string recipient;
    std::string service_id;
    message_status status;
    int attempts = 0;                 ///< failed delivery attempts so far
    std::int64_t next_attempt_ms = 0; ///< not before (Unix ms); 0 = at once
    /// The journal row of its acceptance, kept here instead of in the
    /// journal's index (one write fewer per message); the store's to say.
    std::uint64_t journal_row = 0;
    /// The peer gateway (`[[peers]]` id) that took the message: it has left
    /// this node's queue, and its state follows what that peer reports
    /// (routing/peer_reports). "" while it is this node's to deliver.
    std::string forwarded_to{};
    /// The peer's statusDate (Unix ms) of the last report applied: an older
    /// report arriving late is not applied over a newer one. 0 = none yet.
    std::int64_t peer_status_ms = 0;
};

/// A message chain, opened by a REQUEST.
struct chain {
    std::string correlation_id;
    std::string service_id;
    std::string opener; ///< the IS that sent the REQUEST
    std::string owner;  ///< the service's owner
    std::string point;  ///< the delivery point the REQUEST went to; "" when pulled
    /// The journal row of the REQUEST's acceptance (the chain index's first
    /// entry, kept here); the store's to say.
    std::uint64_t journal_row = 0;
};

struct new_message {
    /// Shared, never copied: the PUSH engine may start on it while its batch
    /// is written.
    std::shared_ptr<const queued_message> body;
    tracking track;
    std::optional<chain> opens; ///< a REQUEST opens its chain in the same batch
    std::size_t max_depth = 0;  ///< the destination's bound; 0 = unbounded
    std::vector<journal_event> journal; ///< rows written in the same batch (journal_store.hpp)
    /// A peer gateway's forward, under the id the peer gave it: stored only
    /// when no message has that id yet, else accept() fails with
    /// errc::conflict and nothing is written (a retried forward is
    /// recognised, never stored twice).
    bool if_absent = false;
};

struct queue_entry {
    std::uint64_t seq = 0;
    std::string id;
    /// Read for this caller alone (it may move the message out); the PUSH
    /// engine shares it with its attempts as it is.
    std::shared_ptr<queued_message> body;
};

/// One state change of one message, written atomically with the messages
/// it causes (status notifications to the sender).
struct state_change {
    std::string id;
    tracking track;       ///< the new tracking
    bool dequeue = false; ///< final: remove the queue entry and the body
    bool release_lease = false; ///< offered again: drop its PULL lease
    std::vector<new_message> enqueue;
    std::vector<journal_event> journal; ///< rows written in the same batch, when the change is
};

struct lease {
    std::string id;
    std::int64_t until_ms = 0; ///< 0 releases
    std::string destination;   ///< the pull queue and position of the message
    std::uint64_t seq = 0;
};

class shared_state;

class message_store {
public:
    virtual ~message_store() = default;

    /// Queues a message durably; returns its sequence. queue_full when the
    /// destination holds max_depth messages already.
    virtual task<result<std::uint64_t>> accept(new_message m) = 0;

    /// Applies a state change durably (and queues what it causes).
    virtual task<result<void>> change(state_change c) = 0;

    /// Records PULL leases (offered, not to be offered again before until_ms);
    /// until_ms 0 releases.
    virtual task<result<void>> set_leases(std::vector<lease> leases, std::vector<journal_event> journal = {}) = 0;

    /// Up to `limit` entries of a queue with their messages, in order, from
    /// sequence `from` on.
    virtual task<result<std::vector<queue_entry>>> scan(std::string_view destination, std::uint64_t from,
                                                        std::size_t limit) = 0;

    /// The message while it is queued (nullopt once it left its queue).
    virtual task<result<std::optional<queued_message>>> body(std::string_view id) = 0;
    /// The message at a queue position, if it is still there.
    virtual task<result<std::optional<queued_message>>> at(std::string_view destination, std::uint64_t seq) = 0;
    virtual task<result<std::optional<tracking>>> track(std::string_view id) = 0;
    virtual task<result<std::optional<chain>>> find_chain(std::string_view correlation_id) = 0;

    /// Every non-empty queue with its depth (recovery: workers restart on these).
    virtual task<result<std::vector<std::pair<std::string, std::size_t>>>> queues() = 0;
    virtual task<result<std::size_t>> depth(std::string_view destination) = 0;

    /// Leases recorded and not released (recovery).
    virtual task<result<std::vector<lease>>> leases() = 0;

    /// Puts a NOT_DELIVERED message back at the tail of the queue it left
    /// (the administrator's redelivery): its body, kept since it failed,
    /// is queued again with a new sequence, `status`, and no attempts
    /// counted; `journal` rows are written with it. unknown_message when
    /// there is no such message; conflict when it is not NOT_DELIVERED (or
    /// its body is gone). Returns its new sequence.
    virtual task<result<std::uint64_t>> redeliver(std::string id, message_status status,
                                                  std::vector<journal_event> journal = {}) = 0;

    /// NOT_DELIVERED messages whose bodies are kept for redelivery, in id
    /// order (the order they were accepted), after `after` (exclusive), at
    /// most `limit`, with their tracking.
    virtual task<result<std::vector<std::pair<std::string, tracking>>>> undelivered(std::string after,
                                                                                   std::size_t limit) = 0;

    /// Switches a delivery point's delivery off (error shutdown or the
    /// administrator) or on again, durably. `reason` says why it is off.
    virtual task<result<void>> set_point_off(std::string point, bool off, std::string reason,
                                             std::vector<journal_event> journal = {}) = 0;
    /// The points switched off, with their reasons (recovery).
    virtual task<result<std::vector<std::pair<std::string, std::string>>>> points_off() = 0;

    /// What the nodes sharing this store decide together (shared_state.hpp);
    /// null for a store one node owns, whose routing/ keeps that in memory.
    virtual shared_state* shared() { return nullptr; }

    /// Called on the committer thread with every message about to be written
    /// (its sequence assigned, its batch not yet synced; the write may still
    /// fail). Lets the PUSH engine start delivering during the fsync. Set
    /// before writes begin; nullptr clears.
    virtual void set_queued_observer(std::function<void(const new_message&)> fn) = 0;

    /// Why writes fail now (a full disk, a failed fsync), "" while they
    /// succeed. Meanwhile every write fails at once with store_unavailable;
    /// the store retries by itself and recovers when it can write again.
    virtual std::string write_problem() const = 0;

    /// Completes the writes already submitted and stops the committer; later
    /// writes fail at once (errc::internal). Call while the executors of the
    /// callers still run, so every completion has somewhere to go.
    virtual void stop() = 0;
};

} // namespace qaqpa::storage
