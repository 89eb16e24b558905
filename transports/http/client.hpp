#pragma once
// The outbound HTTP/1.1 client with keep-alive connection pooling. Each
// io_context owns its own pool (an Asio service), so pooled connections stay
// on their thread and no lock is taken.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "core/url.hpp"
#include "transports/http/message.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace qaqpa::http {

/// Outbound addresses are parsed once, in core (see core/url.hpp).
using qaqpa::url;
using qaqpa::parse_url;

struct post_options {
    std::string_view content_type = "text/xml; charset=utf-8";
    std::string_view soap_action;  ///< sent as SOAPAction when not null
    bool send_soap_action = false;
    std::size_t max_response_bytes = 10 * 1024 * 1024;
    std::size_t max_idle_per_host = 64;
    /// The client context for an https:// URL (client_tls.hpp); it must
    /// outlive the call. An https:// URL without one fails to connect.
    boost::asio::ssl::context* tls = nullptr;
};

enum class client_error {
    connect_failed = 1, ///< resolve or connect failed
    timeout,            ///< the deadline passed
    broken,             ///< the connection failed mid-exchange
    too_large,          ///< the response exceeded max_response_bytes
};

/// "qaqpa.http_client": the outbound client's errors as error_codes.
const boost::system::error_category& client_category() noexcept;
boost::system::error_code make_error_code(client_error e) noexcept;

struct client_failure {
    client_error kind;
    std::string detail; ///< what the stage and the socket said
    boost::system::error_code code() const noexcept { return make_error_code(kind); }
};

/// A relayed call's failed exchange as the caller's fault: provider_timeout,
/// provider_bad_response (an answer over the limit) or provider_unreachable.
failure relay_failure(const client_failure& f, std::string_view point, std::chrono::milliseconds timeout);
/// Why a PUSH attempt's exchange failed, for its record.
std::string push_failure(const client_failure& f, std::chrono::milliseconds timeout);

/// POSTs `body` and reads the response, all before `deadline`. A pooled
/// connection that turns out to be closed by the peer is replaced once.
task<std::variant<response, client_failure>>
post(const url& to, std::string body, const post_options& opts, std::chrono::steady_clock::time_point deadline);

} // namespace qaqpa::http

template <>
struct boost::system::is_error_code_enum<qaqpa::http::client_error> : std::true_type {};
