#pragma once
// The gateway's own WSDL and schemas, compiled into the binary and served on
// "?wsdl" (the channel's WSDL, its address filled in) and "?xsd=NAME" (the
// schemas it imports, by relative URL, so they resolve over the same
// listener).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qaqpa::soap {

struct wsdl_file {
    std::string_view name;
    std::string_view content;
};

/// Every embedded file (generated at build time).
const std::vector<wsdl_file>& wsdl_files();

/// Answers a "?..." query of a channel path: `query` is what follows '?',
/// `channel_wsdl` the file served for "wsdl", `address` the endpoint URL put
/// into the WSDL. nullopt when the query names nothing we serve.
std::optional<std::string> wsdl_document(std::string_view query, std::string_view channel_wsdl,
                                         std::string_view address);

} // namespace qaqpa::soap
