#include "crypto/ocsp.hpp"

#include "crypto/detail/openssl_handles.hpp"
#include "crypto/detail/trust_state.hpp"
#include "crypto/x509.hpp"

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include <ctime>

namespace qaqpa::crypto {
namespace detail {

struct ocsp_request_free {
    void operator()(OCSP_REQUEST* r) const noexcept { OCSP_REQUEST_free(r); }
};
struct certid_free {
    void operator()(OCSP_CERTID* i) const noexcept { OCSP_CERTID_free(i); }
};

struct ocsp_request_handle {
    std::unique_ptr<OCSP_REQUEST, ocsp_request_free> request;
    std::unique_ptr<OCSP_CERTID, certid_free> id; ///< to find the answer about it
    x509_ptr issuer;                              ///< may sign the answer itself
    std::string subject;                          ///< for details
};

} // namespace detail

namespace {

struct response_free {
    void operator()(OCSP_RESPONSE* r) const noexcept { OCSP_RESPONSE_free(r); }
};
struct basic_free {
    void operator()(OCSP_BASICRESP* b) const noexcept { OCSP_BASICRESP_free(b); }
};
struct x509_stack_free {
    void operator()(STACK_OF(X509)* s) const noexcept { sk_X509_free(s); } // the certificates are not owned
};

/// Answers with neither nextUpdate nor a nonce are taken for this long.
constexpr std::int64_t default_freshness_s = 300;
/// Clock skew allowed between the gateway and the responder.
constexpr long skew_s = 300;

/// The first http:// OCSP responder of the certificate's Authority Information Access.
std::string responder_of(X509* x) {
    STACK_OF(OPENSSL_STRING)* urls = X509_get1_ocsp(x);
    std::string out;
    for (int i = 0; i < sk_OPENSSL_STRING_num(urls) && out.empty(); ++i) {
        const std::string_view u = sk_OPENSSL_STRING_value(urls, i);
        if (u.starts_with("http://")) out = u;
    }
    X509_email_free(urls);
    return out;
}

std::int64_t unix_of(const ASN1_GENERALIZEDTIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&tm));
}

result<ocsp_status> unknown(const detail::ocsp_request_handle& q, const std::string& why) {
    ERR_clear_error();
    return fail(errc::certificate_status_unknown, "\"" + q.subject + "\": " + why);
}

} // namespace

result<ocsp_query> trust_store::ocsp_query_for(const certificate& cert, const std::string& responder) const {
    auto s = current();
    if (!s) return s.error();
    X509* x = cert.handle().x509.get();
    const auto url = !responder.empty() ? responder : responder_of(x);
    if (url.empty())
        return fail(errc::certificate_status_unknown,
                    "\"" + cert.subject() + "\": the certificate names no http:// OCSP responder (Authority "
                    "Information Access) and [security] ocsp_responder is not set");
    detail::store_ctx_ptr ctx(X509_STORE_CTX_new());
    X509* issuer = nullptr;
    if (!ctx || X509_STORE_CTX_init(ctx.get(), (*s)->store.get(), x, nullptr) != 1 ||
        X509_STORE_CTX_get1_issuer(&issuer, ctx.get(), x) != 1) {
        ERR_clear_error();
        return fail(errc::certificate_status_unknown,
                    "\"" + cert.subject() + "\": its issuer is not a configured CA, so OCSP cannot be asked about it");
    }
    auto h = std::make_shared<detail::ocsp_request_handle>();
    h->issuer.reset(issuer);
    h->subject = cert.subject();
    // SHA-1 in the CertID is what every responder understands (RFC 6960 §4.1.1 names no other)
    h->id.reset(OCSP_cert_to_id(EVP_sha1(), x, issuer));
    h->request.reset(OCSP_REQUEST_new());
    OCSP_CERTID* asked = h->id ? OCSP_CERTID_dup(h->id.get()) : nullptr;
    if (!h->request || !asked || !OCSP_request_add0_id(h->request.get(), asked) ||
        OCSP_request_add1_nonce(h->request.get(), nullptr, -1) != 1)
        return fail(errc::internal, "cannot build an OCSP request: " + detail::openssl_error());
    unsigned char* out = nullptr;
    const int n = i2d_OCSP_REQUEST(h->request.get(), &out);
    if (n <= 0) return fail(errc::internal, "cannot encode an OCSP request: " + detail::openssl_error());
    std::string der(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
    OPENSSL_free(out);
    return ocsp_query(std::move(h), url, std::move(der));
}

result<ocsp_status> trust_store::read_ocsp_answer(const ocsp_query& q, std::string_view der,
                                                  std::int64_t at_unix_s) const {
    const auto& h = q.handle();
    auto s = current();
    if (!s) return s.error();
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<OCSP_RESPONSE, response_free> r(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    if (!r) return unknown(h, "the OCSP responder's answer is not an OCSPResponse");
    if (const int st = OCSP_response_status(r.get()); st != OCSP_RESPONSE_STATUS_SUCCESSFUL)
        return unknown(h, std::string("the OCSP responder answered \"") + OCSP_response_status_str(st) + "\"");
    std::unique_ptr<OCSP_BASICRESP, basic_free> basic(OCSP_response_get1_basic(r.get()));
    if (!basic) return unknown(h, "the OCSP answer has no basic response");
    // 0: both carry a nonce and they differ (a replayed answer); an answer
    // without one is judged by its times below
    if (OCSP_check_nonce(h.request.get(), basic.get()) == 0)
        return unknown(h, "the OCSP answer's nonce is not the question's (a replayed answer?)");
    std::unique_ptr<STACK_OF(X509), x509_stack_free> issuer(sk_X509_new_null());
    if (!issuer || !sk_X509_push(issuer.get(), h.issuer.get()))
        return fail(errc::internal, "out of memory checking an OCSP answer");
    if (OCSP_basic_verify(basic.get(), issuer.get(), (*s)->store.get(), 0) != 1)
        return unknown(h, "the OCSP answer's signature does not verify with a configured CA (" +
                              detail::openssl_error() + ")");
    int status = -1, reason = -1;
    ASN1_GENERALIZEDTIME *revoked_at = nullptr, *this_update = nullptr, *next_update = nullptr;
    if (OCSP_resp_find_status(basic.get(), h.id.get(), &status, &reason, &revoked_at, &this_update, &next_update) != 1)
        return unknown(h, "the OCSP answer does not speak of this certificate");
    if (OCSP_check_validity(this_update, next_update, skew_s, -1) != 1)
        return unknown(h, "the OCSP answer is out of date (thisUpdate/nextUpdate)");
    ocsp_status out;
    out.fresh_until_s = next_update ? unix_of(next_update) : at_unix_s + default_freshness_s;
    switch (status) {
    case V_OCSP_CERTSTATUS_GOOD:
        out.said = ocsp_status::verdict::good;
        out.detail = "OCSP: good (" + q.responder() + ")";
        break;
    case V_OCSP_CERTSTATUS_REVOKED:
        out.said = ocsp_status::verdict::revoked;
        out.detail = "\"" + h.subject + "\": revoked (OCSP, " + q.responder() + ", reason " +
                     (reason >= 0 ? OCSP_crl_reason_str(reason) : "unspecified") + ")";
        break;
    default:
        out.said = ocsp_status::verdict::unknown;
        out.detail = "\"" + h.subject + "\": the OCSP responder " + q.responder() + " does not know the certificate";
    }
    return out;
}

} // namespace qaqpa::crypto
