#pragma once
// A blocking HTTP/1.1 client on one keep-alive connection to 127.0.0.1, for
// the load tools: one per thread, reconnecting when the server closes.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace qaqpa::bench {

class keepalive_client {
public:
    explicit keepalive_client(std::uint16_t port) : port_(port), socket_(ctx_) {}

    /// POSTs `body` as text/xml to `target`; the status and body, or nullopt
    /// when the exchange failed twice (once on a stale connection).
    std::optional<std::pair<int, std::string>> post(const std::string& target, const std::string& body) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            boost::system::error_code ec;
            if (!socket_.is_open()) {
                socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
                if (ec) {
                    socket_.close();
                    continue;
                }
                socket_.set_option(boost::asio::ip::tcp::no_delay(true));
            }
            namespace http = boost::beast::http;
            http::request<http::string_body> req{http::verb::post, target, 11};
            req.set(http::field::host, "127.0.0.1");
            req.set(http::field::content_type, "text/xml; charset=utf-8");
            req.body() = body;
            req.prepare_payload();
            http::write(socket_, req, ec);
            http::response<http::string_body> res;
            if (!ec) http::read(socket_, buffer_, res, ec);
            if (ec) {
                socket_.close(ec);
                buffer_.clear();
                continue;
            }
            if (!res.keep_alive()) socket_.close(ec);
            return std::pair<int, std::string>{res.result_int(), std::move(res.body())};
        }
        return std::nullopt;
    }

private:
    std::uint16_t port_;
    boost::asio::io_context ctx_;
    boost::asio::ip::tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

} // namespace qaqpa::bench
