#include "core/errors.hpp"

#include <array>
#include <stdexcept>

namespace qaqpa {
namespace {

constexpr std::array<error_entry, 42> catalog{{
    {"BAD_ENVELOPE", "The request is not a well-formed SOAP envelope of the expected shape", true},
    {"UNSUPPORTED_MEDIA_TYPE", "The content type must be text/xml, application/soap+xml or application/xml", true},
    {"UNKNOWN_OPERATION", "The body element is not an operation of this channel", true},
    {"AUTH_FAILED", "Authentication failed: unknown sender or wrong password", true},
    {"UNKNOWN_SERVICE", "The service is not registered on the gateway", true},
    {"ACCESS_DENIED", "The sender has no access right to the service", true},
    {"WRONG_CHANNEL", "The service is not offered on this channel", true},
    {"UNKNOWN_ROUTE", "The routeId does not name a route of the service", true},
    {"PROVIDER_UNREACHABLE", "The service provider could not be reached", false},
    {"PROVIDER_TIMEOUT", "The service provider did not answer in time", false},
    {"PROVIDER_FAULT", "The service provider answered with a fault", false},
    {"PROVIDER_BAD_RESPONSE", "The service provider answered with something that is not a SOAP response", false},
    {"SIGNATURE_REQUIRED", "This endpoint requires a WS-Security transport signature", true},
    {"BUSY", "The gateway is overloaded; retry later", false},
    {"UNKNOWN_CHAIN", "The correlationId does not name an existing message chain", true},
    {"NOT_CHAIN_PARTY", "The sender is not a party of this message chain", true},
    {"UNKNOWN_MESSAGE", "No such message is addressed to or sent by the caller", true},
    {"MESSAGE_FINAL", "The message is already in a final state", true},
    {"QUEUE_FULL", "The recipient's queue is full; retry later", false},
    {"THROTTLED", "Too many calls to this service in its time window; retry later", true},
    {"DELIVERY_POINT_OFF", "The service's delivery point is switched off", false},
    {"UNKNOWN_DELIVERY_POINT", "No delivery point has this id", true},
    {"NOT_FOUND", "No resource at this path", true},
    {"METHOD_NOT_ALLOWED", "The resource does not take this HTTP method", true},
    {"UNAUTHORIZED", "A valid bearer token is required", true},
    {"CONFIG_INVALID", "The configuration is invalid", true},
    {"INVALID_ENCODING", "A field of the envelope is not valid UTF-8", true},
    {"TOO_MANY_FAILED_LOGINS", "Too many failed logins for this sender or from this address; retry later", true},
    {"STORE_UNAVAILABLE", "The message store cannot accept messages now; retry later", false},
    {"INVALID_REQUEST", "A parameter or field of the request is malformed", true},
    {"CONFLICT", "The resource is not in a state that allows this operation", true},
    {"SIGNATURE_INVALID", "The transport signature does not verify", true},
    {"SIGNATURE_SCOPE", "The transport signature does not cover the message body that is processed", true},
    {"SIGNATURE_UNSUPPORTED", "The transport signature uses an algorithm or form the gateway does not accept", true},
    {"CERTIFICATE_UNTRUSTED", "The signer's certificate is not issued by a trusted certification authority", true},
    {"CERTIFICATE_EXPIRED", "The signer's certificate is not valid at this time", true},
    {"CERTIFICATE_REVOKED", "The signer's certificate is revoked", true},
    {"CERTIFICATE_STATUS_UNKNOWN", "The revocation status of the signer's certificate cannot be established; retry later", false},
    {"CERTIFICATE_MISMATCH", "The signer's certificate does not belong to the sender's organisation", true},
    {"DECRYPTION_FAILED", "The encrypted message cannot be decrypted with the gateway's key", true},
    {"ENCRYPTION_UNSUPPORTED", "The message is encrypted with an algorithm or in a form the gateway does not accept", true},
    {"INTERNAL_ERROR", "Internal gateway error", false},
}};

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "qaqpa"; }
    std::string message(int ev) const override {
        return std::string(describe(static_cast<errc>(ev)).message);
    }
};

} // namespace

const error_entry& describe(errc e) noexcept {
    const auto i = static_cast<std::size_t>(e) - 1;
    return i < catalog.size() ? catalog[i] : catalog.back();
}

bool is_catalog_code(std::string_view code) noexcept {
    for (const auto& entry : catalog)
        if (entry.code == code) return true;
    return false;
}

const boost::system::error_category& gateway_category() noexcept {
    static const category instance;
    return instance;
}

boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), gateway_category()};
}

void throw_exception_from_error(const failure& f, const boost::source_location&) {
    throw std::runtime_error(std::string(describe(f.code).code) + ": " + f.detail);
}

} // namespace qaqpa
