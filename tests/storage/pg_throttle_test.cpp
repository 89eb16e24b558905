#include "storage/detail/pg_throttle.hpp"

#include "tests/support/postgres_test.hpp"

#include <atomic>
#include <thread>

using namespace qaqpa;
using namespace qaqpa::storage::detail;
using namespace std::chrono_literals;

TEST_CASE("a shared throttle admits its limit per window, then says how long to wait", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    auto c = test::pg_connect(*pg);
    const auto schema = test::migrated_pg_schema(*c);
    for (int i = 0; i < 3; ++i) CHECK(*test::run_task(pg_throttle_take(*c, schema, "dp", 3, 1500ms)) == 0ms);
    auto wait = test::run_task(pg_throttle_take(*c, schema, "dp", 3, 1500ms));
    REQUIRE(wait);
    CHECK(*wait > 0ms);
    CHECK(*wait <= 1500ms);
    CHECK(*test::run_task(pg_throttle_take(*c, schema, "other", 3, 1500ms)) == 0ms); // keys apart
    std::this_thread::sleep_for(*wait + 50ms); // the first three starts leave the window (together)
    for (int i = 0; i < 3; ++i) CHECK(*test::run_task(pg_throttle_take(*c, schema, "dp", 3, 1500ms)) == 0ms);
    CHECK(*test::run_task(pg_throttle_take(*c, schema, "dp", 3, 1500ms)) > 0ms);
    CHECK(*test::run_task(pg_throttle_take(*c, schema, "closed", 0, 1500ms)) == 1500ms); // limit 0 admits none
}

TEST_CASE("a shared throttle's window slides: room comes back one start at a time", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    auto c = test::pg_connect(*pg);
    const auto schema = test::migrated_pg_schema(*c);
    auto take = [&] { return *test::run_task(pg_throttle_take(*c, schema, "slide", 2, 1000ms)); };
    CHECK(take() == 0ms); // t0
    std::this_thread::sleep_for(600ms);
    CHECK(take() == 0ms); // t0 + 600
    const auto first_wait = take();
    CHECK(first_wait > 0ms); // t0's start leaves at t0 + 1000
    CHECK(first_wait <= 400ms);
    std::this_thread::sleep_for(first_wait + 30ms);
    CHECK(take() == 0ms);
    const auto second_wait = take(); // now the t0 + 600 start is the oldest
    CHECK(second_wait > 0ms); // a fixed window would have room for two again
    CHECK(second_wait <= 600ms);
}

TEST_CASE("nodes taking from one throttle at once admit its limit together", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    std::vector<std::unique_ptr<pg_connection>> nodes;
    for (int i = 0; i < 4; ++i) nodes.push_back(test::pg_connect(*pg));
    const auto schema = test::migrated_pg_schema(*nodes[0]);
    std::atomic<int> admitted{0}, refused{0};
    std::vector<std::thread> threads;
    for (auto& n : nodes)
        threads.emplace_back([&, c = n.get()] {
            for (int i = 0; i < 25; ++i) {
                auto w = test::run_task(pg_throttle_take(*c, schema, "dp", 30, 60s));
                if (!w) return;
                (*w == 0ms ? admitted : refused)++;
            }
        });
    for (auto& t : threads) t.join();
    CHECK(admitted == 30);
    CHECK(refused == 70);
}
