#include "core/time_source.hpp"

#include <algorithm>
#include <chrono>

namespace qaqpa {
namespace {
/// The longest single timer wait: a waiter woken early looks again and
/// sleeps on. Far waits ("until woken") would otherwise overflow a
/// nanosecond steady_clock duration (found by UBSan).
constexpr unix_ms max_wait_ms = 3'600'000;
} // namespace

unix_ms system_time_source::now() const noexcept {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void system_time_source::arm(timer& t, unix_ms at) {
    t.expires_after(std::chrono::milliseconds(std::clamp<unix_ms>(at - now(), 0, max_wait_ms)));
}

} // namespace qaqpa
