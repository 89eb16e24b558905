#include "storage/detail/pg_schema.hpp"

#include "tests/support/postgres_test.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>


using namespace qaqpa;
using namespace qaqpa::storage::detail;
using namespace std::chrono_literals;

namespace {

int count(pg_connection& c, const std::string& sql) {
    auto rows = test::run_task(c.exec(sql));
    REQUIRE(rows);
    return std::stoi(std::string(rows->text(0, 0)));
}

} // namespace

TEST_CASE("the PostgreSQL schema is created once, then left as it is", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    auto c = test::pg_connect(*pg);
    const auto schema = test::fresh_pg_schema();
    const int last = pg_migrations().back().version;
    auto first = test::run_task(migrate(*c, schema));
    REQUIRE(first);
    CHECK(first->from_version == 0);
    CHECK(first->to_version == last);
    CHECK(count(*c, "SELECT count(*) FROM " + schema + ".migrations") == static_cast<int>(pg_migrations().size()));
    CHECK(count(*c, "SELECT count(*) FROM " + schema + ".registry") == 0);
    auto again = test::run_task(migrate(*c, schema));
    REQUIRE(again);
    CHECK(again->from_version == last);
    CHECK(again->to_version == last);
}

TEST_CASE("nodes starting together apply each migration once", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    const auto schema = test::fresh_pg_schema();
    std::vector<std::unique_ptr<pg_connection>> nodes;
    for (int i = 0; i < 4; ++i) nodes.push_back(test::pg_connect(*pg));
    boost::asio::io_context ctx;
    std::vector<result<pg_migrated>> outcomes;
    for (auto& n : nodes)
        boost::asio::co_spawn(
            ctx,
            [&, c = n.get()]() -> task<void> { outcomes.push_back(co_await migrate(*c, schema)); },
            boost::asio::detached);
    ctx.run_for(30s);
    REQUIRE(outcomes.size() == 4);
    int applied = 0;
    for (auto& o : outcomes) {
        REQUIRE(o);
        if (o->from_version == 0) ++applied;
        CHECK(o->to_version == pg_migrations().back().version);
    }
    CHECK(applied == 1);
    CHECK(count(*nodes[0], "SELECT count(*) FROM " + schema + ".migrations") ==
          static_cast<int>(pg_migrations().size()));
}

TEST_CASE("a failed migration leaves nothing of itself", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    auto c = test::pg_connect(*pg);
    const auto schema = test::fresh_pg_schema();
    const std::vector<pg_migration> steps{
        {1, "one", "CREATE TABLE {schema}.one (v int)"},
        {2, "two", "CREATE TABLE {schema}.two (v int); SELECT no_such_function()"},
    };
    auto out = test::run_task(migrate(*c, schema, steps));
    REQUIRE_FALSE(out);
    CHECK(out.error().detail.starts_with("migration 2 (two): postgresql 42883"));
    CHECK(count(*c, "SELECT max(version) FROM " + schema + ".migrations") == 1);
    CHECK(count(*c, "SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "' AND tablename = 'two'") == 0);
    CHECK_FALSE(c->broken());
    // the lock was given back: another migration of the schema goes through
    auto fixed = test::run_task(migrate(*c, schema, {steps[0], {2, "two", "CREATE TABLE {schema}.two (v int)"}}));
    REQUIRE(fixed);
    CHECK(fixed->from_version == 1);
    CHECK(fixed->to_version == 2);
}

TEST_CASE("a schema from a newer qaqpa, or a bad schema name, is refused", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    auto c = test::pg_connect(*pg);
    const auto schema = test::fresh_pg_schema();
    REQUIRE(test::run_task(migrate(*c, schema)));
    REQUIRE(test::run_task(c->exec("INSERT INTO " + schema + ".migrations (version, name) VALUES (999, 'future')")));
    auto ahead = test::run_task(migrate(*c, schema));
    REQUIRE_FALSE(ahead);
    CHECK(ahead.error().code == errc::bad_config);
    CHECK(ahead.error().detail.find("version 999") != std::string::npos);

    for (const std::string& bad : std::vector<std::string>{"", "Qaqpa", "9lives", "a-b", "x\"; DROP SCHEMA public; --", std::string(64, 'a')}) {
        auto refused = test::run_task(migrate(*c, bad));
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code == errc::bad_config);
    }
    CHECK(valid_pg_schema("qaqpa"));
    CHECK(valid_pg_schema("_q9"));
}

TEST_CASE("migration 5 keeps the queues' depths and compares keys as bytes", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    auto c = test::pg_connect(*pg);
    const auto schema = test::fresh_pg_schema();
    const auto& all = pg_migrations();
    REQUIRE(all.size() >= 5);
    REQUIRE(all[4].version == 5);
    REQUIRE(test::run_task(migrate(*c, schema, {all.begin(), all.begin() + 4})));
    REQUIRE(test::run_task(c->exec("INSERT INTO " + schema + ".queue_depths (destination, depth) VALUES ('pull/a/s', 7)")));
    REQUIRE(test::run_task(migrate(*c, schema)));
    // the depth written before is one writer's row among the nodes' to come
    REQUIRE(test::run_task(c->exec("INSERT INTO " + schema + ".queue_depths (destination, writer, depth)"
                                                             " VALUES ('pull/a/s', 'node-b', -2)")));
    CHECK(count(*c, "SELECT sum(depth) FROM " + schema + ".queue_depths WHERE destination = 'pull/a/s'") == 5);
    CHECK(count(*c, "SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + schema +
                        "' AND collation_name = 'C' AND column_name IN ('id', 'destination', 'correlation_id')") == 7);
    CHECK(count(*c, "SELECT count(*) FROM pg_indexes WHERE schemaname = '" + schema +
                        "' AND tablename = 'chains' AND indexdef LIKE '%brin%'") == 1);
}
