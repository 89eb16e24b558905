#pragma once
// The HTTP/1.1 listener. One acceptor per io_context on the same port
// (SO_REUSEPORT), so the kernel spreads connections across threads and each
// connection lives on one thread. One coroutine per connection: set the
// timeout, read, handle, write.
//
// Guards (CONFIG.md [limits]): header and body read timeouts, idle timeout
// between keep-alive requests, a body limit answered with 413 before the body
// is read, and a connection cap beyond which new connections wait in the
// backlog. Running out of file descriptors backs off and never stops the node.
//
// Lifecycle: listen() binds, start() begins accepting, stop() closes the
// acceptors and lets in-flight requests finish; the runtime outlives it.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"
#include "transports/http/message.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

namespace qaqpa::http {

/// What a listener serves. Called on the connection's thread; may suspend.
class handler {
public:
    virtual ~handler() = default;
    virtual task<response> handle(request& req) = 0;
};

struct server_options {
    std::size_t max_body_bytes = 10 * 1024 * 1024;
    std::chrono::milliseconds header_read_timeout{10000};
    std::chrono::milliseconds body_read_timeout{30000};
    std::chrono::milliseconds idle_timeout{60000};
    int max_connections = 10000;
};

class server {
public:
    server(runtime& rt, server_options opts, handler& h);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Binds address:port (0 = any free port) on every io_context.
    result<boost::asio::ip::tcp::endpoint> listen(const std::string& address, std::uint16_t port);
    void start();
    void stop();
    /// Destroys the acceptors; only once the io_context threads have stopped
    /// and before the io_contexts are destroyed (see cmd/node.cpp).
    void release_acceptors() noexcept { acceptors_.clear(); }

    int active_connections() const noexcept { return active_.load(std::memory_order_relaxed); }
    /// Requests read and not yet answered.
    int requests_in_flight() const noexcept { return in_flight_.load(std::memory_order_relaxed); }

private:
    task<void> accept_loop(tcp_acceptor& acceptor);
    task<void> session(tcp_socket socket);

    runtime& runtime_;
    server_options opts_;
    handler& handler_;
    std::vector<std::unique_ptr<tcp_acceptor>> acceptors_;
    std::atomic<int> active_{0};
    std::atomic<int> in_flight_{0};
    std::atomic<bool> stopping_{false};
};

} // namespace qaqpa::http
