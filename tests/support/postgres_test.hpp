#pragma once
// For tests that need a PostgreSQL server: the shared one, or a skip that says why.

#include "tests/support/postgres_server.hpp"

#include "tests/support/catch.hpp"

#define QAQPA_NEED_POSTGRES(pg)                                                                                    \
    auto* pg = ::qaqpa::test::postgres_server::shared();                                                           \
    if (!pg) {                                                                                                     \
        WARN("skipped: " << ::qaqpa::test::postgres_server::unavailable_reason());                                 \
        return;                                                                                                    \
    }
