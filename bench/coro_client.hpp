#pragma once
// A keep-alive HTTP/1.1 client for the load tools as a coroutine: many of
// them share one thread, so the load generator spends its CPU on requests,
// not on thread switches.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace qaqpa::bench {

class coro_client {
public:
    coro_client(boost::asio::any_io_executor ex, std::uint16_t port) : port_(port), stream_(ex) {}

    /// POSTs `body` as text/xml; the status and body, or nullopt when the
    /// exchange failed twice (once on a stale connection).
    boost::asio::awaitable<std::optional<std::pair<int, std::string>>> post(const std::string& target,
                                                                            const std::string& body) {
        namespace http = boost::beast::http;
        for (int attempt = 0; attempt < 2; ++attempt) {
            boost::system::error_code ec;
            auto use = boost::asio::redirect_error(boost::asio::use_awaitable, ec);
            if (!stream_.socket().is_open()) {
                co_await stream_.async_connect({boost::asio::ip::make_address("127.0.0.1"), port_}, use);
                if (ec) {
                    stream_.close();
                    continue;
                }
                stream_.socket().set_option(boost::asio::ip::tcp::no_delay(true));
            }
            http::request<http::string_body> req{http::verb::post, target, 11};
            req.set(http::field::host, "127.0.0.1");
            req.set(http::field::content_type, "text/xml; charset=utf-8");
            req.body() = body;
            req.prepare_payload();
            co_await http::async_write(stream_, req, use);
            http::response<http::string_body> res;
            if (!ec) co_await http::async_read(stream_, buffer_, res, use);
            if (ec) {
                stream_.close();
                buffer_.clear();
                continue;
            }
            if (!res.keep_alive()) stream_.close();
            co_return std::pair<int, std::string>{res.result_int(), std::move(res.body())};
        }
        co_return std::nullopt;
    }

private:
    std::uint16_t port_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
};

} // namespace qaqpa::bench
