#pragma once
// The live registry in PostgreSQL (migration 1's <schema>.registry): one row
// holding serialize()'s canonical JSON and the bootstrap file's fingerprint,
// written together. A save notifies every node LISTENing on the schema's
// registry channel, with the new fingerprint as the payload, so that an
// edit through one node's admin API reaches the others at once. `schema` is
// one migrate() accepted.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "core/registry.hpp"
#include "storage/detail/pg_connection.hpp"

#include <optional>
#include <string>

namespace qaqpa::storage::detail {

/// The live registry and its bootstrap fingerprint, as last saved.
struct pg_registry_row {
    registry live;
    std::string bootstrap_source;
};

/// The saved registry, or nullopt when none was ever saved.
task<result<std::optional<pg_registry_row>>> pg_load_registry(pg_connection& c, std::string schema);

/// The channel a save notifies ("qaqpa.<schema>.registry"), for LISTEN.
std::string pg_registry_channel(const std::string& schema);

/// Replaces the live registry and its fingerprint, and notifies the
/// channel, in one statement (the notification goes out with the commit).
task<result<void>> pg_save_registry(pg_connection& c, std::string schema, const registry& live, std::string source);

} // namespace qaqpa::storage::detail
