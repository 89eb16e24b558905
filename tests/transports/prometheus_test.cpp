#include "transports/admin/prometheus.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;

TEST_CASE("series of one name are grouped under one HELP and TYPE, labels escaped", "[admin][metrics]") {
    metrics_registry r;
    r.get_counter("a_total", "first\\help\nline", {{"point", "x"}}).inc(2);
    r.get_gauge("b", "a gauge").set(-3);
    r.get_counter("a_total", "first\\help\nline", {{"point", "q\"uo\\te\nnl"}}).inc();
    const auto text = admin::prometheus_text(r);
    CHECK(text == "# HELP a_total first\\\\help\\nline\n# TYPE a_total counter\n"
                  "a_total{point=\"x\"} 2\na_total{point=\"q\\\"uo\\\\te\\nnl\"} 1\n"
                  "# HELP b a gauge\n# TYPE b gauge\nb -3\n");
}

TEST_CASE("a histogram is written as cumulative buckets, +Inf, sum and count", "[admin][metrics]") {
    metrics_registry r;
    auto& h = r.get_histogram("d_seconds", "durations", {0.1, 1}, {{"op", "x"}});
    h.observe(0.05);
    h.observe(0.5);
    h.observe(7);
    const auto text = admin::prometheus_text(r);
    CHECK(text == "# HELP d_seconds durations\n# TYPE d_seconds histogram\n"
                  "d_seconds_bucket{op=\"x\",le=\"0.1\"} 1\nd_seconds_bucket{op=\"x\",le=\"1\"} 2\n"
                  "d_seconds_bucket{op=\"x\",le=\"+Inf\"} 3\nd_seconds_sum{op=\"x\"} 7.55\nd_seconds_count{op=\"x\"} 3\n");
}
