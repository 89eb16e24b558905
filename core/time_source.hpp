#pragma once
// The injectable clock: every time decision of the delivery engine (retry
// times, throttle windows, pacing, when to wake) asks a time_source, so unit
// tests run the engine on simulated time, without sleeps. Time is Unix
// milliseconds, as stored.
//
// A waiting coroutine arms its own timer through the source: the system
// source sets the timer's expiry; a simulated source fires (cancels) it when
// the simulated time passes, which a waiter treats like any wake-up.
//
// Thread safety: now() from any thread; arm()/disarm() on the timer's
// executor.

#include "core/async.hpp"

#include <cstdint>

namespace qaqpa {

using unix_ms = std::int64_t;

class time_source {
public:
    virtual ~time_source() = default;
    virtual unix_ms now() const noexcept = 0;
    /// Makes `t`'s next wait end at `at` (or earlier, on a cancel).
    virtual void arm(timer& t, unix_ms at) = 0;
    /// `t` is about to be destroyed: never touch it again.
    virtual void disarm(timer& t) noexcept = 0;
};

/// The wall clock (system_clock), timers on steady_clock.
class system_time_source final : public time_source {
public:
    unix_ms now() const noexcept override;
    void arm(timer& t, unix_ms at) override;
    void disarm(timer&) noexcept override {}
};

} // namespace qaqpa
