#pragma once
// What an operator's surface may do to delivery points: read one's state,
// switch one off or on, durably. The delivery engine implements it; the
// admin transport calls it without seeing the engine.

#include "core/async.hpp"
#include "core/errors.hpp"

#include <cstdint>
#include <string>

namespace qaqpa::routing {

/// A delivery point as the operator sees it.
struct point_state {
    std::string id;
    bool on = true;
    std::string reason;             ///< why it is off ("" while on)
    std::uint64_t queue_depth = 0;  ///< messages waiting for it
    std::uint64_t attempts = 0;     ///< PUSH attempts since the node started
    std::uint64_t failures = 0;
    std::uint64_t throttled_waits = 0;
    std::uint64_t in_flight = 0;    ///< PUSHes under way now
};

class point_control {
public:
    virtual ~point_control() = default;

    /// The point's state; unknown_point when there is no such point.
    virtual task<result<point_state>> state(std::string point) = 0;

    /// Switches delivery to `point` on or off; false when it already was so.
    /// unknown_point when there is no such point.
    virtual task<result<bool>> switch_point(std::string point, bool on, std::string reason) = 0;
};

} // namespace qaqpa::routing
