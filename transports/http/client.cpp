#include "transports/http/client.hpp"

#include "core/async.hpp"
#include "transports/http/deadline.hpp"

#include <fmt/format.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <deque>
#include <map>
#include <memory>
#include <optional>

namespace qaqpa::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct connection {
    connection(const executor& ex, asio::ssl::context* tls) : socket(ex), dl(socket) {
        buffer.reserve(16 * 1024);
        if (tls) stream.emplace(socket, *tls);
    }
    tcp_socket socket;
    deadline dl; ///< registered for the connection's life; never while pooled
    beast::flat_buffer buffer;
    std::optional<asio::ssl::stream<tcp_socket&>> stream; ///< over `socket`, for https://
};

/// Why a TLS handshake failed: the certificate check's own words when it was that.
std::string handshake_failure(connection& c, const boost::system::error_code& ec) {
    const long verdict = SSL_get_verify_result(c.stream->native_handle());
    if (verdict != X509_V_OK) return std::string("the server's certificate: ") + X509_verify_cert_error_string(verdict);
    return ec.message();
}

/// Sends the host name (SNI) unless it is an IP address, and checks that the certificate names it.
void expect_host(connection& c, const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    auto* ssl = c.stream->native_handle();
    if (ec) {
        SSL_set_tlsext_host_name(ssl, host.c_str());
        SSL_set1_host(ssl, host.c_str());
    } else {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
    }
}

/// Idle keep-alive connections of one io_context, by "host:port".
class pool final : public asio::execution_context::service {
public:
    using key_type = pool;
    static inline asio::execution_context::id id;

    explicit pool(asio::execution_context& ctx) : service(ctx) {}

    std::unique_ptr<connection> take(const std::string& key) {
        auto it = idle_.find(key);
        if (it == idle_.end() || it->second.empty()) return nullptr;
        auto c = std::move(it->second.back());
        it->second.pop_back();
        return c;
    }

    void give(const std::string& key, std::unique_ptr<connection> c, std::size_t max_idle) {
        auto& list = idle_[key];
        if (list.size() >= max_idle) return; // drop: closes the socket
        list.push_back(std::move(c));
    }

private:
    void shutdown() override { idle_.clear(); }
    std::map<std::string, std::deque<std::unique_ptr<connection>>> idle_;
};

/// The request head, written once into one string (no per-header allocation).
std::string request_head(const url& to, std::size_t body_size, const post_options& opts) {
    std::string head;
    head.reserve(160 + to.target.size() + to.host_header.size());
    head.append("POST ").append(to.target).append(" HTTP/1.1\r\nHost: ").append(to.host_header);
    head.append("\r\nUser-Agent: qaqpa\r\nContent-Type: ").append(opts.content_type);
    if (opts.send_soap_action) head.append("\r\nSOAPAction: \"").append(opts.soap_action).append("\"");
    head.append("\r\nContent-Length: ").append(std::to_string(body_size)).append("\r\n\r\n");
    return head;
}

client_failure io_failure(const boost::system::error_code& ec, std::string_view stage) {
    if (ec == beast::error::timeout) return {client_error::timeout, std::string(stage) + " timed out"};
    if (ec == beast::http::error::body_limit) return {client_error::too_large, "response too large"};
    return {client_error::broken, std::string(stage) + ": " + ec.message()};
}

/// A peer that closed an idle pooled connection shows as one of these on
/// the first write or read; the request never reached it, so one retry on a
/// fresh connection is safe.
bool stale_connection(const boost::system::error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == beast::http::error::end_of_stream || ec == asio::ssl::error::stream_truncated;
}

} // namespace

namespace {

class client_error_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "qaqpa.http_client"; }
    std::string message(int ev) const override {
        switch (static_cast<client_error>(ev)) {
        case client_error::connect_failed: return "could not connect";
        case client_error::timeout: return "no answer before the deadline";
        case client_error::broken: return "the connection failed mid-exchange";
        case client_error::too_large: return "the response is too large";
        }
        return "unknown HTTP client error";
    }
};

} // namespace

const boost::system::error_category& client_category() noexcept {
    static const client_error_category instance;
    return instance;
}

boost::system::error_code make_error_code(client_error e) noexcept { return {static_cast<int>(e), client_category()}; }

