#pragma once
// For tests that need a PostgreSQL server: the shared one (or a skip that
// says why), a connection to it, and schemas no other test uses.

#include "storage/detail/pg_connection.hpp"
#include "storage/detail/pg_schema.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/run_task.hpp"

#include "tests/support/catch.hpp"

#include <memory>
#include <random>
#include <string>

#define QAQPA_NEED_POSTGRES(pg)                                                                                    \
    auto* pg = ::qaqpa::test::postgres_server::shared();                                                           \
    if (!pg) {                                                                                                     \
        WARN("skipped: " << ::qaqpa::test::postgres_server::unavailable_reason());                                 \
        return;                                                                                                    \
    }

namespace qaqpa::test {

/// A connection to `pg`; the test fails without one.
inline std::unique_ptr<storage::detail::pg_connection> pg_connect(const postgres_server& pg) {
    auto c = run_task(storage::detail::pg_connection::open(pg.dsn(), std::chrono::seconds(10)));
    REQUIRE(c);
    return std::move(*c);
}

/// A schema name no other test uses.
inline std::string fresh_pg_schema() {
    std::random_device rd;
    return "t_" + std::to_string(rd()) + std::to_string(rd());
}

/// A fresh schema, migrated on `c` to this build's last version.
inline std::string migrated_pg_schema(storage::detail::pg_connection& c) {
    auto schema = fresh_pg_schema();
    REQUIRE(run_task(storage::detail::migrate(c, schema)));
    return schema;
}

} // namespace qaqpa::test
