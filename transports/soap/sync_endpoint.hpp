#pragma once
// The synchronous channel's HTTP face: POST a SendMessage, GET ?wsdl.
// Parses, hands the request to routing::sync_gateway, writes the answer or
// the fault. Knows nothing about providers or the registry.

#include "core/async.hpp"
#include "routing/request_probe.hpp"
#include "routing/sync_gateway.hpp"
#include "transports/soap/envelope.hpp"
#include "transports/http/server.hpp"

namespace qaqpa::soap {

class sync_endpoint {
public:
    /// `signature_required`: the WS-Security endpoint (/bip-sync-wss-gost/),
    /// whose answers are signed too when `security` says so.
    sync_endpoint(routing::sync_gateway& gateway, bool signature_required, routing::request_probe& probe,
                  const routing::transport_security* security = nullptr)
        : gateway_(gateway), signature_required_(signature_required), probe_(probe), security_(security) {}

    task<http::response> handle(http::request& req);

private:
    /// The answer to a parsed-or-not SendMessage; `fault` says which fault
    /// it is, `to_peer` the hop keys when the caller is a peer gateway.
    task<http::response> call(http::request& req, std::optional<failure>& fault, std::optional<hop_keys>& to_peer);

    routing::sync_gateway& gateway_;
    bool signature_required_;
    routing::request_probe& probe_;
    const routing::transport_security* security_;
};

/// An answer of a signed endpoint, signed as the gateway when [security]
/// sign_responses is on and a key is configured; as it was otherwise. An
/// answer to a peer gateway (`hop`) is signed whenever a key is configured
/// (the peer's own pair, else [security]'s): the peer checks it.
http::response signed_answer(http::response res, const routing::transport_security* security, bool signed_endpoint,
                             const std::optional<hop_keys>& hop = std::nullopt);

/// True for the content types real SOAP clients send (or none at all).
bool is_xml_content_type(std::string_view content_type) noexcept;

/// Serves "?wsdl"/"?xsd=..." for a channel; nullopt when the query asks for
/// something else.
std::optional<http::response> serve_wsdl(const http::request& req, std::string_view channel_wsdl);

/// What every SOAP channel answers before parsing: its WSDL set on GET, 405
/// for other methods than GET and POST, 415 (a fault) for a non-XML content
/// type. nullopt when the request is a POST to parse.
std::optional<http::response> answer_before_parsing(const http::request& req, std::string_view channel_wsdl,
                                                    const fault_element& fault);

/// A SOAP fault response (HTTP 500) with the catalog entry for `f`.
http::response fault_response(const http::request& req, soap_version v, const fault_element& element,
                              const gateway_fault& f, std::string session_id);

} // namespace qaqpa::soap
