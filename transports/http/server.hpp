#pragma once
// The HTTP/1.1 listener. One acceptor per io_context on the same port
// (SO_REUSEPORT), so the kernel spreads connections across threads and each
// connection lives on one thread. One coroutine per connection: set the
// timeout, read, handle, write.
//
// Guards (CONFIG.md [limits]): header and body read timeouts, idle timeout
// between keep-alive requests, a body limit answered with 413 before the body
// is read, and a connection cap beyond which new connections wait in the
// backlog. Running out of file descriptors never stops the node: the
// longest-idle connections are closed to make room (one warning per
// interval), so a new request is still answered.
//
// The connection itself is a template over its stream (detail/connection.hpp):
// plain TCP, or, on a TLS listener (use_tls), the same coroutine over an
// ssl::stream after its handshake (bounded by the header read timeout).
//
// Lifecycle: listen() binds, start() begins accepting (the accept loops and
// connections are tasks of the server's task group), stop() closes the
// acceptors, waits (bounded) for the requests under way to be answered, then
// cancels the connections left (idle keep-alives) and waits for them,
// bounded; the runtime outlives it.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"
#include "core/service.hpp"
#include "core/task_group.hpp"
#include "transports/http/message.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <memory>
#include <string>
#include <vector>

namespace qaqpa::http {

class tls_context;

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

/// Requests read and not yet answered; wakes whoever waits for none.
class in_flight_requests {
public:
    void started() noexcept { count_.fetch_add(1, std::memory_order_relaxed); }
    void ended() noexcept;
    int count() const noexcept { return count_.load(std::memory_order_relaxed); }
    /// Waits until no request is under way, at most `bound`; true when none is.
    bool wait_none(std::chrono::milliseconds bound);

private:
    std::atomic<int> count_{0};
    std::atomic<bool> waiting_{false};
    std::mutex mutex_;
    std::condition_variable none_;
};

class server final : public service {
public:
    /// `name` says which listener it is in logs ("public listener").
    server(std::string name, runtime& rt, server_options opts, handler& h);
    ~server() override;
    std::string_view name() const noexcept override { return name_; }
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Binds address:port (0 = any free port) on every io_context.
    result<boost::asio::ip::tcp::endpoint> listen(const std::string& address, std::uint16_t port);
    void start() override;
    void stop() override { stop(std::chrono::seconds(5)); }
    /// Stops accepting; the requests under way are answered (up to
    /// `grace`), then the remaining connections are cancelled. Blocks: call
    /// it from outside the event loops, while they run.
    void stop(std::chrono::milliseconds grace);
    /// Destroys the acceptors; only once the io_context threads have stopped
    /// and before the io_contexts are destroyed (see cmd/node.cpp).
    void release_acceptors() noexcept { acceptors_.clear(); }

    /// Serves HTTPS with `tls` from the next connection on (null: plain
    /// HTTP); connections under way keep the context they started with.
    void use_tls(std::shared_ptr<tls_context> tls);
    bool serves_tls() const { return current_tls() != nullptr; }

    int active_connections() const noexcept { return active_.load(std::memory_order_relaxed); }
    /// Requests read and not yet answered.
    int requests_in_flight() const noexcept { return requests_.count(); }
    /// Idle connections closed so far to make room for new ones.
    std::int64_t idle_connections_shed() const noexcept { return shed_.load(std::memory_order_relaxed); }

private:
    task<void> accept_loop(tcp_acceptor& acceptor);
    task<void> session(tcp_socket socket);
    std::shared_ptr<tls_context> current_tls() const;
    /// Accept failed (file descriptors ran short): closes idle connections
    /// on every thread and warns, at most once per interval.
    void make_room(const boost::system::error_code& why);

    static constexpr std::size_t shed_batch = 16; ///< idle connections closed per thread per failed accept
    static constexpr std::chrono::seconds accept_warning_interval{10};

    std::string name_;
    runtime& runtime_;
    server_options opts_;
    handler& handler_;
    std::vector<std::unique_ptr<tcp_acceptor>> acceptors_;
    std::atomic<int> active_{0};
    in_flight_requests requests_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::int64_t> accept_failures_{0};
    std::atomic<std::int64_t> shed_{0};
    std::atomic<std::int64_t> last_accept_warning_{0};
    mutable std::mutex tls_mutex_;
    std::shared_ptr<tls_context> tls_;
    task_group tasks_{"http"};
};

} // namespace qaqpa::http
