#pragma once
// HTTP message types shared by the listener and the handlers.

#include "core/async.hpp"
#include "crypto/x509.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qaqpa::http {

namespace beast_http = boost::beast::http;
/// The next piece of a streamed answer; nullopt ends it.
using body_stream = std::function<task<std::optional<std::string>>()>;

/// A request as read by the listener, with where it came from.
struct request : beast_http::request<beast_http::string_body> {
    using base = beast_http::request<beast_http::string_body>;
    using base::base;
    request() = default;
    explicit request(base&& m) : base(std::move(m)) {}
    std::string peer; ///< the client's IP address, set by the listener ("" when unknown)
    bool secure = false; ///< it came over TLS
    /// The certificate the client presented on a listener with a client_ca
    /// (it chains to that CA: the handshake checked); null when none.
    std::shared_ptr<const crypto::certificate> client_certificate;
    /// Set by a handler whose answer is too large to hold (an export): the
    /// listener sends the response's head, then these pieces as they come
    /// (chunked; close-delimited for HTTP/1.0), never the whole at once.
    body_stream reply_stream;
};
using response = beast_http::response<beast_http::string_body>;
using status = beast_http::status;

/// A response with a body and content type, for the request's HTTP version.
response make_response(const request& req, status s, std::string_view content_type, std::string body);

/// A JSON error body: {"error": code, "message": text}.
response json_error(const request& req, status s, std::string_view code, std::string_view message);

/// The path of a request target (before '?') and its query (after '?').
std::string_view target_path(std::string_view target) noexcept;
std::string_view target_query(std::string_view target) noexcept;

/// A query's name=value pairs, percent- and '+'-decoded, in order; nullopt
/// when an escape is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> query_params(std::string_view query);

} // namespace qaqpa::http
