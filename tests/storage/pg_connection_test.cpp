#include "storage/detail/pg_connection.hpp"

#include "tests/support/postgres_test.hpp"

#include "tests/support/catch.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace qaqpa;
using namespace qaqpa::storage::detail;
using namespace std::chrono_literals;

namespace {

/// A loopback port that completes TCP handshakes but never answers.
struct silent_listener {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int port = 0;
    silent_listener() {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd, 8) == 0);
        REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
        port = ntohs(a.sin_port);
    }
    ~silent_listener() { ::close(fd); }
};

} // namespace

TEST_CASE("a PostgreSQL query runs with parameters, NULLs and several statements", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    auto c = test::pg_connect(*pg);
    auto rows = test::run_task(c->exec("SELECT $1::int + 1, $2::text IS NULL, $3::text", {"41", std::nullopt, "қақпа"}));
    REQUIRE(rows);
    REQUIRE(rows->size() == 1);
    CHECK(rows->text(0, 0) == "42");
    CHECK(rows->text(0, 1) == "t");
    CHECK(rows->text(0, 2) == "қақпа");
    auto script = test::run_task(c->exec("CREATE TEMP TABLE t (v int); INSERT INTO t VALUES (1), (2), (3)"));
    REQUIRE(script);
    CHECK(script->affected() == 3);
    auto none = test::run_task(c->exec("SELECT NULL::text"));
    REQUIRE(none);
    CHECK(none->is_null(0, 0));
    CHECK(none->text(0, 0).empty());
}

TEST_CASE("a PostgreSQL error names its SQLSTATE and the connection goes on", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    auto c = test::pg_connect(*pg);
    auto bad = test::run_task(c->exec("SELEC 1"));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == errc::internal);
    CHECK(bad.error().detail.starts_with("postgresql 42601: "));
    CHECK(c->last_sqlstate() == "42601");
    CHECK_FALSE(c->broken());
    auto dup = test::run_task(c->exec("SELECT 1/0"));
    REQUIRE_FALSE(dup);
    CHECK(c->last_sqlstate() == "22012");
    auto good = test::run_task(c->exec("SELECT 7"));
    REQUIRE(good);
    CHECK(good->text(0, 0) == "7");
    CHECK(c->last_sqlstate().empty());
    CHECK(pg_retryable("40001"));
    CHECK(pg_retryable("08006"));
    CHECK_FALSE(pg_retryable("23505"));
}

TEST_CASE("a PostgreSQL server that is absent or silent fails in bounded time", "[postgresql]") {
    int nobody_port = 0;
    {
        silent_listener gone; // bound, then closed: nothing listens there
        nobody_port = gone.port;
    }
    auto refused = test::run_task(pg_connection::open("host=127.0.0.1 port=" + std::to_string(nobody_port) + " user=qaqpa", 5s));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == errc::store_unavailable);

    const auto start = std::chrono::steady_clock::now();
    silent_listener silent_server;
    auto silent = test::run_task(pg_connection::open(
        "host=127.0.0.1 port=" + std::to_string(silent_server.port) + " user=qaqpa password=s3cret", 300ms));
    REQUIRE_FALSE(silent);
    CHECK(silent.error().code == errc::store_unavailable);
    CHECK(silent.error().detail.find("no connection within 300 ms") != std::string::npos);
    CHECK(silent.error().detail.find("s3cret") == std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("a PostgreSQL query past its time breaks the connection", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    auto c = test::pg_connect(*pg);
    auto slow = test::run_task(c->exec("SELECT pg_sleep(5)", {}, 200ms));
    REQUIRE_FALSE(slow);
    CHECK(slow.error().code == errc::store_unavailable);
    CHECK(c->broken());
    auto after = test::run_task(c->exec("SELECT 1"));
    REQUIRE_FALSE(after);
    CHECK(after.error().code == errc::store_unavailable);
}

TEST_CASE("a DSN's password never reaches a message", "[postgresql]") {
    CHECK(dsn_for_messages("host=db password=s3cret user=q") == "host=db password=*** user=q");
    CHECK(dsn_for_messages("host=db password = 'a b\\'c' user=q") == "host=db password = *** user=q");
    CHECK(dsn_for_messages("postgresql://q:s3cret@db:5432/x") == "postgresql://q:***@db:5432/x");
    CHECK(dsn_for_messages("host=db user=q") == "host=db user=q");
}
