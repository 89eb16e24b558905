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

namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> form_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') out += ' ';
        else if (s[i] != '%') out += s[i];
        else {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        }
    }
    return out;
}

} // namespace

std::optional<std::vector<std::pair<std::string, std::string>>> query_params(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (part.empty()) continue;
        const auto eq = part.find('=');
        auto name = form_decode(part.substr(0, eq));
        auto value = form_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
        if (!name || !value) return std::nullopt;
        out.emplace_back(std::move(*name), std::move(*value));
    }
    return out;
}

} // namespace qaqpa::http
