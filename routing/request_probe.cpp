#include "routing/request_probe.hpp"

namespace qaqpa::routing {
namespace {

struct operation_names {
    const char* channel;
    const char* operation;
};

constexpr std::array<operation_names, operation_kinds> names{{
    {"sync", "SendMessage"},
    {"async", "sendMessage"},
    {"async", "getMessages"},
    {"async", "sendDeliveryNotification"},
    {"async", "getMessageStatus"},
    {"async", "changeMassageStatusNotification"},
}};

const std::vector<double> duration_bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

} // namespace

request_probe::request_probe(metrics_registry& registry, std::string transport)
    : registry_(registry), transport_(std::move(transport)) {
    for (std::size_t i = 0; i < operation_kinds; ++i)
        durations_[i] = &registry_.get_histogram(
            "qaqpa_request_duration_seconds", "time from a parsed request to its answer", duration_bounds,
            {{"transport", transport_}, {"channel", names[i].channel}, {"operation", names[i].operation}});
}

counter& request_probe::requests(operation_kind op, std::size_t outcome) {
    auto& slot = requests_[static_cast<std::size_t>(op) * outcomes + outcome];
    if (auto* c = slot.load(std::memory_order_acquire)) return *c;
    const auto& n = names[static_cast<std::size_t>(op)];
    const std::string code = outcome == 0 ? "ok" : std::string(describe(static_cast<errc>(outcome)).code);
    // Two threads may get here at once: the registry hands both the same series.
    auto& c = registry_.get_counter("qaqpa_requests_total", "operations answered, by outcome (ok or the fault's code)",
                                    {{"transport", transport_}, {"channel", n.channel}, {"operation", n.operation},
                                     {"outcome", code}});
    slot.store(&c, std::memory_order_release);
    return c;
}

void request_probe::record(operation_kind op, const failure* fault, std::chrono::steady_clock::duration took) noexcept {
    const auto outcome = fault ? static_cast<std::size_t>(fault->code) : 0;
    if (outcome >= outcomes) return;
    try {
        requests(op, outcome).inc();
    } catch (...) {
        // Making a series allocates; a metric is never worth failing a request for.
    }
    durations_[static_cast<std::size_t>(op)]->observe(std::chrono::duration<double>(took).count());
}

} // namespace qaqpa::routing
