#include "routing/login_limiter.hpp"

#include <fmt/format.h>

namespace qaqpa::routing {

bool login_limiter::table::over(std::string_view key, int limit, ms now) {
    if (limit <= 0 || key.empty()) return false;
    const auto it = windows.find(key);
    return it != windows.end() && it->second.count(now) >= limit;
}

void login_limiter::table::add(std::string_view key, int limit, ms window, std::size_t max_keys, ms now) {
    if (limit <= 0 || key.empty()) return;
    auto it = windows.find(key);
    if (it == windows.end()) {
        if (windows.size() >= max_keys) {
            boost::unordered::erase_if(windows, [&](auto& entry) { return entry.second.count(now) == 0; });
            // Still full: a flood from very many keys. Drop one at random
            // (the table's first); limits are a cost bound, not an audit.
            if (windows.size() >= max_keys) windows.erase(windows.begin());
        }
        it = windows.emplace(std::string(key), sliding_window(limit, window)).first;
    }
    it->second.add(now);
}

std::string login_limiter::refusal(std::string_view sender, std::string_view address, ms now) {
    std::lock_guard lk(mutex_);
    const auto window_s = limits_.window_ms / 1000;
    if (senders_.over(sender, limits_.per_sender, now))
        return fmt::format("at least {} failed logins for \"{}\" in the last {} s; retry later", limits_.per_sender,
                           sender, window_s);
    if (addresses_.over(address, limits_.per_address, now))
        return fmt::format("at least {} failed logins from {} in the last {} s; retry later", limits_.per_address,
                           address, window_s);
    return {};
}

void login_limiter::failed(std::string_view sender, std::string_view address, bool known_sender, ms now) {
    std::lock_guard lk(mutex_);
    if (known_sender) senders_.add(sender, limits_.per_sender, limits_.window_ms, limits_.max_keys, now);
    addresses_.add(address, limits_.per_address, limits_.window_ms, limits_.max_keys, now);
}

} // namespace qaqpa::routing
