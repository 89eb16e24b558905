#pragma once
// What the two channels count (series of the node's metrics registry) and
// how they tell the journal: one event per call, accepted or rejected, with
// the catalog code of a refusal.

#include "core/envelope.hpp"
#include "core/errors.hpp"
#include "core/journal.hpp"
#include "core/metrics.hpp"

#include <string>

namespace qaqpa::routing {

struct gateway_probe {
    explicit gateway_probe(metrics_registry& r)
        : sync_calls(r.get_counter("qaqpa_sync_calls_total", "synchronous calls relayed and answered")),
          sync_faults(r.get_counter("qaqpa_sync_faults_total", "synchronous calls answered with a fault")),
          sync_seconds(r.get_histogram("qaqpa_sync_call_seconds", "duration of a synchronous call",
                                       {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60})),
          async_accepted(r.get_counter("qaqpa_async_accepted_total", "messages accepted by sendMessage")),
          async_rejected(r.get_counter("qaqpa_async_rejected_total", "sendMessage calls refused")),
          pull_offered(r.get_counter("qaqpa_pull_offered_total", "messages offered by getMessages")),
          pull_confirmed(r.get_counter("qaqpa_pull_confirmed_total", "delivery notifications taken")) {}

    counter& sync_calls;
    counter& sync_faults;
    histogram& sync_seconds;
    counter& async_accepted;
    counter& async_rejected;
    counter& pull_offered;
    counter& pull_confirmed;
};

/// An event's refusal: its catalog code and detail.
inline void set_refusal(journal_event& e, const failure& f) {
    e.kind = journal_event_kind::rejected;
    e.error_code = std::string(describe(f.code).code);
    e.detail = f.detail;
}

} // namespace qaqpa::routing
