#pragma once
// HTTP message types shared by the listener and the handlers.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>
#include <string_view>

namespace qaqpa::http {

namespace beast_http = boost::beast::http;
/// A request as read by the listener, with where it came from.
struct request : beast_http::request<beast_http::string_body> {
    using base = beast_http::request<beast_http::string_body>;
    using base::base;
    request() = default;
    explicit request(base&& m) : base(std::move(m)) {}
    std::string peer; ///< the client's IP address, set by the listener ("" when unknown)
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

} // namespace qaqpa::http
