#include "storage/detail/pg_registry.hpp"

#include "tests/support/postgres_test.hpp"


using namespace qaqpa;
using namespace qaqpa::storage::detail;
using namespace std::chrono_literals;

namespace {

registry small_registry(const std::string& owner_name) {
    registry r;
    r.systems.push_back({"sender", "scrypt$x", "123456789012", "http://127.0.0.1:9/"});
    r.systems.push_back({owner_name, "scrypt$y", "", ""});
    service_entry s;
    s.id = "svc";
    s.owner = owner_name;
    s.mode = service_mode::both;
    s.delivery = delivery_mode::pull;
    r.services.push_back(s);
    r.access.push_back({"sender", "svc", {}});
    return r;
}

} // namespace

TEST_CASE("the live registry is kept in PostgreSQL with its bootstrap fingerprint", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    auto c = test::pg_connect(*pg);
    const auto schema = test::migrated_pg_schema(*c);

    auto none = test::run_task(pg_load_registry(*c, schema));
    REQUIRE(none);
    CHECK_FALSE(*none);

    const auto first = small_registry("owner");
    REQUIRE(test::run_task(pg_save_registry(*c, schema, first, "sha256:aa")));
    auto back = test::run_task(pg_load_registry(*c, schema));
    REQUIRE(back);
    REQUIRE(*back);
    CHECK((*back)->live == first);
    CHECK((*back)->bootstrap_source == "sha256:aa");

    // a second save replaces both, and UTF-8 comes back as it went
    const auto second = small_registry("иеесі-қақпа");
    REQUIRE(test::run_task(pg_save_registry(*c, schema, second, "sha256:bb")));
    back = test::run_task(pg_load_registry(*c, schema));
    REQUIRE(back);
    REQUIRE(*back);
    CHECK((*back)->live == second);
    CHECK((*back)->bootstrap_source == "sha256:bb");

    // a damaged row is an internal error, not an empty registry
    REQUIRE(test::run_task(c->exec("UPDATE " + schema + ".registry SET body = '{not json'")));
    auto damaged = test::run_task(pg_load_registry(*c, schema));
    REQUIRE_FALSE(damaged);
    CHECK(damaged.error().code == errc::internal);
}

TEST_CASE("a registry saved on one connection is announced to the others", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    auto editor = test::pg_connect(*pg);
    auto other_node = test::pg_connect(*pg);
    const auto schema = test::migrated_pg_schema(*editor);
    REQUIRE(test::run_task(other_node->exec("LISTEN \"" + pg_registry_channel(schema) + "\"")));

    const auto start = std::chrono::steady_clock::now();
    auto quiet = test::run_task(other_node->notifications(200ms));
    REQUIRE(quiet);
    CHECK(quiet->empty());
    CHECK(std::chrono::steady_clock::now() - start >= 200ms);
    CHECK_FALSE(other_node->broken()); // waiting in vain breaks nothing

    REQUIRE(test::run_task(pg_save_registry(*editor, schema, small_registry("owner"), "sha256:cc")));
    auto heard = test::run_task(other_node->notifications(5s));
    REQUIRE(heard);
    REQUIRE(heard->size() == 1);
    CHECK((*heard)[0].channel == pg_registry_channel(schema));
    CHECK((*heard)[0].payload == "sha256:cc");
    auto loaded = test::run_task(pg_load_registry(*other_node, schema));
    REQUIRE(loaded);
    REQUIRE(*loaded);
    CHECK((*loaded)->bootstrap_source == "sha256:cc");
}
