#pragma once
// The metrics registry as Prometheus text exposition format 0.0.4: for each
// metric name, one HELP and one TYPE line, then its series (a histogram as
// _bucket{le=...} lines, _sum and _count). Series of one name are grouped
// wherever they were made; names keep the order they first appeared in.

#include "core/metrics.hpp"

#include <string>

namespace qaqpa::admin {

inline constexpr const char* prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

std::string prometheus_text(const metrics_registry& registry);

} // namespace qaqpa::admin
