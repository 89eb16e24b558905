#pragma once
// Reads fields out of the gateway's replies the way a client would see them:
// by element name, independent of the gateway's own parser.

#include <string>
#include <string_view>

namespace qaqpa::test {

/// The text of the first <name>...</name> in `xml`, or "" when absent.
inline std::string field(std::string_view xml, std::string_view name) {
    const std::string open = "<" + std::string(name) + ">", close = "</" + std::string(name) + ">";
    const auto a = xml.find(open);
    if (a == std::string_view::npos) return {};
    const auto b = xml.find(close, a);
    if (b == std::string_view::npos) return {};
    return std::string(xml.substr(a + open.size(), b - a - open.size()));
}

inline bool braced_guid(std::string_view s) {
    return s.size() == 38 && s.front() == '{' && s.back() == '}';
}

/// A property's value in a SOAP message (key and value elements), "" when absent.
inline std::string property_in(const std::string& body, const std::string& key) {
    const auto at = body.find(">" + key + "<");
    if (at == std::string::npos) return {};
    const auto value = body.find("value>", at);
    const auto end = body.find('<', value);
    return value == std::string::npos ? std::string() : body.substr(value + 6, end - value - 6);
}

} // namespace qaqpa::test
