#include "core/metrics.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;

TEST_CASE("metrics: a series is made once and found again by name and labels", "[unit][core]") {
    metrics_registry r;
    auto& a = r.get_counter("qaqpa_x_total", "x", {{"point", "a"}});
    auto& b = r.get_counter("qaqpa_x_total", "x", {{"point", "b"}});
    CHECK(&a != &b);
    CHECK(&a == &r.get_counter("qaqpa_x_total", "x", {{"point", "a"}}));
    a.inc();
    a.inc(2);
    CHECK(a.value() == 3);
    CHECK(b.value() == 0);
    CHECK_THROWS(r.get_gauge("qaqpa_x_total", "x")); // a name keeps its kind
    int seen = 0;
    r.visit([&](const metrics_registry::series_view& s) {
        ++seen;
        CHECK(s.kind == metric_kind::counter);
    });
    CHECK(seen == 2);
}

TEST_CASE("metrics: a histogram counts cumulative buckets and its sum", "[unit][core]") {
    metrics_registry r;
    auto& h = r.get_histogram("qaqpa_h_seconds", "h", {0.1, 1, 0.01});
    for (double v : {0.005, 0.05, 0.5, 5.0, 0.1}) h.observe(v);
    CHECK(h.bounds() == std::vector<double>{0.01, 0.1, 1});
    CHECK(h.cumulative() == std::vector<std::uint64_t>{1, 3, 4, 5}); // <=0.01, <=0.1, <=1, +Inf
    CHECK(h.sum() == Approx(5.655));
    auto& g = r.get_gauge("qaqpa_g", "g");
    g.add(3);
    g.add(-1);
    CHECK(g.value() == 2);
}
