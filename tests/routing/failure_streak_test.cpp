#include "routing/policies/failure_streak.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::routing;

TEST_CASE("a failure streak pauses the point from the third failure in a row, doubling, until a success",
          "[unit][routing]") {
    delivery_policy p;
    p.backoff_ms = 100;
    p.backoff_max_ms = 350;
    failure_streak s;
    s.failed(p, 1000, 0);
    s.failed(p, 1010, 0);
    CHECK(s.paused_until() <= 1010); // a rejected message or two: the others go on at once
    s.failed(p, 1020, 0);
    CHECK(s.paused_until() == 1120); // down, most likely: the first back-off
    s.failed(p, 1120, 0);
    CHECK(s.paused_until() == 1320); // doubled
    s.failed(p, 1320, 0);
    CHECK(s.paused_until() == 1670); // capped at backoff_max_ms
    s.failed(p, 1670, 1.0);
    CHECK(s.paused_until() == 1670 + 437); // +25 % jitter at most
    s.succeeded();
    CHECK(s.paused_until() == 0);
    CHECK(s.failures() == 0);
    s.failed(p, 2000, 0);
    CHECK(s.paused_until() <= 2000); // a new streak starts from nothing
}
