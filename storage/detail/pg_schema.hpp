#pragma once
// The PostgreSQL store's schema, created and migrated by the node at
// start-up. Migrations are numbered and applied in order, each in its own
// transaction with its row in <schema>.migrations, under an advisory lock
// per schema: several nodes starting together apply each one once, the
// others wait and find it done. A database migrated by a newer qaqpa (a
// version this build does not know) is refused rather than misread.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "storage/detail/pg_connection.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace qaqpa::storage::detail {

struct pg_migration {
    int version = 0;
    std::string_view name;
    /// SQL with {schema} where the quoted schema name goes.
    std::string_view sql;
};

/// Every migration this build knows, in order (versions 1, 2, ...).
const std::vector<pg_migration>& pg_migrations();

/// True for a schema name the store accepts: lowercase letters, digits and
/// '_', starting with a letter or '_', at most 63 bytes (so it needs no
/// quoting rules of its own and never reaches SQL unchecked).
bool valid_pg_schema(std::string_view name);

/// What migrate() did.
struct pg_migrated {
    int from_version = 0; ///< the schema's version before (0: none)
    int to_version = 0;
};

/// Brings `schema` up to the last of `migrations` on `c`, creating it when
/// absent. A schema name valid_pg_schema refuses is bad_config; a database
/// ahead of this build is bad_config naming both versions.
task<result<pg_migrated>> migrate(pg_connection& c, std::string schema,
                                  const std::vector<pg_migration>& migrations = pg_migrations());

} // namespace qaqpa::storage::detail
