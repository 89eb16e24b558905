#pragma once
// A sliding-window counter of events in time (PROTOCOL.md "Delivery
// policies"): throttling allows at most N call starts in *any* window of W,
// and error shutdown trips on M failures within W. A fixed-window counter or
// a token bucket lets up to 2N through across a window boundary; a log of
// event times does not. Memory is at most `limit` timestamps.
//
// Pure: time is passed in, so tests run on simulated time.
// Thread safety: none; its owner serialises access.

#include <cstdint>
#include <deque>

namespace qaqpa::routing {

class sliding_window {
public:
    using ms = std::int64_t;

    /// `limit` events in any window of `window` ms; limit 0 admits nothing.
    sliding_window(int limit, ms window) : limit_(limit), window_(window) {}

    /// Events in (now - window, now].
    int count(ms now);

    /// When the next event may happen: `now` when there is room, otherwise
    /// the moment the oldest event in the window leaves it.
    ms next_free(ms now);

    /// Records an event at `now` if there is room; false (nothing recorded)
    /// when the window is full.
    bool try_add(ms now);

    /// Records an event at `now` regardless (failures happen whether or not
    /// there is room); returns the events now in the window. Keeps at most
    /// `limit` timestamps: only whether `limit` is reached matters.
    int add(ms now);

    void clear() { events_.clear(); }

private:
    void expire(ms now);

    int limit_;
    ms window_;
    std::deque<ms> events_;
};

} // namespace qaqpa::routing
