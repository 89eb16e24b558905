#pragma once
// The store interface routing/ talks to. RocksDB is the embedded default
// (rocksdb_store.hpp); nothing here names a RocksDB type, so a replicated
// engine can stand behind the same interface later.
//
// Thread safety: every method may be called from any thread.

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/registry.hpp"
#include "storage/incident_store.hpp"
#include "storage/journal_store.hpp"
#include "storage/message_store.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace qaqpa::storage {

/// The PostgreSQL store's connection (`[postgresql]`).
struct postgresql_options {
    std::string dsn;      ///< libpq keywords or a URI
    std::string password; ///< read from password_file; "" leaves it to libpq (the DSN, PGPASSWORD, ~/.pgpass)
    std::size_t pool = 8; ///< connections per node
    std::string schema = "qaqpa";
    /// This node's name among the nodes sharing the database (its journal
    /// chain, the points it delivers to); "" is the host's name.
    std::string node;
};

struct options {
    std::string data_dir;
    /// fsync the WAL before a write returns (durable before acknowledged).
    bool sync_writes = true;
    /// The implementation, by name (store_kinds()).
    std::string kind = "rocksdb";
    /// Where the store's series go (group commits, their size and time); none when null.
    metrics_registry* metrics = nullptr;
    postgresql_options postgresql{}; ///< for kind "postgresql"
};

class store {
public:
    virtual ~store() = default;

    /// The live registry, or nullopt when none was ever stored.
    virtual result<std::optional<registry>> load_registry() = 0;

    /// The fingerprint of the bootstrap registry the live one was last seeded
    /// from, or nullopt when the store was never bootstrapped.
    virtual result<std::optional<std::string>> bootstrap_source() = 0;

    /// Replaces the live registry and records the bootstrap fingerprint, in
    /// one atomic, durable write.
    virtual result<void> save_registry(const registry& live, const std::string& source) = 0;

    /// The asynchronous channel's messages, in the same database.
    virtual message_store& messages() = 0;
    /// The logging journal, written by the same committer.
    virtual journal_store& journal() = 0;
    /// The incident journal, written by the same committer.
    virtual incident_store& incidents() = 0;
};

/// The store implementations, by the name `[node] store` gives: "rocksdb"
/// (embedded, the default) and "postgresql" (shared by several nodes). Each
/// passes the one store test suite.
const std::vector<std::string>& store_kinds();

/// Opens (creating if needed) the store `opts.kind` names; an unknown name
/// fails, naming the ones there are.
result<std::unique_ptr<store>> open_store(const options& opts);

/// Opens the embedded RocksDB store under `opts.data_dir`. Fails clearly
/// when another process holds the directory.
result<std::unique_ptr<store>> open_rocksdb_store(const options& opts);

/// Opens the store on PostgreSQL `opts.postgresql` names, creating and
/// migrating its schema; `opts.data_dir` is not used.
result<std::unique_ptr<store>> open_pg_store(const options& opts);

/// Serializes a registry (stable, canonical JSON).
std::string serialize(const registry& reg);
/// Parses what serialize() wrote.
result<registry> deserialize_registry(std::string_view json);

/// Decides the live registry at start-up. The file is the bootstrap: a store
/// never bootstrapped, or `reset`, takes the file as it is. When the file's
/// registry changed since the last start (its `fingerprint` differs), its
/// entries are upserted over the live ones (the file's edit wins for what it
/// names; entries added through the admin API stay). An unchanged file leaves
/// the live registry as it is. The fingerprint is the caller's: it must
/// describe the file as written (plain passwords are hashed with a fresh salt
/// on every start, so the hashed registry cannot serve).
result<registry> bootstrap_registry(store& s, const registry& from_file, const std::string& fingerprint, bool reset);

} // namespace qaqpa::storage
