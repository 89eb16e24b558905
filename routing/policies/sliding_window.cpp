#include "routing/policies/sliding_window.hpp"

namespace qaqpa::routing {

void sliding_window::expire(ms now) {
    while (!events_.empty() && events_.front() <= now - window_) events_.pop_front();
}

int sliding_window::count(ms now) {
    expire(now);
    return static_cast<int>(events_.size());
}

sliding_window::ms sliding_window::next_free(ms now) {
    expire(now);
    if (static_cast<int>(events_.size()) < limit_) return now;
    if (events_.empty()) return now + window_; // limit 0: never, in practice
    return events_.front() + window_;
}

bool sliding_window::try_add(ms now) {
    expire(now);
    if (static_cast<int>(events_.size()) >= limit_) return false;
    events_.push_back(now);
    return true;
}

int sliding_window::add(ms now) {
    expire(now);
    events_.push_back(now);
    while (limit_ > 0 && static_cast<int>(events_.size()) > limit_) events_.pop_front();
    return static_cast<int>(events_.size());
}

} // namespace qaqpa::routing
