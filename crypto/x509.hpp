#pragma once
// X.509 for transport signatures: a certificate as the gateway sees it (who
// it names: the BIN or IIN the national CA puts in the subject) and a trust
// store that decides whether a certificate is acceptable now: it chains to a
// configured CA, is inside its validity dates, and is not revoked by a
// configured CRL. OpenSSL does the work; no OpenSSL type leaves crypto/.
//
// Thread safety: certificates are immutable and may be shared. A
// trust_store's check() may run on every thread at once; it re-reads its
// CRL files when they change (at most once a second).

#include "core/errors.hpp"
#include "crypto/ocsp.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace qaqpa::crypto {

namespace detail {
struct certificate_handle;
}

class certificate {
public:
    static result<certificate> from_der(std::string_view der);
    /// The first certificate of a PEM text.
    static result<certificate> from_pem(std::string_view pem);
    static result<certificate> from_pem_file(const std::string& path);

    /// The subject, one line (RFC 2253).
    std::string subject() const;
    /// The issuer, one line (RFC 2253).
    std::string issuer() const;
    /// The serial number in decimal (as X509IssuerSerial writes it).
    std::string serial_number() const;
    /// The 12 digits of the subject's OU=BIN…, or "" when it names none.
    std::string bin() const;
    /// The 12 digits of the subject's serialNumber=IIN…, or "" when it names none.
    std::string iin() const;
    /// The DER bytes.
    std::string der() const;
    /// SHA-256 of the DER bytes, lower-case hex.
    std::string fingerprint() const;
    /// Whether its public key is RSA (what XML Encryption's key transport needs).
    bool has_rsa_key() const;

    const detail::certificate_handle& handle() const { return *h_; }

private:
    explicit certificate(std::shared_ptr<const detail::certificate_handle> h) : h_(std::move(h)) {}
    std::shared_ptr<const detail::certificate_handle> h_;
};

struct trust_options {
    std::vector<std::string> ca_files;  ///< PEM, one or more certificates each
    std::vector<std::string> crl_files; ///< PEM or DER; re-read when they change
};

class trust_store {
public:
    /// Reads the CAs and CRLs; an unreadable or malformed file is a
    /// bad_config failure naming it.
    static result<std::shared_ptr<trust_store>> load(trust_options options);
    ~trust_store();

    /// Whether `cert` is acceptable at `at_unix_s`: certificate_untrusted (no chain to a
    /// configured CA), certificate_expired (outside its dates),
    /// certificate_revoked, or certificate_status_unknown (a CRL is
    /// configured but none of them speaks for the issuer, or it is out of
    /// date), each with a detail naming the certificate. An acceptance is
    /// remembered for up to a minute (never past the certificate's end, and
    /// forgotten when a CRL file changes): building and checking the chain
    /// costs several signature checks, and callers come back.
    result<void> check(const certificate& cert, std::int64_t at_unix_s) const;
    /// Whether check() consults CRL files.
    bool checks_crls() const { return !options_.crl_files.empty(); }

    /// The OCSP question about `cert`, whose issuer must be a configured CA:
    /// sent to `responder` when it is given, else to the http:// responder
    /// the certificate's Authority Information Access names.
    /// certificate_status_unknown when there is none, or no issuer.
    result<ocsp_query> ocsp_query_for(const certificate& cert, const std::string& responder) const;
    /// A responder's DER answer to `q`, checked: signed by the issuer or by
    /// a responder the issuer delegated to (id-kp-OCSPSigning), the nonce
    /// echoed when any is, thisUpdate/nextUpdate current (5 minutes' skew).
    /// What cannot be trusted is certificate_status_unknown naming why.
    result<ocsp_status> read_ocsp_answer(const ocsp_query& q, std::string_view der, std::int64_t at_unix_s) const;

private:
    struct state;
    explicit trust_store(trust_options options);
    result<std::shared_ptr<const state>> current() const;
    result<void> check_chain(const certificate& cert, const state& s, std::int64_t at_unix_s) const;

    trust_options options_;
    mutable std::mutex mutex_;
    mutable std::shared_ptr<const state> state_;
    mutable std::int64_t checked_at_s_ = 0;
    /// Accepted certificates (by fingerprint) → until when, under which reading of the files.
    struct accepted {
        std::int64_t until_s = 0;
        const state* under = nullptr;
    };
    mutable std::unordered_map<std::string, accepted> accepted_;
};

} // namespace qaqpa::crypto
