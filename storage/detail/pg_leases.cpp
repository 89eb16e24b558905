#include "storage/detail/pg_leases.hpp"

#include "storage/detail/record_codec.hpp"

#include <algorithm>

namespace qaqpa::storage::detail {
namespace {

/// $1 destination, $2 now, $3 limit, $4 until, $5 the positions (when named).
std::string lease_sql(const std::string& schema, bool only) {
    const auto s = "\"" + schema + "\"";
    const std::string named = only ? " AND seq = ANY($5::bigint[])" : "";
    return "WITH free AS (SELECT seq FROM " + s + ".queue WHERE destination = $1 AND leased_until = 0" + named +
           " ORDER BY seq LIMIT $3::bigint),"
           " ended AS (SELECT seq FROM " + s + ".queue WHERE destination = $1 AND leased_until > 0"
           " AND leased_until <= $2::bigint" + named + " ORDER BY seq LIMIT $3::bigint),"
           " picked AS (SELECT q.seq FROM " + s + ".queue AS q WHERE q.destination = $1"
           " AND q.seq IN (SELECT seq FROM free UNION ALL SELECT seq FROM ended)"
           " ORDER BY q.seq LIMIT $3::bigint FOR UPDATE SKIP LOCKED)"
           " UPDATE " + s + ".queue AS q SET leased_until = $4::bigint FROM picked AS p"
           " WHERE q.destination = $1 AND q.seq = p.seq AND q.leased_until <= $2::bigint"
           " RETURNING q.seq, q.id, q.body";
}

} // namespace

task<result<std::vector<queue_entry>>> pg_lease_next(pg_connection& c, std::string schema, std::string destination,
                                                     std::vector<std::uint64_t> only, std::size_t limit,
                                                     std::int64_t now_ms, std::int64_t until_ms) {
    auto params = pg_params(std::move(destination), std::to_string(now_ms), std::to_string(limit),
                            std::to_string(until_ms));
    if (!only.empty()) params.emplace_back(pg_number_array(only));
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
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.seq < y.seq; });
    co_return out;
}

} // namespace qaqpa::storage::detail
