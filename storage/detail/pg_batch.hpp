#pragma once
// One group commit's writes on PostgreSQL (private to storage/): what the
// committer decided for every write of the commit, netted per row (a message
// accepted and confirmed in the same commit is one insert; a lease on an
// entry removed in the same commit is not written), and written by one statement of
// data-modifying CTEs over arrays: one round trip, whatever the commit holds.
// A statement sees one snapshot, so no row may be touched by two of its
// parts: the netting is what makes that hold.

#include "core/incident.hpp"
#include "storage/detail/pg_connection.hpp"
#include "storage/message_store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace qaqpa::storage::detail {

/// One statement: its SQL, its parameters, which of them are raw bytes.
struct pg_statement {
    std::string sql; ///< "" when there is nothing to write
    std::vector<pg_param> params;
    std::vector<bool> binary;
};

struct pg_batch {
    using position = std::pair<std::string, std::uint64_t>; ///< destination, seq

    struct message_row {
        std::string tracking; ///< record_codec's bytes
        bool final = false;
        std::int64_t made_ms = 0;
    };
    struct queued {
        std::string id;
        std::string body; ///< record_codec's bytes
    };
    struct chain_row {
        std::string record;
        std::int64_t made_ms = 0;
    };
    struct journal_line {
        std::uint64_t number = 0;
        std::int64_t recorded_ms = 0;
        std::string message_id;
        std::string correlation_id;
        std::string record; ///< journal_record's bytes
    };

    std::map<std::string, message_row> inserted; ///< new messages
    std::map<std::string, message_row> updated;  ///< messages stored before this commit
    std::map<position, queued> queue_in;
    std::set<position> queue_out; ///< entries stored before this commit
    std::set<position> parked;    ///< of queue_out: bodies kept for redelivery
    std::map<std::string, std::string> undelivered_in; ///< id → body queued in this very commit
    std::set<std::string> undelivered_out;
    std::map<std::string, long> depth_delta;
    std::map<std::string, chain_row> chains;
    std::map<position, std::int64_t> leases; ///< a queued entry's lease until (Unix ms); 0 releases
    std::map<std::string, std::optional<std::string>> points; ///< off with a reason; nullopt: on
    std::map<std::string, incident> incidents;
    std::vector<journal_line> journal;

    /// Removes a queue entry: one queued in this commit is simply not
    /// written (its body then kept, when `park`, from here).
    void dequeue(const position& at, const std::string& id, bool park);

    bool empty() const;

    /// The one statement writing it all to `schema` (quoted) for `node`;
    /// its depth changes go to the node's own depth rows (nodes committing
    /// at once never wait for each other's).
    pg_statement statement(const std::string& schema, const std::string& node) const;
};

} // namespace qaqpa::storage::detail
