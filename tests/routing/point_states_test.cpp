// point_states taking what other nodes switched (a store nodes share): the
// stored list wins, unless a switch through this node was written since the
// list was read.
#include "routing/point_states.hpp"

#include "storage/store.hpp"
#include "tests/support/run_task.hpp"
#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::routing;
using qaqpa::test::run_task;

TEST_CASE("point states adopt the stored switches unless this node switched since the read", "[unit][routing]") {
    test::temp_dir dir;
    auto db = storage::open_store({dir.str(), false});
    REQUIRE(db);
    point_states points((*db)->messages());
    REQUIRE(run_task(points.load()));

    const auto before = points.generation();
    REQUIRE(*run_task(points.set("p1", false, "by hand here")));
    CHECK(points.generation() != before);
    // a list read before that switch would undo it: not taken
    CHECK(points.adopt({{"p2", "off elsewhere"}}, before).empty());
    CHECK(points.off("p1") == std::optional<std::string>("by hand here"));
    CHECK_FALSE(points.is_off("p2"));

    // read after it: taken whole; p1 is on again (another node switched it on)
    const auto switched_on = points.adopt({{"p2", "off elsewhere"}}, points.generation());
    CHECK(switched_on == std::vector<std::string>{"p1"});
    CHECK_FALSE(points.is_off("p1"));
    CHECK(points.off("p2") == std::optional<std::string>("off elsewhere"));
    CHECK(points.off_for_queue("dp/p2") == std::optional<std::string>("off elsewhere"));
    CHECK(points.adopt({}, points.generation()) == std::vector<std::string>{"p2"});
    CHECK_FALSE(points.is_off("p2"));
}
