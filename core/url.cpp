#include "core/url.hpp"

namespace qaqpa {

std::optional<url> parse_url(std::string_view text) {
    url u;
    if (text.starts_with("https://")) {
        u.tls = true;
        text.remove_prefix(8);
    } else if (text.starts_with("http://")) {
        text.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    const std::string default_port = u.tls ? "443" : "80";
    const auto slash = text.find('/');
    const auto authority = text.substr(0, slash);
    u.target = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
    if (authority.empty()) return std::nullopt;
    u.host_header = std::string(authority);
    if (authority.front() == '[') { // IPv6 literal
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        u.host = std::string(authority.substr(1, close - 1));
        const auto rest = authority.substr(close + 1);
        u.port = rest.starts_with(":") ? std::string(rest.substr(1)) : default_port;
    } else {
        const auto colon = authority.rfind(':');
        u.host = std::string(authority.substr(0, colon));
        u.port = colon == std::string_view::npos ? default_port : std::string(authority.substr(colon + 1));
    }
    if (u.host.empty() || u.port.empty() || u.port.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return u;
}

} // namespace qaqpa
