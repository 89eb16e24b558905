// The effective policy of a caller at a delivery point, resolved once per
// registry snapshot, and the shared throttle table the channels count in.
#include "routing/policies/throttle_table.hpp"
#include "routing/registry_view.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::routing;

namespace {

registry sample() {
    registry r;
    delivery_point a, b;
    a.id = "a";
    a.policy.retries = 10;
    a.policy.throttle = throttle_policy{45, 45};
    a.policy.error_shutdown = error_shutdown_policy{5, 60};
    b = a;
    b.id = "b";
    r.delivery_points = {a, b};
    service_entry routed;
    routed.id = "routed";
    routed.delivery_point = "a";
    routed.routes = {{"to-b", "b"}};
    r.services = {routed};
    access_right own_throttle{"hasty", "routed", {}};
    own_throttle.overrides.throttle = throttle_policy{2, 1};
    own_throttle.overrides.retries = 1;
    access_right own_shutdown{"fragile", "routed", {}};
    own_shutdown.overrides.error_shutdown = error_shutdown_policy{1, 10};
    r.access = {own_throttle, own_shutdown, {"plain", "routed", {}}};
    return r;
}

} // namespace

TEST_CASE("a caller's policy at a point: the point's, with its own keys winning and its own windows",
          "[unit][routing]") {
    const registry_view view(sample(), 1);
    const auto& a = *view.point("a");
    const auto& b = *view.point("b");

    const auto& plain = view.policy(a, "plain", "routed");
    CHECK(plain.policy == a.policy);
    CHECK(plain.throttle_key == "a");
    CHECK(plain.shutdown_key == "a");

    const auto& hasty = view.policy(b, "hasty", "routed"); // a point reached by a route
    CHECK(hasty.policy.throttle == throttle_policy{2, 1});
    CHECK(hasty.policy.retries == 1);
    CHECK(hasty.policy.error_shutdown == a.policy.error_shutdown); // not overridden: the point's
    CHECK(hasty.throttle_key == "b\nhasty");
    CHECK(hasty.shutdown_key == "b"); // its failures count with everyone else's

    const auto& fragile = view.policy(a, "fragile", "routed");
    CHECK(fragile.policy.error_shutdown == error_shutdown_policy{1, 10});
    CHECK(fragile.throttle_key == "a");
    CHECK(fragile.shutdown_key == "a\nfragile");

    // No access right (withdrawn after the message was accepted): the point's own.
    CHECK(&view.policy(a, "hasty", "other") == &view.policy(a, "plain", "routed"));
    // Resolved once: the same object every time.
    CHECK(&view.policy(b, "hasty", "routed") == &hasty);
}

TEST_CASE("the throttle table: a full window says when it has room, per key", "[unit][routing]") {
    throttle_table t;
    const throttle_policy two_per_second{2, 1};
    CHECK_FALSE(t.start_or_wait("a", two_per_second, 1000));
    CHECK(t.try_start("a", two_per_second, 1400));
    CHECK(t.start_or_wait("a", two_per_second, 1500) == std::optional<std::int64_t>(2000));
    CHECK_FALSE(t.start_or_wait("a\ncaller", two_per_second, 1500)); // a window of its own
    CHECK(t.in_window("a", 1500) == 2);
    CHECK_FALSE(t.start_or_wait("a", two_per_second, 2000)); // the first start has left the window
    // A changed policy takes effect at once, with a fresh window.
    CHECK_FALSE(t.start_or_wait("a", throttle_policy{3, 1}, 2001));
}
