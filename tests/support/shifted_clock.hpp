#pragma once
// The wall clock moved on by a test: now() is the system time plus an offset
// the test raises ("a day has passed") while the gateway runs on real
// threads. Timers armed through it wait real time for the remaining
// (shifted) span, so a jump makes every deadline before it due at once.

#include "core/time_source.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>

namespace qaqpa::test {

class shifted_clock final : public time_source {
public:
    unix_ms now() const noexcept override { return wall_.now() + offset_.load(); }
    void arm(timer& t, unix_ms at) override {
        t.expires_after(std::chrono::milliseconds(std::clamp<unix_ms>(at - now(), 0, 3'600'000)));
    }
    void disarm(timer&) noexcept override {}

    void shift(unix_ms ms) noexcept { offset_ += ms; }

private:
    system_time_source wall_;
    std::atomic<unix_ms> offset_{0};
};

} // namespace qaqpa::test
