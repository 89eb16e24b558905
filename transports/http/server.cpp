#include "transports/http/server.hpp"

#include "core/async.hpp"
#include "core/log.hpp"
#include "transports/http/deadline.hpp"
#include "transports/http/wire.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
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

/// How long a refused request's remaining bytes are read and discarded.
constexpr std::chrono::seconds linger_time{2};

/// Closes a guard's counter when a session ends, however it ends.
struct connection_slot {
    std::atomic<int>& active;
    ~connection_slot() { active.fetch_sub(1, std::memory_order_relaxed); }
};

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    return true;
}

response plain(status s, std::string_view text) {
    response res{s, 11};
    res.set(beast_http::field::server, "qaqpa");
    res.set(beast_http::field::content_type, "text/plain; charset=utf-8");
    res.body() = std::string(text) + "\n";
    res.keep_alive(false);
    res.prepare_payload();
    return res;
}

} // namespace

server::server(runtime& rt, server_options opts, handler& h) : runtime_(rt), opts_(opts), handler_(h) {}

server::~server() { stop(); }

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
    for (auto& acc : acceptors_)
        asio::co_spawn(acc->get_executor(), accept_loop(*acc), asio::detached);
}

void server::stop() {
    stopping_ = true;
    for (auto& acc : acceptors_)
        asio::post(acc->get_executor(), [a = acc.get()] {
            boost::system::error_code ignored;
            a->close(ignored);
        });
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
            // EMFILE/ENFILE and friends: back off, keep serving who we have.
            log::warn("http", "accept failed: {}", ec.message());
            co_await wait(std::chrono::milliseconds(50));
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
        asio::co_spawn(acceptor.get_executor(), session(std::move(socket)), asio::detached);
    }
}

task<void> server::session(tcp_socket socket) {
    connection_slot slot{active_};
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    deadline dl(socket);
    beast::flat_buffer buffer;
    // Beast reads min(512, free capacity) at a time: with capacity reserved a
    // typical request arrives in one read instead of four or five.
    buffer.reserve(16 * 1024);
    auto use = use_task_ec(ec);

    // Answers an error and closes. The rest of the request is never
    // processed, but what the client is still sending is read and discarded
    // for a bounded time (a lingering close): closing with unread data would
    // reset the connection, and a client still writing its body would see a
    // broken pipe instead of the answer.
    auto refuse = [&](status s, std::string_view text) -> task<void> {
        auto res = plain(s, text);
        dl.expires_after(opts_.header_read_timeout);
        co_await write_message(socket, res, ec);
        if (ec) co_return;
        socket.shutdown(tcp_socket::shutdown_send, ec);
        std::array<char, 16 * 1024> sink;
        dl.expires_after(linger_time);
        do {
            co_await socket.async_read_some(asio::buffer(sink), use);
        } while (!ec);
    };

    try {
        for (bool first = true; !stopping_; first = false) {
            if (!first && buffer.size() == 0) {
                dl.expires_after(opts_.idle_timeout);
                const auto n = co_await socket.async_read_some(buffer.prepare(4096), use);
                if (ec) break;
                buffer.commit(n);
            }
            beast_http::request_parser<beast_http::string_body> parser;
            parser.header_limit(16 * 1024);
            parser.body_limit(opts_.max_body_bytes);
            dl.expires_after(opts_.header_read_timeout);
            co_await beast_http::async_read_header(socket, buffer, parser, use);
            dl.translate(ec);
            if (ec == beast_http::error::body_limit) {
                co_await refuse(status::payload_too_large, "request body too large");
                break;
            }
            if (ec == beast_http::error::header_limit) {
                co_await refuse(status::request_header_fields_too_large, "request header too large");
                break;
            }
            if (ec == beast::error::timeout || ec == beast_http::error::end_of_stream ||
                ec == asio::error::eof || ec == asio::error::connection_reset)
                break;
            if (ec) {
                co_await refuse(status::bad_request, "malformed HTTP request");
                break;
            }
            const auto& head = parser.get();
            if (const auto len = parser.content_length(); len && *len > opts_.max_body_bytes) {
                co_await refuse(status::payload_too_large, "request body too large");
                break;
            }
            if (iequals(head[beast_http::field::expect], "100-continue")) {
                static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
                co_await asio::async_write(socket, asio::buffer(go_on.data(), go_on.size()), use);
                if (ec) break;
            }
            if (!parser.is_done()) {
                dl.expires_after(opts_.body_read_timeout);
                co_await beast_http::async_read(socket, buffer, parser, use);
                if (ec == beast_http::error::body_limit) {
                    co_await refuse(status::payload_too_large, "request body too large");
                    break;
                }
                if (ec) break;
            }
            request req = parser.release();
            response res;
            in_flight_.fetch_add(1, std::memory_order_relaxed);
            dl.expires_never(); // the handler bounds its own waits
            try {
                res = co_await handler_.handle(req);
            } catch (const std::exception& e) {
                log::error("http", "handler failed on {}: {}", std::string(req.target()), e.what());
                res = json_error(req, status::internal_server_error, "INTERNAL_ERROR", "internal error");
            }
            const bool keep = res.keep_alive() && req.keep_alive() && !stopping_;
            res.keep_alive(keep);
            dl.expires_after(opts_.body_read_timeout);
            co_await write_message(socket, res, ec);
            in_flight_.fetch_sub(1, std::memory_order_relaxed);
            if (ec || !keep) break;
        }
    } catch (const std::exception& e) {
        log::error("http", "connection failed: {}", e.what());
    }
    socket.shutdown(tcp_socket::shutdown_send, ec);
    socket.close(ec);
}

} // namespace qaqpa::http
