#pragma once
// OCSP (RFC 6960) for transport signatures: the question to put to a
// certificate's responder, and the checked reading of its answer. The
// asking itself is I/O, which crypto/ does not do: routing/ sends the bytes
// through a transport and hands the answer back here.
//
// Thread safety: a query is immutable once made and may be read by any
// thread; reading answers may run on every thread at once.

#include "core/errors.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace qaqpa::crypto {

namespace detail {
struct ocsp_request_handle;
}

/// One question about one certificate: where it goes and its DER bytes (with a nonce).
class ocsp_query {
public:
    explicit ocsp_query(std::shared_ptr<const detail::ocsp_request_handle> h, std::string responder, std::string der)
        : h_(std::move(h)), responder_(std::move(responder)), der_(std::move(der)) {}
    const std::string& responder() const { return responder_; }
    const std::string& der() const { return der_; }
    const detail::ocsp_request_handle& handle() const { return *h_; }

private:
    std::shared_ptr<const detail::ocsp_request_handle> h_;
    std::string responder_;
    std::string der_;
};

/// What a responder said, its signature and times checked.
struct ocsp_status {
    enum class verdict { good, revoked, unknown };
    verdict said = verdict::unknown;
    std::int64_t fresh_until_s = 0; ///< its nextUpdate (or a few minutes on when it gives none)
    std::string detail;             ///< for a refusal or the evidence
};

} // namespace qaqpa::crypto
