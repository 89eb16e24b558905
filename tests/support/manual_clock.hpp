#pragma once
// A time_source whose time moves only when a test says so: timers armed
// through it fire (are cancelled, which a waiter takes as a wake-up) when
// advance() passes their time. Single-threaded: the test and the code under
// test share one io_context.

#include "core/time_source.hpp"

#include <algorithm>
#include <vector>

namespace qaqpa::test {

class manual_clock final : public time_source {
public:
    explicit manual_clock(unix_ms start = 1'800'000'000'000) : now_(start) {}

    unix_ms now() const noexcept override { return now_; }

    void arm(timer& t, unix_ms at) override {
        disarm(t);
        if (at <= now_) {
            t.expires_at(timer::time_point::min()); // due already
            return;
        }
        t.expires_at(timer::time_point::max());
        armed_.push_back({at, &t});
    }

    void disarm(timer& t) noexcept override {
        std::erase_if(armed_, [&](const auto& a) { return a.second == &t; });
    }

    /// Moves time on by `ms`, firing every timer due by then.
    void advance(unix_ms ms) {
        now_ += ms;
        auto due = std::stable_partition(armed_.begin(), armed_.end(), [&](const auto& a) { return a.first > now_; });
        std::vector<std::pair<unix_ms, timer*>> fired(due, armed_.end());
        armed_.erase(due, armed_.end());
        for (auto& [at, t] : fired) t->cancel();
    }

private:
    unix_ms now_;
    std::vector<std::pair<unix_ms, timer*>> armed_;
};

} // namespace qaqpa::test
