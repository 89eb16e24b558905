#include "tests/support/http_call.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>

namespace qaqpa::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

http_reply http_request(std::uint16_t port, std::string method, std::string target, std::string body,
                        std::map<std::string, std::string> headers, std::chrono::milliseconds timeout) {
    asio::io_context ctx;
    beast::tcp_stream stream(ctx);
    http_reply out;
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (auto& [k, v] : headers) req.set(k, v);
    req.body() = std::move(body);
    req.prepare_payload();
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    beast::flat_buffer buffer;
    stream.expires_after(timeout);
    stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
        if (ec) {
            out.error = "connect: " + ec.message();
            return;
        }
        http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
            if (ec) {
                out.error = "write: " + ec.message();
                return;
            }
            http::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
                if (ec) {
                    out.error = "read: " + ec.message();
                    return;
                }
                auto res = parser.release();
                out.status = res.result_int();
                for (const auto& f : res) {
                    std::string name(f.name_string());
                    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
                    out.headers[name] = std::string(f.value());
                }
                out.body = std::move(res.body());
            });
        });
    });
    ctx.run();
    return out;
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout) {
    asio::io_context ctx;
    beast::tcp_stream stream(ctx);
    std::string got;
    std::array<char, 4096> chunk{};
    stream.expires_after(timeout);
    std::function<void()> read_more = [&] {
        stream.async_read_some(asio::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
            got.append(chunk.data(), n);
            if (!ec) read_more();
        });
    };
    stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
        if (ec) return;
        asio::async_write(stream, asio::buffer(bytes), [&](beast::error_code, std::size_t) { read_more(); });
    });
    ctx.run();
    return got;
}

} // namespace qaqpa::test
