#pragma once
// What the PUSH delivery engine counts, as series of the node's metrics
// registry (core/metrics.hpp): made once, updated lock-free.

#include "core/metrics.hpp"

namespace qaqpa::routing {

struct delivery_probe {
    explicit delivery_probe(metrics_registry& r)
        : registry(r), attempts(r.get_counter("qaqpa_push_attempts_total", "PUSH attempts started")),
          failures(r.get_counter("qaqpa_push_failures_total", "PUSH attempts that failed")),
          delivered(r.get_counter("qaqpa_push_delivered_total", "messages delivered by PUSH")),
          not_delivered(r.get_counter("qaqpa_push_not_delivered_total", "messages given up after their retries")),
          retries(r.get_counter("qaqpa_push_retries_total", "PUSH attempts that retried a failed one")),
          error_shutdowns(r.get_counter("qaqpa_error_shutdowns_total", "delivery points switched off by error shutdown")),
          in_flight(r.get_gauge("qaqpa_push_in_flight", "PUSH attempts under way")),
          attempt_seconds(r.get_histogram("qaqpa_push_attempt_seconds", "duration of one PUSH attempt",
                                          {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})) {}

    /// One queue's attempts by outcome (a delivery point's, or an IS's own
    /// address): made when its worker starts.
    struct queue_series {
        counter& delivered;
        counter& failed;
    };
    queue_series for_queue(const std::string& queue) {
        constexpr const char* help = "PUSH attempts by queue and outcome";
        return {registry.get_counter("qaqpa_delivery_attempts_total", help, {{"queue", queue}, {"outcome", "delivered"}}),
                registry.get_counter("qaqpa_delivery_attempts_total", help, {{"queue", queue}, {"outcome", "failed"}})};
    }

    metrics_registry& registry;
    counter& attempts;
    counter& failures;
    counter& delivered;
    counter& not_delivered;
    counter& retries;
    counter& error_shutdowns;
    gauge& in_flight;
    histogram& attempt_seconds;
};

} // namespace qaqpa::routing
