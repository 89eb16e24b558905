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

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace qaqpa::bench {

/// A status and a body that stays valid until the client's next `post`.
struct reply {
    int status = 0;
    std::string_view body;
};

class coro_client {
public:
    coro_client(boost::asio::any_io_executor ex, std::uint16_t port) : port_(port), socket_(ex) { reserve(64 * 1024); }

    /// POSTs `body` as text/xml; the answer, or nullopt when the exchange
    /// failed twice (once on a stale connection).
    boost::asio::awaitable<std::optional<reply>> post(const std::string& target, const std::string& body) {
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
            std::optional<reply> answer;
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
    /// The body is left in the buffer (a 250 KB getMessages answer is not
    /// copied); it is dropped when the next response is read.
    boost::asio::awaitable<std::optional<reply>> read_response() {
        consume();
        std::size_t head_end = std::string_view::npos;
        while ((head_end = view().find("\r\n\r\n")) == std::string_view::npos)
            if (!co_await fill(4096)) co_return std::nullopt;
        const std::string_view head(data_.get(), head_end);
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
        while (size_ < body_at + length)
            if (!co_await fill(body_at + length - size_)) co_return std::nullopt;
        consumed_ = body_at + length;
        reply out{status, std::string_view(data_.get() + body_at, length)};
        if (close) reset();
        co_return out;
    }

    /// Reads what the socket has, room made for at least `wanted` bytes;
    /// false on error or end of stream.
    boost::asio::awaitable<bool> fill(std::size_t wanted) {
        reserve(size_ + std::max<std::size_t>(wanted, 16 * 1024));
        boost::system::error_code ec;
        const auto n = co_await socket_.async_read_some(boost::asio::buffer(data_.get() + size_, capacity_ - size_),
                                                        boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (ec) co_return false;
        size_ += n;
        co_return true;
    }

    std::string_view view() const { return {data_.get(), size_}; }

    /// Drops the previous response, keeping any bytes after it.
    void consume() {
        if (consumed_ == 0) return;
        std::memmove(data_.get(), data_.get() + consumed_, size_ - consumed_);
        size_ -= consumed_;
        consumed_ = 0;
    }

    /// Grows the buffer (uninitialised, so growing does not clear it).
    void reserve(std::size_t capacity) {
        if (capacity <= capacity_) return;
        capacity = std::max(capacity, capacity_ * 2);
        auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
        if (size_ != 0) std::memcpy(bigger.get(), data_.get(), size_);
        data_ = std::move(bigger);
        capacity_ = capacity;
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
        size_ = consumed_ = 0;
    }

    std::uint16_t port_;
    boost::asio::ip::tcp::socket socket_;
    std::string head_;
    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0, consumed_ = 0, capacity_ = 0;
};

} // namespace qaqpa::bench
