#pragma once
// The live registry in PostgreSQL (migration 1's <schema>.registry): one row
// holding serialize()'s canonical JSON and the bootstrap file's fingerprint,
// written together. `schema` is one migrate() accepted.

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

/// Replaces the live registry and its fingerprint in one statement.
task<result<void>> pg_save_registry(pg_connection& c, std::string schema, const registry& live, std::string source);

} // namespace qaqpa::storage::detail
