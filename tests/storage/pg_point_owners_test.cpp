#include "storage/detail/pg_point_owners.hpp"

#include "tests/support/postgres_test.hpp"

#include <algorithm>
#include <thread>

using namespace qaqpa;
using namespace qaqpa::storage::detail;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> sorted(result<std::vector<std::string>> r) {
    REQUIRE(r);
    std::sort(r->begin(), r->end());
    return *r;
}

} // namespace

TEST_CASE("each delivery point has one owner among the nodes, until its claim lapses", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    auto c = test::pg_connect(*pg);
    auto& db = *c;
    const auto schema = test::migrated_pg_schema(db);
    const std::string odd = "a,b{\"c\\\\}'ä";
    using list = std::vector<std::string>;

    CHECK(sorted(test::run_task(pg_claim_points(db, schema, "node-a", {"p1", odd}, 400ms))) == list{odd, "p1"});
    // node B takes only what nobody holds
    CHECK(sorted(test::run_task(pg_claim_points(db, schema, "node-b", {"p1", "p2", odd}, 10s))) == list{"p2"});
    // A renews its own
    CHECK(sorted(test::run_task(pg_claim_points(db, schema, "node-a", {"p1", odd, "p2"}, 400ms))) == list{odd, "p1"});

    std::this_thread::sleep_for(600ms); // A stops renewing: its claims lapse
    CHECK(sorted(test::run_task(pg_claim_points(db, schema, "node-b", {"p1", "p2", odd}, 10s))) ==
          list{odd, "p1", "p2"});
    CHECK(test::run_task(pg_claim_points(db, schema, "node-a", {"p1", "p2", odd}, 10s))->empty());

    // a clean stop hands them over at once
    REQUIRE(test::run_task(pg_release_points(db, schema, "node-b", {"p1", odd})));
    CHECK(sorted(test::run_task(pg_claim_points(db, schema, "node-a", {"p1", "p2", odd}, 10s))) == list{odd, "p1"});
    // releasing what it does not own changes nothing
    REQUIRE(test::run_task(pg_release_points(db, schema, "node-b", {"p1"})));
    CHECK(sorted(test::run_task(pg_claim_points(db, schema, "node-b", {"p1", "p2"}, 10s))) == list{"p2"});
}

TEST_CASE("nodes claiming the same lapsed points at once never both get one", "[postgresql]") {
    QAQPA_NEED_POSTGRES(pg);
    std::vector<std::unique_ptr<pg_connection>> nodes;
    for (int i = 0; i < 4; ++i) nodes.push_back(test::pg_connect(*pg));
    const auto schema = test::migrated_pg_schema(*nodes[0]);
    std::vector<std::string> points;
    for (int i = 0; i < 50; ++i) points.push_back("point-" + std::to_string(i));
    for (int round = 0; round < 3; ++round) {
        std::vector<std::vector<std::string>> owned(nodes.size());
        std::vector<std::thread> threads;
        for (std::size_t n = 0; n < nodes.size(); ++n)
            threads.emplace_back([&, n] {
                owned[n] = *test::run_task(
                    pg_claim_points(*nodes[n], schema, "node-" + std::to_string(n), points, 100ms));
            });
        for (auto& t : threads) t.join();
        std::vector<std::string> all;
        for (auto& o : owned) all.insert(all.end(), o.begin(), o.end());
        std::sort(all.begin(), all.end());
        CHECK(std::adjacent_find(all.begin(), all.end()) == all.end()); // none twice
        CHECK(all.size() == points.size());                             // and each by one
        std::this_thread::sleep_for(200ms); // every claim lapses before the next round
    }
}
