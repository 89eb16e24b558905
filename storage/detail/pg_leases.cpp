#include "storage/detail/pg_leases.hpp"

#include "storage/detail/record_codec.hpp"

namespace qaqpa::storage::detail {
namespace {

std::string seq_array(const std::vector<std::uint64_t>& seqs) {
    std::string out = "{";
    for (const auto s : seqs) {
        if (out.size() > 1) out += ',';
        out += std::to_string(s);
    }
    return out + "}";
}

/// $1 destination, $2 now, $3 limit, $4 until, $5 the positions (when named).
std::string lease_sql(const std::string& schema, bool only) {
    const auto s = "\"" + schema + "\"";
    return "WITH candidates AS (SELECT q.seq, q.id FROM " + s + ".queue AS q WHERE q.destination = $1" +
           (only ? " AND q.seq = ANY($5::bigint[])" : "") +
           " AND NOT EXISTS (SELECT 1 FROM " + s + ".leases AS l WHERE l.id = q.id AND l.until_ms > $2::bigint)"
           " ORDER BY q.seq LIMIT $3::bigint FOR KEY SHARE OF q),"
           " taken AS (INSERT INTO " + s + ".leases AS l (id, until_ms, destination, seq)"
           " SELECT id, $4::bigint, $1, seq FROM candidates"
           " ON CONFLICT (id) DO UPDATE SET until_ms = excluded.until_ms, destination = excluded.destination,"
           " seq = excluded.seq WHERE l.until_ms <= $2::bigint RETURNING l.seq)"
           " SELECT q.seq, q.id, q.body FROM taken AS t JOIN " + s + ".queue AS q"
           " ON q.destination = $1 AND q.seq = t.seq ORDER BY q.seq";
}

} // namespace

task<result<std::vector<queue_entry>>> pg_lease_next(pg_connection& c, std::string schema, std::string destination,
                                                     std::vector<std::uint64_t> only, std::size_t limit,
                                                     std::int64_t now_ms, std::int64_t until_ms) {
    auto params = pg_params(std::move(destination), std::to_string(now_ms), std::to_string(limit),
                            std::to_string(until_ms));
    if (!only.empty()) params.emplace_back(seq_array(only));
    auto rows = co_await c.exec_prepared(lease_sql(schema, !only.empty()), std::move(params));
    if (!rows) co_return rows.error();
    std::vector<queue_entry> out;
    out.reserve(rows->size());
    for (std::size_t i = 0; i < rows->size(); ++i) {
        auto bytes = pg_bytea(rows->text(i, 2));
        if (!bytes) co_return fail(errc::internal, "postgresql: a stored message is not bytea");
        auto body = decode_message(*bytes);
        if (!body) co_return body.error();
        out.push_back({std::stoull(std::string(rows->text(i, 0))), std::string(rows->text(i, 1)),
                       std::make_shared<queued_message>(std::move(*body))});
    }
    co_return out;
}

} // namespace qaqpa::storage::detail
