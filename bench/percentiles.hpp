#pragma once
// Latency percentiles for the load tools.

#include <algorithm>
#include <cstdio>
#include <vector>

namespace qaqpa::bench {

/// The q-quantile (0..1) of `v` (sorted in place), in the unit of v.
inline double quantile(std::vector<double>& v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

} // namespace qaqpa::bench
