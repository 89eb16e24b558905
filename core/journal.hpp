#pragma once
// The journal seam: every message event (accepted, rejected, forwarded, a
// delivery attempt and its outcome, leased, confirmed, a point switched off
// or on) is described by a journal_event where it happens. Events that
// record a state change of a stored message travel with that change to the
// store and are written in its batch (storage/journal_store.hpp); the others
// (synchronous calls, refusals) go to a journal_sink. A sink must not block
// its caller: it is called on the event loops.
//
// Thread safety: record() is called from every event loop at once.

#include "core/async.hpp"
#include "core/errors.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qaqpa {

enum class journal_event_kind {
    accepted,     ///< a message was stored (async) or a call was taken (sync)
    rejected,     ///< refused: authentication, access, validation, back-pressure
    forwarded,    ///< a synchronous call was relayed and answered; an asynchronous message taken by a peer gateway
    attempt,      ///< one PUSH attempt, with its outcome
    delivered,    ///< final: delivered (PUSH answered, or PULL confirmed)
    not_delivered,///< final: retries exhausted or refused by the puller
    leased,       ///< offered to a puller by getMessages
    resend,       ///< the puller asked for it again (RESEND)
    stopped,      ///< delivery to a point switched off
    resumed,      ///< delivery to a point switched on
    redelivered,  ///< put back on its queue by the administrator
};

/// Where it happened: the channel (transport-neutral), PUSH, PULL or the admin API.
enum class journal_channel { sync, async, push, pull, admin };

/// One row's columns (appendix 6 of the rules of 2016, and more). Strings
/// empty and numbers 0 where a column does not apply. Never a password;
/// payload bytes only where a delivery point asks for them.
struct journal_event {
    journal_event_kind kind = journal_event_kind::accepted;
    journal_channel channel = journal_channel::async;
    std::string transport = "soap"; ///< the caller's wire: soap or rest; "" for the gateway's own acts
    std::string message_id;
    std::string correlation_id;
    std::string message_type; ///< REQUEST, RESPONSE, ... (async) or "" (sync)
    std::string service_id;
    std::string sender;
    std::string recipient;
    std::string point;      ///< the delivery point (or queue) concerned
    std::string state;      ///< the message's state after the event (ON_DELIVERY, DELIVERED, ...)
    std::string error_code; ///< a catalog code, or empty
    std::string detail;     ///< what happened, for people
    std::string payload;    ///< the message's data, only for points with journal_payload = true
    std::int64_t at_ms = 0; ///< when the event happened (Unix ms)
    std::int64_t received_ms = 0; ///< when the gateway received the message
    std::int64_t sent_ms = 0;     ///< when it was sent on (forwarded, delivered)
    std::int64_t duration_ms = 0;
    int http_status = 0;          ///< the far side's HTTP status, when there was one
    std::int64_t request_bytes = 0;  ///< the payload's size as received
    std::int64_t response_bytes = 0; ///< the answer's payload size (sync)
};

std::string_view to_string(journal_event_kind k) noexcept;
std::string_view to_string(journal_channel c) noexcept;
std::optional<journal_event_kind> parse_journal_event_kind(std::string_view s) noexcept;
std::optional<journal_channel> parse_journal_channel(std::string_view s) noexcept;

struct journal_row {
    std::uint64_t number = 0;     ///< 1, 2, ... per node, never reused
    std::int64_t recorded_ms = 0; ///< when it was written; never decreases from row to row
    std::string prev_hash;        ///< the row before's hash (hex); 64 zeros for row 1
    journal_event event;
    std::string hash; ///< SHA-256 (hex) of the row's canonical text, prev_hash included
};

/// A query: every filter that is set must match. Rows come in row order.
struct journal_query {
    std::int64_t from_ms = 0; ///< recorded at or after
    std::int64_t to_ms = std::numeric_limits<std::int64_t>::max(); ///< recorded before
    std::string message_id;
    std::string correlation_id;
    std::string sender;
    std::string service_id;
    std::string point;
    std::string state;
    std::string event; ///< a journal_event_kind name
    std::uint64_t after = 0; ///< the cursor: rows after this number
    std::size_t limit = 100;
    /// Rows looked at before the page is cut short (a cursor is returned):
    /// a filter that matches little never holds a store thread for long.
    std::size_t examine_budget = 200000;
};

/// Whether a row passes every filter of `q` that is set (not the cursor).
bool matches(const journal_query& q, const journal_row& r);

struct journal_page {
    std::vector<journal_row> rows;
    std::uint64_t next = 0; ///< the cursor for the next page; 0 when the query is done
};

/// Where the chain stands: the last row written and its hash; what was pruned.
struct journal_head {
    std::uint64_t last = 0;
    std::string last_hash;
    std::uint64_t pruned_through = 0; ///< rows 1..this were pruned
    std::string pruned_hash;          ///< the hash of row pruned_through (the anchor)
};

/// Reads the journal: the admin API's view of it (storage/ implements it).
///
/// Thread safety: every method may be called from any thread.
class journal_reader {
public:
    virtual ~journal_reader() = default;
    virtual task<result<journal_page>> query(journal_query q) = 0;
    virtual result<journal_head> head() = 0;
};

class journal_sink {
public:
    virtual ~journal_sink() = default;
    virtual void record(const journal_event& e) noexcept = 0;
    /// False when record() keeps nothing: callers then skip building events
    /// (each is a handful of strings, per message, on the hot path).
    virtual bool enabled() const noexcept { return true; }
};

/// Records nothing: the node's sink with the journal switched off.
class null_journal final : public journal_sink {
public:
    void record(const journal_event&) noexcept override {}
    bool enabled() const noexcept override { return false; }
};

} // namespace qaqpa
