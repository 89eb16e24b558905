#include "storage/detail/pg_batch.hpp"

#include <string_view>

namespace qaqpa::storage::detail {
namespace {

/// Builds "WITH w0 AS (...), w1 AS (...) SELECT 1", each part written with
/// its own $1, $2, ... and renumbered as it joins.
class cte_statement {
public:
    explicit cte_statement(std::string schema) : schema_(std::move(schema)) {}

    /// `sql` names the schema {s}; the args marked in `binary` are raw bytes.
    void add(std::string_view sql, std::vector<std::string> args, std::vector<bool> binary = {}) {
        sql_ += sql_.empty() ? "WITH " : ", ";
        sql_ += "w" + std::to_string(parts_++) + " AS (";
        const auto offset = params_.size();
        for (std::size_t i = 0; i < sql.size(); ++i) {
            if (sql.compare(i, 3, "{s}") == 0) {
                sql_ += schema_;
                i += 2;
            } else if (sql[i] == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
                std::size_t end = i + 1, n = 0;
                for (; end < sql.size() && sql[end] >= '0' && sql[end] <= '9'; ++end) n = n * 10 + (sql[end] - '0');
                sql_ += '$' + std::to_string(n + offset);
                i = end - 1;
            } else {
                sql_ += sql[i];
            }
        }
        sql_ += ')';
        for (std::size_t i = 0; i < args.size(); ++i) {
            params_.emplace_back(std::move(args[i]));
            binary_.push_back(i < binary.size() && binary[i]);
        }
    }

