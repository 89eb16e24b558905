// The PostgreSQL store as nodes open it: names claimed, a schema shared, a
// missing DSN and a bad schema refused by name. (What every store does is
// the store suites'.)
#include "storage/store.hpp"

#include "tests/support/postgres_test.hpp"

#include <chrono>

using namespace qaqpa;

namespace {

storage::options node_options(const test::postgres_server& pg, const std::string& schema, const std::string& name) {
    storage::options o{"", true, "postgresql"};
    o.postgresql.dsn = pg.dsn();
    o.postgresql.schema = schema;
    o.postgresql.pool = 2;
    o.postgresql.node = name;
    return o;
}

} // namespace

TEST_CASE("two nodes share a schema under their own names; a running node's name is refused",
          "[postgresql][storage]") {
    QAQPA_NEED_POSTGRES(pg);
    const auto schema = test::fresh_pg_schema();
    auto a = storage::open_store(node_options(*pg, schema, "a"));
    REQUIRE(a);
    auto b = storage::open_store(node_options(*pg, schema, "b"));
    REQUIRE(b);

    registry live;
    live.systems.push_back({"sender", "scrypt$x", "", ""});
    REQUIRE((*a)->save_registry(live, "file-1"));
    const auto seen = (*b)->load_registry();
    REQUIRE(seen);
    REQUIRE(*seen);
    CHECK((*seen)->systems.size() == 1);
    CHECK(*(*b)->bootstrap_source() == std::optional<std::string>("file-1"));

    const auto started = std::chrono::steady_clock::now();
    auto twin = storage::open_store(node_options(*pg, schema, "a"));
    REQUIRE_FALSE(twin);
    CHECK(twin.error().code == errc::bad_config);
    CHECK(twin.error().detail.find("node.name") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(15)); // waits its bound, no longer

    a->reset(); // a stopped node's name is free again
    auto again = storage::open_store(node_options(*pg, schema, "a"));
    REQUIRE(again);
}

TEST_CASE("the PostgreSQL store refuses a missing DSN and a bad schema name, naming the key", "[postgresql][storage]") {
    storage::options o{"", true, "postgresql"};
    auto none = storage::open_store(o);
    REQUIRE_FALSE(none);
    CHECK(none.error().detail.rfind("postgresql.dsn", 0) == 0);
    o.postgresql.dsn = "host=127.0.0.1 port=9";
    o.postgresql.schema = "Bad-Name";
    auto bad = storage::open_store(o);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().detail.rfind("postgresql.schema", 0) == 0);
}
