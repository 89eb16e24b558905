#pragma once
// Writes HTTP/1.1 messages: the head into one string, then head and body in
// one gathered write. Beast's serializer walks its buffer sequences one
// element at a time; on the hot path this is markedly cheaper, and the bytes
// are the same. The caller sets Content-Length (prepare_payload()).

#include "transports/http/message.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <string>

namespace qaqpa::http {

template <bool IsRequest, class Fields>
void append_head(std::string& out, const beast_http::header<IsRequest, Fields>& h) {
    if constexpr (IsRequest) {
        out.append(beast_http::to_string(h.method())).append(1, ' ').append(h.target()).append(" HTTP/1.1\r\n");
    } else {
        out.append("HTTP/1.1 ").append(std::to_string(h.result_int())).append(1, ' ');
        out.append(h.reason().empty() ? beast_http::obsolete_reason(h.result()) : h.reason()).append("\r\n");
    }
    for (const auto& f : h) out.append(f.name_string()).append(": ").append(f.value()).append("\r\n");
    out.append("\r\n");
}

/// Writes `msg` (string body) to `stream`; errors land in `ec`.
template <class Stream, bool IsRequest>
boost::asio::awaitable<void> write_message(Stream& stream, const beast_http::message<IsRequest, beast_http::string_body>& msg,
                                           boost::system::error_code& ec) {
    std::string head;
    head.reserve(256);
    append_head(head, msg.base());
    const std::array<boost::asio::const_buffer, 2> buffers{boost::asio::buffer(head), boost::asio::buffer(msg.body())};
    co_await boost::asio::async_write(stream, buffers, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

} // namespace qaqpa::http
