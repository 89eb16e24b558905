#include "storage/detail/pg_pool.hpp"

#include "tests/support/postgres_test.hpp"
#include "tests/support/run_task.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <thread>

using namespace qaqpa;
using namespace qaqpa::storage::detail;
using namespace std::chrono_literals;

TEST_CASE("the pool opens up to its size, then makes callers wait their bound", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    pg_pool pool(pg->dsn(), 2);
    auto a = test::run_task(pool.acquire(1s));
    auto b = test::run_task(pool.acquire(1s));
    REQUIRE(a);
    REQUIRE(b);
    CHECK(pool.open_now() == 2);
    const auto start = std::chrono::steady_clock::now();
    auto c = test::run_task(pool.acquire(200ms));
    REQUIRE_FALSE(c);
    CHECK(c.error().code == errc::store_unavailable);
    CHECK(c.error().detail.find("all 2 connections") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start >= 200ms);
    auto* first = &**a;
    { auto given_back = std::move(*a); }
    auto again = test::run_task(pool.acquire(200ms));
    REQUIRE(again);
    CHECK(&**again == first); // the idle one, not a new one
    CHECK(pool.open_now() == 2);
}

TEST_CASE("a connection given back on one thread wakes a caller waiting on another", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    pg_pool pool(pg->dsn(), 1);
    auto held = test::run_task(pool.acquire(1s));
    REQUIRE(held);
    std::optional<result<std::string>> got;
    std::thread other([&] {
        got = test::run_task([&]() -> task<result<std::string>> {
            auto lease = co_await pool.acquire(10s);
            if (!lease) co_return lease.error();
            auto rows = co_await (*lease)->exec("SELECT 'woken'");
            if (!rows) co_return rows.error();
            co_return std::string(rows->text(0, 0));
        }());
    });
    std::this_thread::sleep_for(100ms); // let it wait
    { auto given_back = std::move(*held); }
    other.join();
    REQUIRE(got);
    REQUIRE(*got);
    CHECK(**got == "woken");
}

TEST_CASE("a broken connection is dropped and its slot opens a fresh one", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    pg_pool pool(pg->dsn(), 1);
    {
        auto lease = test::run_task(pool.acquire(1s));
        REQUIRE(lease);
        REQUIRE_FALSE(test::run_task((*lease)->exec("SELECT pg_sleep(5)", {}, 100ms)));
        CHECK((*lease)->broken());
    }
    CHECK(pool.open_now() == 0);
    auto fresh = test::run_task(pool.acquire(1s));
    REQUIRE(fresh);
    CHECK_FALSE((*fresh)->broken());
    REQUIRE(test::run_task((*fresh)->exec("SELECT 1")));

    // a waiter is handed the broken one's slot, not left to time out
    boost::asio::io_context ctx;
    std::optional<bool> waited_ok;
    boost::asio::co_spawn(
        ctx,
        [&]() -> task<void> {
            auto lease = co_await pool.acquire(10s);
            waited_ok = lease && (co_await (*lease)->exec("SELECT 1")).has_value();
        },
        boost::asio::detached);
    ctx.run_for(50ms);
    CHECK_FALSE(waited_ok);
    REQUIRE_FALSE(test::run_task((*fresh)->exec("SELECT pg_sleep(5)", {}, 100ms)));
    { auto given_back = std::move(*fresh); }
    ctx.restart();
    ctx.run_for(10s);
    REQUIRE(waited_ok);
    CHECK(*waited_ok);
    CHECK(pool.open_now() == 1);
}

TEST_CASE("a pool whose server is absent fails each caller and keeps no slot", "[postgresql]") {
    pg_pool pool("host=127.0.0.1 port=1 user=qaqpa", 2, 2s);
    for (int i = 0; i < 3; ++i) {
        auto lease = test::run_task(pool.acquire(1s));
        REQUIRE_FALSE(lease);
        CHECK(lease.error().code == errc::store_unavailable);
    }
    CHECK(pool.open_now() == 0);
}
