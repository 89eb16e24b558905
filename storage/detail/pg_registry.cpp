#include "storage/detail/pg_registry.hpp"

#include "storage/store.hpp"

namespace qaqpa::storage::detail {

task<result<std::optional<pg_registry_row>>> pg_load_registry(pg_connection& c, std::string schema) {
    auto rows = co_await c.exec("SELECT body, bootstrap_source FROM \"" + schema + "\".registry WHERE id = 1");
    if (!rows) co_return rows.error();
    if (rows->size() == 0) co_return std::optional<pg_registry_row>{};
    auto live = deserialize_registry(rows->text(0, 0));
    if (!live) co_return fail(errc::internal, "the stored registry does not read: " + live.error().detail);
    co_return pg_registry_row{std::move(*live), std::string(rows->text(0, 1))};
}

std::string pg_registry_channel(const std::string& schema) { return "qaqpa." + schema + ".registry"; }

task<result<void>> pg_save_registry(pg_connection& c, std::string schema, const registry& live, std::string source) {
    std::vector<pg_param> params{serialize(live), std::move(source), pg_registry_channel(schema)};
    auto done = co_await c.exec("WITH saved AS (INSERT INTO \"" + schema +
                                    "\".registry (id, body, bootstrap_source) VALUES (1, $1, $2) "
                                    "ON CONFLICT (id) DO UPDATE SET body = excluded.body, "
                                    "bootstrap_source = excluded.bootstrap_source, changed_at = now() RETURNING 1) "
                                    "SELECT pg_notify($3, $2) FROM saved",
                                std::move(params));
    if (!done) co_return done.error();
    co_return result<void>{};
}

} // namespace qaqpa::storage::detail
