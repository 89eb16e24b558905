#pragma once
// The closed catalog of ErrorInfo codes the gateway emits, and the result
// type used across module boundaries. Every fault names exactly one entry.

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace qaqpa {

enum class errc {
    bad_envelope = 1,       ///< not a well-formed SOAP envelope of the expected shape
    unsupported_media_type, ///< content type is not an XML one
    unknown_operation,      ///< body element is not an operation of this channel
    auth_failed,            ///< unknown senderId or wrong password
    unknown_service,        ///< serviceId is not in the registry
    access_denied,          ///< the caller has no access right to the service
    wrong_channel,          ///< the service is not offered on this channel (sync/async)
    unknown_route,          ///< routeId does not name one of the service's routes
    provider_unreachable,   ///< could not connect to / talk to the provider
    provider_timeout,       ///< the provider did not answer within the time limit
    provider_fault,         ///< the provider answered with a SOAP fault (see subError)
    provider_bad_response,  ///< the provider answered something that is not SOAP
    signature_required,     ///< the endpoint requires a transport signature
    busy,                   ///< a bounded resource (e.g. password checks) is saturated; retry
    unknown_chain,          ///< correlationId missing or not an existing chain (non-REQUEST)
    not_chain_party,        ///< the sender is neither the opener nor the owner of the chain
    unknown_message,        ///< messageId unknown, or not visible to the caller
    message_final,          ///< the message is already DELIVERED or NOT_DELIVERED
    queue_full,             ///< the recipient's queue is at its bound; retry later (back-pressure)
    throttled,              ///< the delivery point's (or the caller's) call rate limit is reached
    point_off,              ///< delivery to the point is switched off (error shutdown or the administrator)
    unknown_point,          ///< no delivery point has this id (admin API)
    not_found,              ///< no resource at this path (admin API, REST)
    method_not_allowed,     ///< the resource exists but not for this HTTP method
    unauthorized,           ///< the admin API needs a valid bearer token
    bad_config,             ///< the configuration (file or key) is invalid; the detail names the key
    bad_encoding,           ///< a field of the envelope is not valid UTF-8
    too_many_failed_logins, ///< too many failed logins for this sender or from this address; retry later
    store_unavailable,      ///< the message store cannot take writes now (e.g. its disk is full); retry later
    invalid_request,        ///< a parameter or field of an admin (or REST) request is malformed; the detail names it
    conflict,               ///< the resource is not in a state that allows the operation; the detail says why
    signature_invalid,      ///< the transport signature does not verify (the signed content was changed)
    signature_scope,        ///< the signature does not cover the Body that is processed (wrapping), or covers it ambiguously
    signature_unsupported,  ///< an algorithm or transform the gateway does not accept, or a signature it cannot read
    certificate_untrusted,  ///< the signer's certificate does not chain to a trusted CA
    certificate_expired,    ///< the signer's certificate is outside its validity dates
    certificate_revoked,    ///< the signer's certificate is revoked (CRL or OCSP)
    certificate_status_unknown, ///< the certificate's revocation status cannot be established (no current CRL, OCSP down)
    certificate_mismatch,   ///< the certificate's BIN/IIN is not the one registered for the sender
    decryption_failed,      ///< an encrypted Body cannot be decrypted with the gateway's key (another recipient, damaged)
    encryption_unsupported, ///< XML Encryption in an algorithm or form the gateway does not accept
    internal,               ///< a gateway defect or storage failure; logged
};

/// One catalog row: the wire code, the HTTP-independent default message and
/// whether the fault is the caller's doing (SOAP Client) or ours/the provider's.
struct error_entry {
    std::string_view code;
    std::string_view message;
    bool client_fault;
};

const error_entry& describe(errc e) noexcept;

/// Looks a wire code up in the catalog (for tests and for tools).
bool is_catalog_code(std::string_view code) noexcept;

const boost::system::error_category& gateway_category() noexcept;
boost::system::error_code make_error_code(errc e) noexcept;

/// A failure inside the gateway: the catalog entry plus a specific detail
/// ("requestInfo/serviceId is missing"), meant for errorMessage.
struct failure {
    errc code = errc::internal;
    std::string detail;
};

[[noreturn]] void throw_exception_from_error(const failure& f, const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, failure>;

inline failure fail(errc code, std::string detail = {}) { return failure{code, std::move(detail)}; }

} // namespace qaqpa

template <>
struct boost::system::is_error_code_enum<qaqpa::errc> : std::true_type {};
