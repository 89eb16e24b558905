#pragma once
// What the channels answer, by operation and outcome:
//   qaqpa_requests_total{transport, channel, operation, outcome}
//   qaqpa_request_duration_seconds{transport, channel, operation}
// `outcome` is "ok" or the fault's catalog code. A series is made the first
// time its combination happens (most never do), then found by index: one
// relaxed atomic load and one increment per request.
// Thread safety: record() may run on every event loop at once.

#include "core/errors.hpp"
#include "core/metrics.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <string>

namespace qaqpa::routing {

enum class operation_kind : std::uint8_t {
    sync_send_message,
    send_message,
    get_messages,
    send_delivery_notification,
    get_message_status,
    change_status_notification, ///< a peer gateway's report on what it was forwarded (SOAP only)
};
inline constexpr std::size_t operation_kinds = 6;

class request_probe {
public:
    /// `transport`: "soap" or "rest".
    request_probe(metrics_registry& registry, std::string transport);

    /// One answered operation; `fault` null when it succeeded.
    void record(operation_kind op, const failure* fault, std::chrono::steady_clock::duration took) noexcept;

private:
    static constexpr std::size_t outcomes = static_cast<std::size_t>(errc::internal) + 1; ///< "ok" + every code

    counter& requests(operation_kind op, std::size_t outcome);

    metrics_registry& registry_;
    std::string transport_;
    std::array<std::atomic<counter*>, operation_kinds * outcomes> requests_{};
    std::array<histogram*, operation_kinds> durations_{};
};

} // namespace qaqpa::routing
