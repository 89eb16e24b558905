#include "transports/http/server.hpp"

#include "core/async.hpp"
#include "core/log.hpp"
#include "transports/http/detail/connection.hpp"
#include "transports/http/tls_context.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <fmt/format.h>

#include <array>

namespace qaqpa::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

} // namespace

server::server(std::string name, runtime& rt, server_options opts, handler& h)
    : name_(std::move(name)), runtime_(rt), opts_(opts), handler_(h) {}

server::~server() { stop(std::chrono::milliseconds(0)); }

void in_flight_requests::ended() noexcept {
    if (count_.fetch_sub(1, std::memory_order_acq_rel) == 1 && waiting_.load(std::memory_order_acquire)) {
        std::lock_guard lk(mutex_); // the wake cannot slip between wait_none()'s check and its wait
        none_.notify_all();
    }
}

bool in_flight_requests::wait_none(std::chrono::milliseconds bound) {
    std::unique_lock lk(mutex_);
    waiting_ = true;
    return none_.wait_for(lk, bound, [&] { return count() == 0; });
}

result<tcp::endpoint> server::listen(const std::string& address, std::uint16_t port) {
    boost::system::error_code ec;
    const auto addr = asio::ip::make_address(address, ec);
    if (ec) return fail(errc::internal, "bad listen address \"" + address + "\"");
    tcp::endpoint ep{addr, port};
    for (std::size_t i = 0; i < runtime_.size(); ++i) {
        auto acc = std::make_unique<tcp_acceptor>(runtime_.context(i));
        acc->open(ep.protocol(), ec);
        if (!ec) acc->set_option(tcp_acceptor::reuse_address(true), ec);
        if (!ec) acc->set_option(reuse_port(true), ec);
        if (!ec) acc->bind(ep, ec);
        if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
        if (ec) return fail(errc::internal, fmt::format("cannot listen on {}:{}: {}", address, ep.port(), ec.message()));
        ep = acc->local_endpoint(); // port 0: every later acceptor takes the port the kernel chose
        acceptors_.push_back(std::move(acc));
    }
    return ep;
}

void server::start() {
    for (auto& acc : acceptors_) tasks_.spawn(acc->get_executor(), accept_loop(*acc));
}

void server::stop(std::chrono::milliseconds grace) {
    if (stopping_.exchange(true)) return;
    for (auto& acc : acceptors_)
        asio::post(acc->get_executor(), [a = acc.get()] {
            boost::system::error_code ignored;
            a->close(ignored);
        });
    // Requests under way get their answers; idle keep-alive connections
    // (waiting for a next request that will not be read) are then cancelled.
    if (!requests_.wait_none(grace))
        log::warn("http", "{} requests still unanswered after {} ms; cancelling", requests_.count(), grace.count());
    tasks_.close();
    tasks_.cancel(); // the accept loops
    for (std::size_t i = 0; i < runtime_.size(); ++i) // the connections
        asio::post(runtime_.context(i), [ex = runtime_.context(i).get_executor(), this] { expire_all(ex, this); });
    if (!tasks_.wait(std::chrono::seconds(1)))
        log::debug("http", "{} connections left to the event loops' shutdown", tasks_.running());
}

task<void> server::accept_loop(tcp_acceptor& acceptor) {
    timer pause(acceptor.get_executor());
    boost::system::error_code ec;
    auto wait = [&](std::chrono::milliseconds d) -> task<void> {
        pause.expires_after(d);
        co_await pause.async_wait(use_task_ec(ec));
    };
    while (acceptor.is_open()) {
        if (active_.load(std::memory_order_relaxed) >= opts_.max_connections) {
            // Leave new connections in the kernel backlog until a slot frees.
            co_await wait(std::chrono::milliseconds(5));
            continue;
        }
        auto socket = co_await acceptor.async_accept(use_task_ec(ec));
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
        if (ec) {
            // EMFILE/ENFILE and friends: the longest-idle connections make
            // way (every thread's), and accept is tried again shortly.
            make_room(ec);
            co_await wait(std::chrono::milliseconds(10));
            continue;
        }
        // Another thread's acceptor may have filled the last slot meanwhile:
        // reserve one atomically, holding this connection unserved until then.
        for (int cur = active_.load(std::memory_order_relaxed);;) {
            if (cur < opts_.max_connections &&
                active_.compare_exchange_weak(cur, cur + 1, std::memory_order_relaxed))
                break;
            if (cur >= opts_.max_connections) {
                co_await wait(std::chrono::milliseconds(5));
                if (!acceptor.is_open()) co_return;
                cur = active_.load(std::memory_order_relaxed);
            }
        }
        // Ended at a stop by timing out its socket, not by a cancellation
        // slot (which every read and write would pay for).
        if (!tasks_.spawn(acceptor.get_executor(), session(std::move(socket)), task_group::stop_by::owner))
            active_.fetch_sub(1);
    }
}

void server::make_room(const boost::system::error_code& why) {
    for (std::size_t i = 0; i < runtime_.size(); ++i)
        asio::post(runtime_.context(i), [ex = runtime_.context(i).get_executor(), this] {
            if (const auto closed = http::shed_idle(ex, this, shed_batch)) shed_.fetch_add(closed, std::memory_order_relaxed);
        });
    // One warning per interval, however many accepts fail: a log line per
    // failure would itself become the flood.
    const auto failures = accept_failures_.fetch_add(1, std::memory_order_relaxed) + 1;
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto last = last_accept_warning_.load(std::memory_order_relaxed);
    const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(accept_warning_interval).count();
    if (last != 0 && now - last < interval) return;
    if (!last_accept_warning_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
    log::warn("http", "{}: accept failed: {} ({} times so far; {} idle connections closed to make room)", name_,
              why.message(), failures, shed_.load(std::memory_order_relaxed));
}

void server::use_tls(std::shared_ptr<tls_context> tls) {
    std::lock_guard lk(tls_mutex_);
    tls_ = std::move(tls);
}

std::shared_ptr<tls_context> server::current_tls() const {
    std::lock_guard lk(tls_mutex_);
    return tls_;
}

task<void> server::session(tcp_socket socket) {
    detail::connection_slot slot{active_};
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    if (auto tls = current_tls()) {
        asio::ssl::stream<tcp_socket&> stream(socket, tls->native());
        bool shaken = false;
        {
            deadline dl(socket, this); // a client that never finishes its handshake holds no slot for long
            dl.expires_after(opts_.header_read_timeout);
            co_await stream.async_handshake(asio::ssl::stream_base::server, use_task_ec(ec));
            dl.translate(ec);
            shaken = !ec;
        }
        if (shaken) co_await detail::serve_connection(stream, socket, opts_, handler_, stopping_, requests_, this);
        else log::debug("http", "{}: TLS handshake failed: {}", name_, ec.message());
    } else {
        co_await detail::serve_connection(socket, socket, opts_, handler_, stopping_, requests_, this);
    }
    socket.shutdown(tcp_socket::shutdown_send, ec);
    socket.close(ec);
}

} // namespace qaqpa::http
