#pragma once
// One HTTP/1.1 connection, over any stream: plain TCP now, TLS (an
// ssl::stream over the same socket, after its handshake) next. One
// straight-line coroutine: set the deadline, read, handle, write.
//
// `socket` is the stream's lowest layer: the deadline sweeper cancels it.

#include "core/async.hpp"
#include "core/log.hpp"
#include "transports/http/deadline.hpp"
#include "transports/http/framing.hpp"
#include "transports/http/server.hpp"
#include "transports/http/wire.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <openssl/types.h>

#include <array>
#include <atomic>
#include <memory>
#include <string_view>
#include <type_traits>

namespace qaqpa::http::detail {

/// How long a refused request's remaining bytes are read and discarded.
inline constexpr std::chrono::seconds linger_time{2};

/// Closes a guard's counter when a session ends, however it ends.
struct connection_slot {
    std::atomic<int>& active;
    ~connection_slot() { active.fetch_sub(1, std::memory_order_relaxed); }
};

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    return true;
}

inline response plain(status s, std::string_view text) {
    response res{s, 11};
    res.set(beast_http::field::server, "qaqpa");
    res.set(beast_http::field::content_type, "text/plain; charset=utf-8");
    res.body() = std::string(text) + "\n";
    res.keep_alive(false);
    res.prepare_payload();
    return res;
}

/// The certificate a TLS client presented; null for none.
std::shared_ptr<const crypto::certificate> peer_certificate(SSL* ssl);

/// Serves requests on `stream` until the peer leaves, an error or a timeout
/// ends the connection, or `stopping` (after the answer under way). The
/// caller closes the socket.
/// `owner` tags the connection's deadline (see expire_all).
template <class Stream>
task<void> serve_connection(Stream& stream, tcp_socket& socket, const server_options& opts_, handler& serve,
                            const std::atomic<bool>& stopping, in_flight_requests& requests, const void* owner) {
    namespace asio = boost::asio;
    namespace beast = boost::beast;
    boost::system::error_code ec;
    deadline dl(socket, owner);
    beast::flat_buffer buffer;
    // Beast reads min(512, free capacity) at a time: with capacity reserved a
    // typical request arrives in one read instead of four or five.
    buffer.reserve(16 * 1024);
    auto use = use_task_ec(ec);
    const auto remote = socket.remote_endpoint(ec);
    const std::string peer = ec ? std::string() : remote.address().to_string();
    constexpr bool secure = !std::is_same_v<Stream, tcp_socket>;
    std::shared_ptr<const crypto::certificate> client_certificate; // parsed once per connection
    if constexpr (secure) client_certificate = peer_certificate(stream.native_handle());

    // Answers an error and closes. The rest of the request is never
    // processed, but what the client is still sending is read and discarded
    // for a bounded time (a lingering close): closing with unread data would
    // reset the connection, and a client still writing its body would see a
    // broken pipe instead of the answer.
    auto refuse = [&](status s, std::string_view text) -> task<void> {
        auto res = plain(s, text);
        dl.expires_after(opts_.header_read_timeout);
        co_await write_message(stream, res, ec);
        if (ec) co_return;
        socket.shutdown(tcp_socket::shutdown_send, ec);
        std::array<char, 16 * 1024> sink;
        dl.expires_after(linger_time);
        do {
            co_await stream.async_read_some(asio::buffer(sink), use);
        } while (!ec);
    };

    const auto connected = deadline::clock::now();
    try {
        for (bool first = true; !stopping; first = false) {
            // Waiting for a request's first byte the connection is idle: it
            // may be closed to make way when file descriptors run short.
            if (buffer.size() == 0) {
                dl.idle_for(first ? opts_.header_read_timeout : opts_.idle_timeout);
                const auto n = co_await stream.async_read_some(buffer.prepare(first ? 16 * 1024 : 4096), use);
                if (ec) break;
                buffer.commit(n);
            }
            beast_http::request_parser<beast_http::string_body> parser;
            parser.header_limit(16 * 1024);
            parser.body_limit(opts_.max_body_bytes);
            // A new connection's first head must be complete within
            // header_read_timeout of the connection, not of its first byte.
            dl.expires_at((first ? connected : deadline::clock::now()) + opts_.header_read_timeout);
            co_await beast_http::async_read_header(stream, buffer, parser, use);
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
            const auto frame = check_framing(head, head.version());
            if (frame.how == framing::kind::refused) {
                co_await refuse(frame.refusal, frame.reason);
                break;
            }
            if (iequals(head[beast_http::field::expect], "100-continue")) {
                static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
                co_await asio::async_write(stream, asio::buffer(go_on.data(), go_on.size()), use);
                if (ec) break;
            }
            std::string chunked_body;
            if (frame.how == framing::kind::chunked) {
                dl.expires_after(opts_.body_read_timeout);
                chunked_decoder decoder(opts_.max_body_bytes);
                auto state = chunked_decoder::state::more;
                for (;;) {
                    std::size_t used = 0;
                    const auto data = buffer.cdata();
                    state = decoder.feed({static_cast<const char*>(data.data()), data.size()}, used, chunked_body);
                    buffer.consume(used);
                    if (state != chunked_decoder::state::more) break;
                    const auto n = co_await stream.async_read_some(buffer.prepare(16 * 1024), use);
                    if (ec) break;
                    buffer.commit(n);
                }
                if (state == chunked_decoder::state::too_large) {
                    co_await refuse(status::payload_too_large, decoder.problem());
                    break;
                }
                if (state == chunked_decoder::state::malformed) {
                    co_await refuse(status::bad_request, decoder.problem());
                    break;
                }
                if (state != chunked_decoder::state::done) break; // timed out or the peer left
            } else if (!parser.is_done()) {
                dl.expires_after(opts_.body_read_timeout);
                co_await beast_http::async_read(stream, buffer, parser, use);
                if (ec == beast_http::error::body_limit) {
                    co_await refuse(status::payload_too_large, "request body too large");
                    break;
                }
                if (ec) break;
            }
            request req{parser.release()};
            req.peer = peer;
            req.secure = secure;
            req.client_certificate = client_certificate;
            if (frame.how == framing::kind::chunked) {
                req.erase(beast_http::field::transfer_encoding);
                req.body() = std::move(chunked_body);
                req.content_length(req.body().size());
            }
            response res;
            requests.started();
            dl.expires_never(); // the handler bounds its own waits
            try {
                res = co_await serve.handle(req);
            } catch (const std::exception& e) {
                log::error("http", "handler failed on {}: {}", std::string(req.target()), e.what());
                res = json_error(req, status::internal_server_error, describe(errc::internal).code, "internal error");
            }
            bool keep = res.keep_alive() && req.keep_alive() && !stopping;
            res.keep_alive(keep);
            dl.expires_after(opts_.body_read_timeout);
            if (req.reply_stream) { // each piece gets its own deadline: a long export is fine, a stuck reader is not
                co_await write_streamed(stream, res, req.reply_stream, [&] { dl.expires_after(opts_.body_read_timeout); }, ec);
                keep = keep && res.keep_alive();
            } else {
                co_await write_message(stream, res, ec);
            }
            requests.ended();
            if (ec || !keep) break;
        }
    } catch (const std::exception& e) {
        log::error("http", "connection failed: {}", e.what());
    }
}

} // namespace qaqpa::http::detail
