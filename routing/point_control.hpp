#pragma once
// What an operator's surface may do to delivery points: switch one off or
// on, durably. The delivery engine implements it; the admin transport calls
// it without seeing the engine.

#include "core/async.hpp"
#include "core/errors.hpp"

#include <string>

namespace qaqpa::routing {

class point_control {
public:
    virtual ~point_control() = default;

    /// Switches delivery to `point` on or off; false when it already was so.
    /// unknown_point when there is no such point.
    virtual task<result<bool>> switch_point(std::string point, bool on, std::string reason) = 0;
};

} // namespace qaqpa::routing
