#include "routing/lease_table.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::routing;

namespace {

std::vector<lease_table::slot> slots(std::initializer_list<std::uint64_t> seqs) {
    std::vector<lease_table::slot> out;
    for (auto s : seqs) out.push_back({s, "m" + std::to_string(s)});
    return out;
}

} // namespace

TEST_CASE("a plain scan claims from the frontier and moves it", "[unit][routing]") {
    lease_table t;
    CHECK(t.frontier("q") == 0);
    CHECK(t.claim("q", slots({3, 4, 5}), 5, 0, 100, true).size() == 3);
    CHECK(t.frontier("q") == 6);
    // A concurrent scan that started at the old frontier gets nothing twice.
    CHECK(t.claim("q", slots({3, 4, 5}), 5, 0, 100, true).empty());
}

TEST_CASE("RESEND and ended leases come back before new entries", "[unit][routing]") {
    lease_table t;
    t.claim("q", slots({1, 2, 3}), 3, 0, 100, true);
    t.give_back("q", 2, "m2");
    auto back = t.take_returned("q", 10, 200, 10);
    REQUIRE(back.size() == 1);
    CHECK(back[0].seq == 2);
    CHECK(t.take_returned("q", 10, 200, 10).empty()); // leased again
    // At time 150 the leases of 1 and 3 (until 100) have ended; 2's (until 200) has not.
    back = t.take_returned("q", 150, 300, 10);
    REQUIRE(back.size() == 2);
    CHECK(back[0].seq == 1);
    CHECK(back[1].seq == 3);
}

TEST_CASE("settled entries never come back", "[unit][routing]") {
    lease_table t;
    t.claim("q", slots({1}), 1, 0, 100, true);
    t.settle("q", 1);
    CHECK(t.take_returned("q", 1000, 2000, 10).empty());
}

TEST_CASE("restored leases are honoured by scans from the start", "[unit][routing]") {
    lease_table t;
    t.restore({{"m2", 100, "q", 2}});
    const auto got = t.claim("q", slots({1, 2, 3}), 3, 50, 500, true);
    REQUIRE(got.size() == 2);
    CHECK(got[0] == 0);
    CHECK(got[1] == 2);
    CHECK(t.take_returned("q", 150, 600, 10).size() == 1); // m2's lease ended
}

TEST_CASE("a filtered claim leases without moving the frontier", "[unit][routing]") {
    lease_table t;
    CHECK(t.claim("q", slots({7}), 0, 0, 100, false).size() == 1);
    CHECK(t.frontier("q") == 0);
    // The plain scan then skips the held entry and moves past it.
    CHECK(t.claim("q", slots({5, 7}), 7, 0, 100, true).size() == 1);
    CHECK(t.frontier("q") == 8);
}
