#include "transports/soap/wsdl.hpp"

namespace qaqpa::soap {
namespace {

std::optional<std::string_view> find_file(std::string_view name) {
    for (const auto& f : wsdl_files())
        if (f.name == name) return f.content;
    return std::nullopt;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    return true;
}

} // namespace

std::optional<std::string> wsdl_document(std::string_view query, std::string_view channel_wsdl,
                                         std::string_view address) {
    if (iequals(query, "wsdl") || iequals(query, "wsdl=")) {
        auto doc = find_file(channel_wsdl);
        if (!doc) return std::nullopt;
        std::string out(*doc);
        constexpr std::string_view placeholder = "{{address}}";
        if (const auto at = out.find(placeholder); at != std::string::npos)
            out.replace(at, placeholder.size(), address);
        return out;
    }
    // Other WSDLs of the set (the recipient side: ?wsdl=async-client.wsdl).
    constexpr std::string_view other = "wsdl=";
    if (query.size() > other.size() && iequals(query.substr(0, other.size()), other) && query.ends_with(".wsdl"))
        return wsdl_document("wsdl", query.substr(other.size()), address);
    constexpr std::string_view xsd = "xsd=";
    if (query.starts_with(xsd)) {
        const auto name = query.substr(xsd.size());
        if (name.ends_with(".xsd"))
            if (auto doc = find_file(name)) return std::string(*doc);
    }
    return std::nullopt;
}

} // namespace qaqpa::soap
