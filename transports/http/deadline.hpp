#pragma once
// Connection-level deadlines. Beast's tcp_stream arms and cancels a timer on
// every read and write; on the hot path that is several timer-queue updates
// (under the reactor's lock) per request. Here a connection only writes its
// deadline into a field, and one coarse timer per io_context (every
// sweep_interval) cancels the socket of any connection past its deadline:
// the pending operation then fails, and expired() tells it was the deadline.
//
// Lifecycle: a deadline registers with its socket's io_context on
// construction and unregisters on destruction; it must not outlive the
// socket, and the socket must not move while it is registered.
// Thread safety: none needed: everything happens on the io_context's thread.

#include "core/async.hpp"
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>

namespace qaqpa::http {

inline constexpr std::chrono::milliseconds sweep_interval{50};

class deadline_service;

class deadline {
public:
    using clock = std::chrono::steady_clock;

    /// `owner` tags the deadline so its owner can time out all of its own
    /// connections at once (expire_all); null for none.
    explicit deadline(tcp_socket& socket, const void* owner = nullptr);
    ~deadline();
    deadline(const deadline&) = delete;
    deadline& operator=(const deadline&) = delete;

    void expires_after(clock::duration d) noexcept { expires_at(clock::now() + d); }
    void expires_at(clock::time_point t) noexcept {
        at_ = t;
        expired_ = false;
        idle_since_ = clock::time_point::max();
    }
    /// The connection waits for a request's first byte until `d` from now:
    /// it may be closed early when file descriptors run short (shed_idle).
    void idle_for(clock::duration d) noexcept {
        const auto now = clock::now();
        expires_at(now + d);
        idle_since_ = now;
    }
    void expires_never() noexcept { expires_at(clock::time_point::max()); }

    /// True once the deadline passed (until it is set again).
    bool expired() const noexcept { return expired_; }

    /// Turns the cancellation the sweeper caused into beast::error::timeout.
    void translate(boost::system::error_code& ec) const noexcept;

private:
    friend class deadline_service;
    tcp_socket& socket_;
    deadline_service& service_;
    const void* owner_;
    clock::time_point at_ = clock::time_point::max();
    clock::time_point idle_since_ = clock::time_point::max(); ///< max: not idle
    bool expired_ = false;
    deadline* prev_ = nullptr;
    deadline* next_ = nullptr;
};

/// Times out now every connection of `owner` on the io_context `ex` runs on
/// (a server's stop: idle keep-alive connections end at once). Call it on
/// that io_context's thread.
void expire_all(const executor& ex, const void* owner) noexcept;

/// Times out the `count` connections of `owner` on the io_context `ex` runs
/// on that have been idle (idle_for) longest; returns how many it closed.
/// Called when accept fails for want of file descriptors: idle connections
/// make way for new requests. Call it on that io_context's thread.
std::size_t shed_idle(const executor& ex, const void* owner, std::size_t count) noexcept;

} // namespace qaqpa::http