    pg_statement done() && {
        if (parts_ == 0) return {};
        return {std::move(sql_) + " SELECT 1", std::move(params_), std::move(binary_)};
    }

private:
    std::string schema_;
    std::string sql_;
    std::vector<pg_param> params_;
    std::vector<bool> binary_;
    int parts_ = 0;
};

/// Byte strings of one column sent as one binary parameter: the values one
/// after another, cut apart in SQL by substring($n FROM offset FOR length).
/// No escaping on either side (hex in text arrays cost more than the rest
/// of the commit).
struct blob_column {
    std::string heap;
    std::vector<std::size_t> offsets; ///< 1-based, as substring() counts
    std::vector<std::size_t> lengths;
    void add(std::string_view bytes) {
        offsets.push_back(heap.size() + 1);
        lengths.push_back(bytes.size());
        heap.append(bytes);
    }
};

/// Array literals of booleans (numbers: pg_number_array; text: pg_text_array).

std::string bool_array(const std::vector<bool>& items) {
    std::string out = "{";
    for (const bool v : items) {
        if (out.size() > 1) out += ',';
        out += v ? 't' : 'f';
    }
    return out + "}";
}

/// Column arrays of a set of positions.
struct position_columns {
    std::vector<std::string> destinations;
    std::vector<std::uint64_t> seqs;
    template <class Range>
    explicit position_columns(const Range& positions) {
        for (const auto& p : positions) {
            destinations.push_back(p.first);
            seqs.push_back(p.second);
        }
    }
};

} // namespace

void pg_batch::dequeue(const position& at, const std::string& id, bool park) {
    if (auto in = queue_in.find(at); in != queue_in.end()) {
        if (park) undelivered_in[id] = std::move(in->second.body);
        queue_in.erase(in);
        return;
    }
    queue_out.insert(at);
    if (park) parked.insert(at);
}

bool pg_batch::empty() const {
    return inserted.empty() && updated.empty() && queue_in.empty() && queue_out.empty() && undelivered_in.empty() &&
           undelivered_out.empty() && chains.empty() && leases.empty() && points.empty() && incidents.empty() &&
           journal.empty();
}

pg_statement pg_batch::statement(const std::string& schema, const std::string& node) const {
    cte_statement s(schema);
    const auto message_columns = [](const std::map<std::string, message_row>& rows) {
        std::vector<std::string> ids;
        blob_column records;
        std::vector<bool> finals;
        std::vector<std::int64_t> made;
        for (const auto& [id, r] : rows) {
            ids.push_back(id);
            records.add(r.tracking);
            finals.push_back(r.final);
            made.push_back(r.made_ms);
        }
        return std::vector<std::string>{pg_text_array(ids), std::move(records.heap), pg_number_array(records.offsets),
                                        pg_number_array(records.lengths), bool_array(finals), pg_number_array(made)};
    };
    const std::vector<bool> heap_second{false, true}; // columns as message_columns gives them
    if (!inserted.empty())
        s.add("INSERT INTO {s}.messages (id, tracking, final, made_ms) SELECT i, substring($2::bytea FROM o::int FOR l::int), f, m"
              " FROM unnest($1::text[], $3::bigint[], $4::bigint[], $5::boolean[], $6::bigint[]) AS u(i, o, l, f, m)",
              message_columns(inserted), heap_second);
    if (!updated.empty())
        s.add("UPDATE {s}.messages AS m SET tracking = substring($2::bytea FROM u.o::int FOR u.l::int), final = u.f"
              " FROM unnest($1::text[], $3::bigint[], $4::bigint[], $5::boolean[], $6::bigint[]) AS u(i, o, l, f, x)"
              " WHERE m.id = u.i",
              message_columns(updated), heap_second);
    if (!queue_in.empty()) {
        std::vector<std::string> dests, ids;
        std::vector<std::uint64_t> seqs;
        blob_column bodies;
        for (const auto& [at, q] : queue_in) {
            dests.push_back(at.first);
            seqs.push_back(at.second);
            ids.push_back(q.id);
            bodies.add(q.body);
        }
        s.add("INSERT INTO {s}.queue (destination, seq, id, body) SELECT d, n, i, substring($4::bytea FROM o::int FOR l::int)"
              " FROM unnest($1::text[], $2::bigint[], $3::text[], $5::bigint[], $6::bigint[]) AS u(d, n, i, o, l)",
              {pg_text_array(dests), pg_number_array(seqs), pg_text_array(ids), std::move(bodies.heap),
               pg_number_array(bodies.offsets), pg_number_array(bodies.lengths)},
              {false, false, false, true});
    }
    if (!parked.empty()) { // read from the snapshot before the deletion below
        position_columns p(parked);
        s.add("INSERT INTO {s}.undelivered (id, body) SELECT q.id, q.body FROM {s}.queue AS q"
              " JOIN unnest($1::text[], $2::bigint[]) AS u(d, n) ON q.destination = u.d AND q.seq = u.n"
              " ON CONFLICT (id) DO UPDATE SET body = excluded.body",
              {pg_text_array(p.destinations), pg_number_array(p.seqs)});
    }
    if (!queue_out.empty()) {
        position_columns p(queue_out);
        s.add("DELETE FROM {s}.queue AS q USING unnest($1::text[], $2::bigint[]) AS u(d, n)"
              " WHERE q.destination = u.d AND q.seq = u.n",
              {pg_text_array(p.destinations), pg_number_array(p.seqs)});
    }
    if (!undelivered_in.empty()) {
        std::vector<std::string> ids;
        blob_column bodies;
        for (const auto& [id, body] : undelivered_in) {
            ids.push_back(id);
            bodies.add(body);
        }
        s.add("INSERT INTO {s}.undelivered (id, body) SELECT i, substring($2::bytea FROM o::int FOR l::int)"
              " FROM unnest($1::text[], $3::bigint[], $4::bigint[]) AS u(i, o, l)"
              " ON CONFLICT (id) DO UPDATE SET body = excluded.body",
              {pg_text_array(ids), std::move(bodies.heap), pg_number_array(bodies.offsets), pg_number_array(bodies.lengths)},
              {false, true});
    }
    if (!undelivered_out.empty())
        s.add("DELETE FROM {s}.undelivered WHERE id = ANY($1::text[])",
              {pg_text_array({undelivered_out.begin(), undelivered_out.end()})});
    std::vector<std::string> dests;
    std::vector<long> deltas;
    for (const auto& [dest, delta] : depth_delta)
        if (delta != 0) {
            dests.push_back(dest);
            deltas.push_back(delta);
        }
    if (!dests.empty())
        s.add("INSERT INTO {s}.queue_depths AS q (destination, writer, depth)"
              " SELECT d, $3, n FROM unnest($1::text[], $2::bigint[]) AS u(d, n)"
              " ON CONFLICT (destination, writer) DO UPDATE SET depth = q.depth + excluded.depth",
              {pg_text_array(dests), pg_number_array(deltas), node});
    if (!chains.empty()) {
        std::vector<std::string> ids;
        blob_column records;
        std::vector<std::int64_t> made;
        for (const auto& [id, c] : chains) {
            ids.push_back(id);
            records.add(c.record);
            made.push_back(c.made_ms);
        }
        s.add("INSERT INTO {s}.chains (correlation_id, record, made_ms) SELECT c, substring($2::bytea FROM o::int FOR l::int), m"
              " FROM unnest($1::text[], $3::bigint[], $4::bigint[], $5::bigint[]) AS u(c, o, l, m)"
              " ON CONFLICT (correlation_id) DO UPDATE SET record = excluded.record",
              {pg_text_array(ids), std::move(records.heap), pg_number_array(records.offsets), pg_number_array(records.lengths),
               pg_number_array(made)},
              {false, true});
    }
    std::vector<std::string> lease_dests;
    std::vector<std::uint64_t> lease_seqs;
    std::vector<std::int64_t> untils;
    for (const auto& [at, until] : leases) {
        if (queue_out.contains(at) || queue_in.contains(at)) continue; // removed, or written with none
        lease_dests.push_back(at.first);
        lease_seqs.push_back(at.second);
        untils.push_back(until);
    }
    if (!lease_dests.empty())
        s.add("UPDATE {s}.queue AS q SET leased_until = u.t FROM unnest($1::text[], $2::bigint[], $3::bigint[])"
              " AS u(d, n, t) WHERE q.destination = u.d AND q.seq = u.n",
              {pg_text_array(lease_dests), pg_number_array(lease_seqs), pg_number_array(untils)});
    std::vector<std::string> off, reasons, on;
    for (const auto& [point, reason] : points) {
        if (!reason) {
            on.push_back(point);
            continue;
        }
        off.push_back(point);
        reasons.push_back(*reason);
    }
    if (!off.empty())
        s.add("INSERT INTO {s}.points_off (point, reason) SELECT * FROM unnest($1::text[], $2::text[])"
              " ON CONFLICT (point) DO UPDATE SET reason = excluded.reason",
              {pg_text_array(off), pg_text_array(reasons)});
    if (!on.empty()) s.add("DELETE FROM {s}.points_off WHERE point = ANY($1::text[])", {pg_text_array(on)});
    if (!journal.empty()) {
        std::vector<std::uint64_t> numbers;
        std::vector<std::int64_t> recorded;
        std::vector<std::string> ids, chains_of;
        blob_column records;
        for (const auto& j : journal) {
            numbers.push_back(j.number);
            recorded.push_back(j.recorded_ms);
            ids.push_back(j.message_id);
            chains_of.push_back(j.correlation_id);
            records.add(j.record);
        }
        s.add("INSERT INTO {s}.journal (node, number, recorded_ms, message_id, correlation_id, record)"
              " SELECT $1, n, r, m, c, substring($6::bytea FROM o::int FOR l::int)"
              " FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $7::bigint[], $8::bigint[])"
              " AS u(n, r, m, c, o, l)",
              {node, pg_number_array(numbers), pg_number_array(recorded), pg_text_array(ids), pg_text_array(chains_of),
               std::move(records.heap), pg_number_array(records.offsets), pg_number_array(records.lengths)},
              {false, false, false, false, false, true});
    }
    if (!incidents.empty()) {
        std::vector<std::string> ids, states, records;
        std::vector<std::uint64_t> revisions;
        for (const auto& [id, i] : incidents) {
            ids.push_back(id);
            revisions.push_back(i.revision);
            states.push_back(std::string(to_string(i.state)));
            records.push_back(incident_json(i));
        }
        s.add("INSERT INTO {s}.incidents AS x (id, revision, state, record)"
              " SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[])"
              " ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, state = excluded.state,"
              " record = excluded.record WHERE x.revision < excluded.revision",
              {pg_text_array(ids), pg_number_array(revisions), pg_text_array(states), pg_text_array(records)});
    }
    return std::move(s).done();
}

} // namespace qaqpa::storage::detail
