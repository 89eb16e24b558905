#pragma once
// SendMessage envelopes as real clients write them, for tests and benchmarks.

#include <string>

namespace qaqpa::test {

struct sample_request {
    std::string service = "echo";
    std::string sender = "sender";
    std::string password = "sender-password";
    std::string route_id;            ///< empty = none
    std::string payload = "<doc xmlns=\"urn:example\">Сәлем, қақпа!</doc>";
    std::string message_date = "2026-11-23T10:00:00+06:00";
};

/// A SOAP 1.1 SendMessage with prefix "typ" for the operation, as SoapUI writes it.
std::string sync_request_xml(const sample_request& r = {});

/// The same, padded with payload to about `bytes` bytes.
std::string sync_request_of_size(const sample_request& r, std::size_t bytes);

} // namespace qaqpa::test
