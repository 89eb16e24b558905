#include "storage/detail/pg_point_owners.hpp"

namespace qaqpa::storage::detail {

task<result<std::vector<std::string>>> pg_claim_points(pg_connection& c, std::string schema, std::string node,
                                                       std::vector<std::string> points, std::chrono::milliseconds ttl) {
    // One statement: each row is taken or renewed atomically, so two nodes
    // claiming the same expired point cannot both get it.
    std::vector<pg_param> params{std::move(node), pg_text_array(points), std::to_string(ttl.count())};
    auto rows = co_await c.exec(
        "INSERT INTO \"" + schema +
            "\".point_owners AS o (point, node, expires_at) "
            "SELECT p, $1, now() + $3::bigint * interval '1 millisecond' FROM unnest($2::text[]) AS p "
            "ON CONFLICT (point) DO UPDATE SET node = excluded.node, expires_at = excluded.expires_at "
            "WHERE o.node = excluded.node OR o.expires_at < now() RETURNING point",
        std::move(params));
    if (!rows) co_return rows.error();
    std::vector<std::string> owned;
    owned.reserve(rows->size());
    for (std::size_t i = 0; i < rows->size(); ++i) owned.emplace_back(rows->text(i, 0));
    co_return owned;
}

task<result<void>> pg_release_points(pg_connection& c, std::string schema, std::string node,
                                     std::vector<std::string> points) {
    std::vector<pg_param> params{std::move(node), pg_text_array(points)};
    auto done = co_await c.exec("DELETE FROM \"" + schema + "\".point_owners WHERE node = $1 AND point = ANY($2::text[])",
                                std::move(params));
    if (!done) co_return done.error();
    co_return result<void>{};
}

} // namespace qaqpa::storage::detail
