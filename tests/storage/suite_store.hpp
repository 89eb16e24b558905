#pragma once
// The store suites' way to open a store of one implementation (each case
// runs once per suite_store_kinds() entry).

#include "storage/store.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace qaqpa::test {

/// storage::store_kinds(), without "postgresql" where no server can run here
/// (said once).
inline const std::vector<std::string>& suite_store_kinds() {
    static const std::vector<std::string> kinds = [] {
        std::vector<std::string> out;
        for (const auto& k : storage::store_kinds()) {
            if (k == "postgresql" && !postgres_server::shared()) {
                WARN("the store suite skips postgresql: " << postgres_server::unavailable_reason());
                continue;
            }
            out.push_back(k);
        }
        return out;
    }();
    return kinds;
}

/// The options of a store of `kind` kept in `dir`: on PostgreSQL, a schema
/// of its own named after the directory (so reopening finds it).
inline storage::options suite_store_options(const temp_dir& dir, const std::string& kind) {
    storage::options o{dir.str(), true, kind};
    if (kind == "postgresql") {
        o.postgresql.dsn = postgres_server::shared()->dsn();
        o.postgresql.schema = "s_" + std::to_string(std::hash<std::string>{}(dir.str()));
        o.postgresql.pool = 4;
        o.postgresql.node = "suite";
    }
    return o;
}

inline std::unique_ptr<storage::store> open_suite_store(const temp_dir& dir, const std::string& kind) {
    auto s = storage::open_store(suite_store_options(dir, kind));
    REQUIRE(s);
    return std::move(*s);
}

} // namespace qaqpa::test
