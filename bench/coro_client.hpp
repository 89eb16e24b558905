#pragma once
// A keep-alive HTTP/1.1 client for the load tools as a coroutine: many of
// them share one thread, so the load generator spends its CPU on requests,
// not on thread switches. It writes its request head by hand and reads
// answers that carry a Content-Length (what the gateway sends), so the load
// generator costs the machine it shares with the gateway as little as wrk
// or a broker's C client would.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qaqpa::bench {

class coro_client {
public:
    coro_client(boost::asio::any_io_executor ex, std::uint16_t port) : port_(port), socket_(ex) {
        buffer_.reserve(64 * 1024);
    }

    /// POSTs `body` as text/xml; the status and body, or nullopt when the
    /// exchange failed twice (once on a stale connection).
    boost::asio::awaitable<std::optional<std::pair<int, std::string>>> post(const std::string& target,
                                                                            const std::string& body) {
        namespace asio = boost::asio;
        head_.clear();
        head_.append("POST ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                    "Content-Type: text/xml; charset=utf-8\r\nContent-Length: ");
        head_.append(std::to_string(body.size())).append("\r\n\r\n");
        for (int attempt = 0; attempt < 2; ++attempt) {
            boost::system::error_code ec;
            auto use = asio::redirect_error(asio::use_awaitable, ec);
            if (!socket_.is_open()) {
                co_await socket_.async_connect({asio::ip::make_address("127.0.0.1"), port_}, use);
                if (ec) {
                    reset();
                    continue;
                }
                socket_.set_option(asio::ip::tcp::no_delay(true));
            }
            const std::array<asio::const_buffer, 2> request{asio::buffer(head_), asio::buffer(body)};
            co_await asio::async_write(socket_, request, use);
            std::optional<std::pair<int, std::string>> answer;
            if (!ec) answer = co_await read_response();
            if (!answer) {
                reset();
                continue;
            }
            co_return answer;
        }
        co_return std::nullopt;
    }

private:
    /// One response: status line, headers (Content-Length required), body.
    boost::asio::awaitable<std::optional<std::pair<int, std::string>>> read_response() {
        std::size_t head_end = std::string::npos;
        while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos)
            if (!co_await fill()) co_return std::nullopt;
        const std::string_view head(buffer_.data(), head_end);
        int status = 0;
        if (head.size() < 12 || std::from_chars(head.data() + 9, head.data() + 12, status).ec != std::errc())
            co_return std::nullopt;
        const auto length_at = find_header(head, "content-length:");
        if (length_at == std::string_view::npos) co_return std::nullopt;
        std::size_t length = 0;
        const char* digits = head.data() + length_at;
        while (*digits == ' ') ++digits;
        std::from_chars(digits, head.data() + head.size(), length);
        const bool close = find_header(head, "connection: close") != std::string_view::npos;
        const auto body_at = head_end + 4;
        while (buffer_.size() < body_at + length)
            if (!co_await fill()) co_return std::nullopt;
        std::pair<int, std::string> out{status, buffer_.substr(body_at, length)};
        buffer_.erase(0, body_at + length);
        if (close) reset();
        co_return out;
    }

    /// Appends what the socket has; false on error or end of stream.
    boost::asio::awaitable<bool> fill() {
        boost::system::error_code ec;
        std::array<char, 16 * 1024> chunk;
        const auto n = co_await socket_.async_read_some(boost::asio::buffer(chunk),
                                                        boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (ec) co_return false;
        buffer_.append(chunk.data(), n);
        co_return true;
    }

    /// Where the value of a header starts (name given lower-case, colon
    /// included), or npos.
    static std::size_t find_header(std::string_view head, std::string_view name) {
        for (std::size_t line = head.find("\r\n"); line != std::string_view::npos; line = head.find("\r\n", line + 2)) {
            const auto at = line + 2;
            if (head.size() - at < name.size()) return std::string_view::npos;
            bool match = true;
            for (std::size_t i = 0; i < name.size() && match; ++i)
                match = (head[at + i] | 0x20) == name[i] || head[at + i] == name[i];
            if (match) return at + name.size();
        }
        return std::string_view::npos;
    }

    void reset() {
        boost::system::error_code ignored;
        socket_.close(ignored);
        buffer_.clear();
    }

    std::uint16_t port_;
    boost::asio::ip::tcp::socket socket_;
    std::string head_;
    std::string buffer_;
};

} // namespace qaqpa::bench
