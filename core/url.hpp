#pragma once
// An outbound address, parsed once (when a registry snapshot is built), so
// no call parses it again.

#include <optional>
#include <string>
#include <string_view>

namespace qaqpa {

struct url {
    std::string host;
    std::string port;
    std::string target;      ///< path and query, "/" at least
    std::string host_header; ///< host[:port] as the Host header wants it
    bool tls = false;        ///< https://
    bool operator==(const url&) const = default;
};

/// Parses "http[s]://host[:port][/path]"; nullopt for anything else.
std::optional<url> parse_url(std::string_view text);

} // namespace qaqpa
