#pragma once
// The journal seam: every message event (accepted, rejected, forwarded, a
// delivery attempt and its outcome, leased, confirmed, a point switched off
// or on) is handed to a journal_sink where it happens. The logging journal
// (rules of 2016, appendix 6) will be one sink; until it lands the node runs
// with null_journal. A sink must not block its caller: it is called on the
// event loops.
//
// Thread safety: record() is called from every event loop at once.

#include <cstdint>
#include <string>

namespace qaqpa {

enum class journal_event_kind {
    accepted,     ///< a message was stored (async) or a call was taken (sync)
    rejected,     ///< refused: authentication, access, validation, back-pressure
    forwarded,    ///< a synchronous call was relayed and answered
    attempt,      ///< one PUSH attempt, with its outcome
    delivered,    ///< final: delivered (PUSH answered, or PULL confirmed)
    not_delivered,///< final: retries exhausted or refused by the puller
    leased,       ///< offered to a puller by getMessages
    stopped,      ///< delivery to a point switched off
    resumed,      ///< delivery to a point switched on
};

/// Where it happened: the channel (transport-neutral), PUSH, PULL or the admin API.
enum class journal_channel { sync, async, push, pull, admin };

struct journal_event {
    journal_event_kind kind = journal_event_kind::accepted;
    journal_channel channel = journal_channel::async;
    std::string message_id;
    std::string correlation_id;
    std::string service_id;
    std::string sender;
    std::string recipient;
    std::string point;
    std::string error_code; ///< a catalog code, or empty
    std::string detail;     ///< what happened, for people
    std::int64_t at_ms = 0; ///< when (Unix ms)
    std::int64_t duration_ms = 0;
};

class journal_sink {
public:
    virtual ~journal_sink() = default;
    virtual void record(const journal_event& e) noexcept = 0;
    /// False when record() keeps nothing: callers then skip building events
    /// (each is a handful of strings, per message, on the hot path).
    virtual bool enabled() const noexcept { return true; }
};

/// Records nothing: the node's sink until the journal lands.
class null_journal final : public journal_sink {
public:
    void record(const journal_event&) noexcept override {}
    bool enabled() const noexcept override { return false; }
};

} // namespace qaqpa
