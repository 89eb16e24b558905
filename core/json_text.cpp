#include "core/json_text.hpp"

#include "core/utf8.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

namespace qaqpa {

void append_json_escaped(std::string& out, std::string_view text) {
    std::string repaired;
    if (!valid_utf8(text)) {
        repaired = to_valid_utf8(text);
        text = repaired;
    }
    for (const char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", static_cast<int>(c));
            else out += c;
        }
    }
}

namespace {

/// Payloads nest deeper than Boost.JSON's default of 32; as deep as XML's bound.
boost::json::value parse_payload(std::string_view text, boost::system::error_code& ec) {
    boost::json::parse_options options;
    options.max_depth = 256;
    return boost::json::parse(text, ec, {}, options);
}

} // namespace

bool is_json_value(std::string_view text) {
    boost::system::error_code ec;
    parse_payload(text, ec);
    return !ec;
}

std::optional<std::string> json_string_contents(std::string_view text) {
    boost::system::error_code ec;
    const auto v = parse_payload(text, ec);
    if (ec || !v.is_string()) return std::nullopt;
    return std::string(v.get_string());
}

} // namespace qaqpa
