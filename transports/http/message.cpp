#include "transports/http/message.hpp"

#include "core/utf8.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace qaqpa::http {

response make_response(const request& req, status s, std::string_view content_type, std::string body) {
    response res{s, req.version()};
    res.set(beast_http::field::server, "qaqpa");
    res.set(beast_http::field::content_type, content_type);
    res.body() = std::move(body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

response json_error(const request& req, status s, std::string_view code, std::string_view message) {
    // Boost.JSON writes a string's bytes as they are: quoted input must be made valid first.
    const boost::json::value v{{"error", code}, {"message", to_valid_utf8(message)}};
    return make_response(req, s, "application/json", boost::json::serialize(v));
}

std::string_view target_path(std::string_view target) noexcept { return target.substr(0, target.find('?')); }

std::string_view target_query(std::string_view target) noexcept {
    const auto q = target.find('?');
    return q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
}

} // namespace qaqpa::http
