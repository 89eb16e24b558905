#pragma once
// The logging journal (rules of 2016, appendix 6): one row per message
// event, numbered, each chained to the one before by a SHA-256 hash, so an
// export can be verified without the gateway (journal_verify.hpp).
//
// Rows of a stored message's state change are written in that change's own
// batch (new_message::journal, state_change::journal, set_leases,
// set_point_off); the rest (synchronous calls, refusals) come through
// record(), which never waits: they join the next group commit.
//
// Thread safety: every method may be called from any thread.

#include "core/journal.hpp"

#include <cstdint>

namespace qaqpa::storage {

struct prune_report {
    std::uint64_t rows = 0;     ///< journal rows removed
    std::uint64_t messages = 0; ///< final messages' records removed
    std::uint64_t chains = 0;
};

class journal_store : public journal_sink, public journal_reader {
public:
    /// Queues rows that record no state change; never waits, never fails
    /// (a row that cannot be written is logged). Written before stop() ends.
    void record(const journal_event& e) noexcept override = 0;

    /// Removes journal rows recorded before `before_ms` (keeping the hash of
    /// the last one removed: the chain still verifies across the gap), and
    /// what the store keeps of final messages accepted before it, and chains
    /// opened before it. Works in small batches between the hot path's
    /// writes. Blocking: call it off the event loops.
    virtual result<prune_report> prune(std::int64_t before_ms) = 0;
};

} // namespace qaqpa::storage
