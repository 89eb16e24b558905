#pragma once
// Limits failed logins per sender id and per client address (sliding
// windows): over either limit a login is refused at once with
// TOO_MANY_FAILED_LOGINS, without running the password KDF. A flood of wrong
// passwords then costs the gateway a map lookup per request, and the KDF
// workers stay free for everyone else. A system whose password this I/O
// thread already verified is never asked (the authenticator's cache answers
// first), so a flood against its id cannot lock out its own calls.
//
// Memory is bounded: at most `max_keys` senders and as many addresses are
// tracked; when full, windows that have emptied are dropped, then any one.
// Thread safety: every method may be called from any thread (one mutex; it
// is taken only by logins that would otherwise run the KDF).

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include "core/string_map.hpp"
#include "routing/policies/sliding_window.hpp"

namespace qaqpa::routing {

struct login_limits {
    int per_sender = 10;   ///< failed logins of one sender id in a window; 0 = no limit
    int per_address = 30;  ///< failed logins from one client address in a window; 0 = no limit
    std::int64_t window_ms = 60000;
    std::size_t max_keys = 100000;
};

class login_limiter {
public:
    using ms = std::int64_t;

    explicit login_limiter(login_limits limits) : limits_(limits) {}

    /// Why a login by `sender` from `address` may not be tried now ("" when
    /// it may).
    std::string refusal(std::string_view sender, std::string_view address, ms now);

    /// Records a failed login (wrong password, or a sender id that is not
    /// registered: `known_sender` false counts for the address only, so
    /// made-up ids cannot fill the table).
    void failed(std::string_view sender, std::string_view address, bool known_sender, ms now);

private:
    struct table {
        string_map<sliding_window> windows;
        bool over(std::string_view key, int limit, ms now);
        void add(std::string_view key, int limit, ms window, std::size_t max_keys, ms now);
    };

    login_limits limits_;
    std::mutex mutex_;
    table senders_;
    table addresses_;
};

} // namespace qaqpa::routing