failure relay_failure(const client_failure& f, std::string_view point, std::chrono::milliseconds timeout) {
    switch (f.kind) {
    case client_error::timeout:
        return fail(errc::provider_timeout, fmt::format("no answer from \"{}\" within {} ms", point, timeout.count()));
    case client_error::too_large: return fail(errc::provider_bad_response, fmt::format("the answer of \"{}\" is too large", point));
    default: return fail(errc::provider_unreachable, fmt::format("\"{}\": {}", point, f.detail));
    }
}

std::string push_failure(const client_failure& f, std::chrono::milliseconds timeout) {
    if (f.kind == client_error::timeout) return fmt::format("no answer within {} ms", timeout.count());
    return f.detail.empty() ? "connection failed" : f.detail;
}

task<std::variant<response, client_failure>>
post(const url& to, std::string body, const post_options& opts, std::chrono::steady_clock::time_point deadline) {
    const auto ex = co_await asio::this_coro::executor;
    auto& idle = thread_service<pool>(ex);
    if (to.tls && !opts.tls)
        co_return client_failure{client_error::connect_failed, "https://" + to.host_header + " has no TLS settings"};
    // pooled by host and TLS context: a connection is only reused for the same trust
    const std::string key = to.tls ? fmt::format("{}:{}|{}", to.host, to.port, static_cast<const void*>(opts.tls))
                                   : to.host + ':' + to.port;
    const std::string head = request_head(to, body.size(), opts);
    const std::array<asio::const_buffer, 2> request_bytes{asio::buffer(head), asio::buffer(body)};

    boost::system::error_code ec;
    auto use = use_task_ec(ec);
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto conn = idle.take(key);
        const bool reused = conn != nullptr;
        if (!conn) {
            conn = std::make_unique<connection>(ex, to.tls ? opts.tls : nullptr);
            conn->dl.expires_at(deadline);
            tcp_resolver resolver(ex);
            const auto endpoints = co_await resolver.async_resolve(to.host, to.port, use);
            if (ec) co_return client_failure{client_error::connect_failed, "resolve " + to.host + ": " + ec.message()};
            co_await asio::async_connect(conn->socket, endpoints, use);
            conn->dl.translate(ec);
            if (ec == beast::error::timeout) co_return client_failure{client_error::timeout, "connect timed out"};
            if (ec) co_return client_failure{client_error::connect_failed, "connect " + key + ": " + ec.message()};
            conn->socket.set_option(tcp::no_delay(true), ec);
            if (conn->stream) {
                expect_host(*conn, to.host);
                co_await conn->stream->async_handshake(asio::ssl::stream_base::client, use);
                conn->dl.translate(ec);
                if (ec == beast::error::timeout) co_return client_failure{client_error::timeout, "TLS handshake timed out"};
                if (ec)
                    co_return client_failure{client_error::connect_failed,
                                             "TLS handshake with " + key.substr(0, key.find('|')) + ": " + handshake_failure(*conn, ec)};
            }
        }
        conn->dl.expires_at(deadline);
        // if/else, never a conditional in co_await: GCC 12 frees that temporary twice
        if (conn->stream) co_await asio::async_write(*conn->stream, request_bytes, use);
        else co_await asio::async_write(conn->socket, request_bytes, use);
        conn->dl.translate(ec);
        if (ec) {
            if (reused && stale_connection(ec)) continue;
            co_return io_failure(ec, "send");
        }
        beast::http::response_parser<beast::http::string_body> parser;
        parser.body_limit(opts.max_response_bytes);
        if (conn->stream) co_await beast::http::async_read(*conn->stream, conn->buffer, parser, use);
        else co_await beast::http::async_read(conn->socket, conn->buffer, parser, use);
        conn->dl.translate(ec);
        if (ec) {
            if (reused && stale_connection(ec) && !parser.got_some()) continue;
            co_return io_failure(ec, "receive");
        }
        response res = parser.release();
        if (res.keep_alive()) {
            conn->dl.expires_never();
            idle.give(key, std::move(conn), opts.max_idle_per_host);
        }
        co_return res;
    }
    co_return client_failure{client_error::broken, "connection closed by the peer"};
}

} // namespace qaqpa::http
