#include "storage/detail/pg_schema.hpp"

#include <algorithm>

namespace qaqpa::storage::detail {

const std::vector<pg_migration>& pg_migrations() {
    static const std::vector<pg_migration> all{
        {1, "the live registry",
         // One row: the registry as serialize() writes it, and the fingerprint
         // of the bootstrap file it was last seeded from.
         "CREATE TABLE {schema}.registry ("
         " id smallint PRIMARY KEY CHECK (id = 1),"
         " body text NOT NULL,"
         " bootstrap_source text NOT NULL,"
         " changed_at timestamptz NOT NULL DEFAULT now())"},
        {2, "delivery state shared by the nodes",
         // Which node PUSHes each point's queue, until when (the server's clock
         // for every node, so their clocks need not agree).
         "CREATE TABLE {schema}.point_owners ("
         " point text PRIMARY KEY,"
         " node text NOT NULL,"
         " expires_at timestamptz NOT NULL);"
         // Throttle windows: the event times (server ms) of each key's sliding
         // window, at most its limit, taken under the row's lock.
         "CREATE TABLE {schema}.throttle_windows ("
         " key text PRIMARY KEY,"
         " events bigint[] NOT NULL);"
         "CREATE FUNCTION {schema}.throttle_take(k text, lim integer, window_ms bigint) RETURNS bigint"
         " LANGUAGE plpgsql AS $$"
         " DECLARE"
         "  now_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;"
         "  current bigint[];"
         "  kept bigint[];"
         " BEGIN"
         "  INSERT INTO {schema}.throttle_windows (key, events) VALUES (k, '{}') ON CONFLICT (key) DO NOTHING;"
         "  SELECT events INTO current FROM {schema}.throttle_windows WHERE key = k FOR UPDATE;"
         "  SELECT coalesce(array_agg(e ORDER BY e), '{}') INTO kept FROM unnest(current) AS e"
         "   WHERE e > now_ms - window_ms;"
         "  IF lim <= 0 THEN RETURN window_ms; END IF;"
         "  IF cardinality(kept) >= lim THEN"
         "   UPDATE {schema}.throttle_windows SET events = kept WHERE key = k;"
         "   RETURN kept[cardinality(kept) - lim + 1] + window_ms - now_ms;"
         "  END IF;"
         "  UPDATE {schema}.throttle_windows SET events = kept || now_ms WHERE key = k;"
         "  RETURN 0;"
         " END $$"},
    };
    return all;
}

bool valid_pg_schema(std::string_view name) {
    if (name.empty() || name.size() > 63 || (name[0] >= '0' && name[0] <= '9')) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'; });
}

namespace {

std::string with_schema(std::string_view sql, const std::string& quoted) {
    std::string out;
    constexpr std::string_view mark = "{schema}";
    for (std::size_t at = 0;;) {
        const auto next = sql.find(mark, at);
        out.append(sql.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
        if (next == std::string_view::npos) return out;
        out += quoted;
        at = next + mark.size();
    }
}

task<result<pg_migrated>> migrate_locked(pg_connection& c, const std::string& q,
                                         const std::vector<pg_migration>& migrations) {
    auto made = co_await c.exec(with_schema("CREATE SCHEMA IF NOT EXISTS {schema};"
                                            "CREATE TABLE IF NOT EXISTS {schema}.migrations ("
                                            " version integer PRIMARY KEY,"
                                            " name text NOT NULL,"
                                            " applied_at timestamptz NOT NULL DEFAULT now())",
                                            q));
    if (!made) co_return made.error();
    auto current = co_await c.exec(with_schema("SELECT coalesce(max(version), 0) FROM {schema}.migrations", q));
    if (!current) co_return current.error();
    pg_migrated out;
    out.from_version = out.to_version = std::stoi(std::string(current->text(0, 0)));
    const int known = migrations.empty() ? 0 : migrations.back().version;
    if (out.from_version > known)
        co_return fail(errc::bad_config, "postgresql schema " + q + " is at version " +
                                             std::to_string(out.from_version) + ", newer than this qaqpa knows (" +
                                             std::to_string(known) + "): upgrade the node");
    for (const auto& m : migrations) {
        if (m.version <= out.from_version) continue;
        // One simple query of several statements runs as one transaction:
        // the migration and its row land together or not at all.
        auto applied = co_await c.exec(with_schema(m.sql, q) + ";INSERT INTO " + q +
                                       ".migrations (version, name) VALUES (" + std::to_string(m.version) + ", '" +
                                       std::string(m.name) + "')");
        if (!applied) {
            auto f = applied.error();
            f.detail = "migration " + std::to_string(m.version) + " (" + std::string(m.name) + "): " + f.detail;
            co_return f;
        }
        out.to_version = m.version;
    }
    co_return out;
}

} // namespace

task<result<pg_migrated>> migrate(pg_connection& c, std::string schema, const std::vector<pg_migration>& migrations) {
    if (!valid_pg_schema(schema))
        co_return fail(errc::bad_config, "postgresql.schema: \"" + schema +
                                             "\" must be lowercase letters, digits and '_' (at most 63)");
    const std::vector<pg_param> key{"qaqpa.migrate." + schema};
    if (auto locked = co_await c.exec("SELECT pg_advisory_lock(hashtext($1))", key); !locked)
        co_return locked.error();
    auto out = co_await migrate_locked(c, "\"" + schema + "\"", migrations);
    // A lost connection releases the lock with its session.
    if (!c.broken()) co_await c.exec("SELECT pg_advisory_unlock(hashtext($1))", key);
    co_return out;
}

} // namespace qaqpa::storage::detail
