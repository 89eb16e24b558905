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

#include <array>
#include <string>

namespace qaqpa::http {

inline void append_head(std::string& out, const response& res) {
    out.append("HTTP/1.1 ").append(std::to_string(res.result_int())).append(1, ' ');
    out.append(res.reason().empty() ? beast_http::obsolete_reason(res.result()) : res.reason()).append("\r\n");
    for (const auto& f : res) out.append(f.name_string()).append(": ").append(f.value()).append("\r\n");
    out.append("\r\n");
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
