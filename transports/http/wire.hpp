#pragma once
// Writes HTTP/1.1 responses: the head into one string, then head and body in
// one gathered write. Beast's serializer walks its buffer sequences one
// element at a time; on the hot path this is markedly cheaper, and the bytes
// are the same. The caller sets Content-Length (prepare_payload()).
// (The client writes its fixed request head itself: transports/http/client.cpp.)

#include "core/async.hpp"
#include "transports/http/message.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/write.hpp>

#include <fmt/format.h>

#include <array>
#include <string>

namespace qaqpa::http {

inline void append_head(std::string& out, const response& res) {
    out.append("HTTP/1.1 ").append(std::to_string(res.result_int())).append(1, ' ');
    out.append(res.reason().empty() ? beast_http::obsolete_reason(res.result()) : res.reason()).append("\r\n");
    for (const auto& f : res) out.append(f.name_string()).append(": ").append(f.value()).append("\r\n");
    out.append("\r\n");
}

/// Writes the head of `res`, then the pieces `next` gives until it ends:
/// chunked for HTTP/1.1, as they are (the connection then closes) for
/// HTTP/1.0. `before_write` runs before each write (it arms the deadline).
template <class Stream, class BeforeWrite>
task<void> write_streamed(Stream& stream, response& res, const body_stream& next, BeforeWrite before_write,
                          boost::system::error_code& ec) {
    const bool chunked = res.version() >= 11;
    res.body().clear();
    res.erase(beast_http::field::content_length);
    if (chunked) res.set(beast_http::field::transfer_encoding, "chunked");
    else res.keep_alive(false);
    std::string out;
    append_head(out, res);
    for (;;) {
        auto piece = co_await next();
        if (piece && piece->empty()) continue; // an empty chunk would end the body
        if (chunked) {
            if (piece) out.append(fmt::format("{:x}\r\n", piece->size())).append(*piece).append("\r\n");
            else out.append("0\r\n\r\n");
        } else if (piece) {
            out.append(*piece);
        }
        before_write();
        co_await boost::asio::async_write(stream, boost::asio::buffer(out), use_task_ec(ec));
        out.clear();
        if (ec || !piece) co_return;
    }
}

/// Writes `res` to `stream`; errors land in `ec`.
template <class Stream>
task<void> write_message(Stream& stream, const response& res, boost::system::error_code& ec) {
    std::string head;
    head.reserve(256);
    append_head(head, res);
    const std::array<boost::asio::const_buffer, 2> buffers{boost::asio::buffer(head), boost::asio::buffer(res.body())};
    co_await boost::asio::async_write(stream, buffers, use_task_ec(ec));
}

} // namespace qaqpa::http
