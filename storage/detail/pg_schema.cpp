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
        {3, "the message store",
         // Tracking of every message the store keeps (its record, as
         // record_codec encodes it); `final` and `made_ms` (when its
         // time-ordered id was made, Unix ms) for pruning.
         "CREATE TABLE {schema}.messages ("
         " id text PRIMARY KEY,"
         " tracking bytea NOT NULL,"
         " final boolean NOT NULL,"
         " made_ms bigint NOT NULL);"
         "CREATE INDEX ON {schema}.messages (made_ms) WHERE final;"
         // The queues: a message waits at (destination, seq) with its body.
         "CREATE TABLE {schema}.queue ("
         " destination text NOT NULL,"
         " seq bigint NOT NULL,"
         " id text NOT NULL,"
         " body bytea NOT NULL,"
         " PRIMARY KEY (destination, seq));"
         // Messages in each queue, kept with the queue in the same transactions
         // (a bound is checked without counting).
         "CREATE TABLE {schema}.queue_depths ("
         " destination text PRIMARY KEY,"
         " depth bigint NOT NULL);"
         // NOT_DELIVERED messages' bodies, kept for the administrator's redelivery.
         "CREATE TABLE {schema}.undelivered ("
         " id text PRIMARY KEY,"
         " body bytea NOT NULL);"
         "CREATE TABLE {schema}.chains ("
         " correlation_id text PRIMARY KEY,"
         " record bytea NOT NULL,"
         " made_ms bigint NOT NULL);"
         "CREATE INDEX ON {schema}.chains (made_ms);"
         // PULL leases: offered, not to be offered again before until_ms.
         "CREATE TABLE {schema}.leases ("
         " id text PRIMARY KEY,"
         " until_ms bigint NOT NULL,"
         " destination text NOT NULL,"
         " seq bigint NOT NULL);"
         "CREATE TABLE {schema}.points_off ("
         " point text PRIMARY KEY,"
         " reason text NOT NULL);"
         // Queue positions: each node takes a block of 65536 at a time.
         "CREATE SEQUENCE {schema}.queue_blocks START 1 INCREMENT 65536;"
         // The logging journal: one hash chain per node (journal_row.number
         // counts per node), its rows as journal_record encodes them.
         "CREATE TABLE {schema}.journal ("
         " node text NOT NULL,"
         " number bigint NOT NULL,"
         " recorded_ms bigint NOT NULL,"
         " message_id text NOT NULL,"
         " correlation_id text NOT NULL,"
         " record bytea NOT NULL,"
         " PRIMARY KEY (node, number));"
         "CREATE INDEX ON {schema}.journal (message_id) WHERE message_id <> '';"
         "CREATE INDEX ON {schema}.journal (correlation_id) WHERE correlation_id <> '';"
         // Rows arrive in time order: a block range index finds a time range
         // at a fraction of a B-tree's cost per row.
         "CREATE INDEX ON {schema}.journal USING brin (recorded_ms);"
         // Where each node's chain was pruned: the last removed row and its hash.
         "CREATE TABLE {schema}.journal_anchors ("
         " node text PRIMARY KEY,"
         " pruned_through bigint NOT NULL,"
         " pruned_hash text NOT NULL);"
         // Incidents as incident_json writes them; the newest revision wins.
         "CREATE TABLE {schema}.incidents ("
         " id text PRIMARY KEY,"
         " revision bigint NOT NULL,"
         " state text NOT NULL,"
         " record text NOT NULL)"},
        {4, "PULL leases on the queue rows",
         // A queue entry's lease, until when (Unix ms; 0: none), on its row:
         // a getMessages walks the free entries and the ended leases through
         // their own partial indexes, never past the live leases.
         "ALTER TABLE {schema}.queue ADD COLUMN leased_until bigint NOT NULL DEFAULT 0;"
         "UPDATE {schema}.queue AS q SET leased_until = l.until_ms FROM {schema}.leases AS l"
         " WHERE q.destination = l.destination AND q.seq = l.seq AND q.id = l.id;"
         "DROP TABLE {schema}.leases;"
         "CREATE INDEX queue_free ON {schema}.queue (destination, seq) WHERE leased_until = 0;"
         "CREATE INDEX queue_leased ON {schema}.queue (destination, leased_until) WHERE leased_until > 0"},
        {5, "keys compared as bytes; chains found by age through a block range index; depth rows per writer",
         // Ids and destinations are ASCII: bytewise comparison orders them as
         // RocksDB does, and costs a memcmp instead of the database locale's
         // strcoll in every index insert and lookup.
         "ALTER TABLE {schema}.messages ALTER COLUMN id TYPE text COLLATE \"C\";"
         "ALTER TABLE {schema}.queue ALTER COLUMN destination TYPE text COLLATE \"C\","
         " ALTER COLUMN id TYPE text COLLATE \"C\";"
         "ALTER TABLE {schema}.queue_depths ALTER COLUMN destination TYPE text COLLATE \"C\";"
         "ALTER TABLE {schema}.undelivered ALTER COLUMN id TYPE text COLLATE \"C\";"
         "ALTER TABLE {schema}.chains ALTER COLUMN correlation_id TYPE text COLLATE \"C\";"
         "ALTER TABLE {schema}.journal ALTER COLUMN node TYPE text COLLATE \"C\","
         " ALTER COLUMN message_id TYPE text COLLATE \"C\", ALTER COLUMN correlation_id TYPE text COLLATE \"C\";"
         // Chains are made in time order, like journal rows.
         "DROP INDEX {schema}.chains_made_ms_idx;"
         "CREATE INDEX chains_made ON {schema}.chains USING brin (made_ms);"
         // A queue's depth is the sum of its writers' rows (one per node),
         // so nodes committing at once never wait for one another's row;
         // a writer's row may go below zero (it took out what another put
         // in).
         "ALTER TABLE {schema}.queue_depths ADD COLUMN writer text COLLATE \"C\" NOT NULL DEFAULT '';"
         "ALTER TABLE {schema}.queue_depths DROP CONSTRAINT queue_depths_pkey;"
         "ALTER TABLE {schema}.queue_depths ADD PRIMARY KEY (destination, writer)"},
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
