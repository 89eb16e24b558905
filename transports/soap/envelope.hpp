#pragma once
// SOAP 1.1 / 1.2 envelopes: finding the body's operation element, and
// writing envelopes and faults. Faults carry an ErrorInfo in their detail,
// under the operation's fault element (e.g. SendMessageFault1_SendMessageFault).

#include "core/envelope.hpp"
#include "crypto/wss.hpp"
#include "transports/soap/xml.hpp"

#include <string>
#include <string_view>

namespace qaqpa::soap {

inline constexpr std::string_view soap11_ns = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view soap12_ns = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr std::string_view common_ns = "http://bip.bee.kz/common/v10/Types";
inline constexpr std::string_view sync_ns = "http://bip.bee.kz/SyncChannel/v10/Types";
inline constexpr std::string_view async_ns = "http://bip.bee.kz/AsyncChannel/v10/Types";
/// The recipient side of the asynchronous channel (status notifications).
inline constexpr std::string_view async_client_ns = "http://bip.bee.kz/AsyncChannel/v10/Types/Client";

enum class soap_version { v11, v12 };

struct soap_body {
    soap_version version = soap_version::v11;
    const xml_node* operation = nullptr; ///< the body's first element
};

/// Checks the root is a SOAP Envelope with one Body holding an element.
result<soap_body> read_envelope(const xml_node* root);

/// Where the Body of a parsed envelope lies in `text` (the text parsed): what
/// a signature check compares with what was signed (crypto/wss.hpp).
crypto::body_span body_span_of(const soap_body& body, std::string_view text);

/// Parses `body` with this thread's scratch document (xml_document::scratch)
/// and reads its envelope; `version` says how to answer even on failure.
result<soap_body> parse_envelope(const std::string& body, soap_version& version);

/// The reply content type for a version ("text/xml; charset=utf-8" for 1.1).
std::string_view content_type(soap_version v) noexcept;

/// Starts an envelope up to and including <soapenv:Body>.
void begin_envelope(std::string& out, soap_version v);
/// Closes what begin_envelope opened.
void end_envelope(std::string& out);

/// Appends an ErrorInfo's children (errorCode, errorMessage, errorData?,
/// errorDate, subError?, sessionId?) in schema order.
void append_error_info(std::string& out, const error_info& info);

/// Which fault detail element a fault uses: its namespace and local name.
struct fault_element {
    std::string_view ns;
    std::string_view name;
};

/// A complete fault envelope. `client` picks Client/Sender vs Server/Receiver.
std::string build_fault(soap_version v, const fault_element& element, const error_info& info, bool client);

/// Reads an ErrorInfo element (errorCode, errorMessage, ...).
error_info read_error_info(const xml_node* n);

/// Reads the ErrorInfo out of a received fault (1.1 or 1.2). When the
/// detail holds none, one is made from faultcode/faultstring.
error_info read_fault(const xml_node* fault);

} // namespace qaqpa::soap
