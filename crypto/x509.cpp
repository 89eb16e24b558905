#include "crypto/x509.hpp"

#include "crypto/detail/gost_engine.hpp"
#include "crypto/detail/openssl_handles.hpp"
#include "crypto/detail/trust_state.hpp"
#include "crypto/digest.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace qaqpa::crypto {
namespace detail {

std::string openssl_error() {
    std::string out;
    while (const auto e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out.empty() ? "unknown OpenSSL error" : out;
}

} // namespace detail

namespace {

namespace fs = std::filesystem;
using detail::openssl_error;

struct bio_free {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using bio_ptr = std::unique_ptr<BIO, bio_free>;

result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(errc::bad_config, "cannot read \"" + path + "\"");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The value of the subject's first entry of `nid` that starts with `prefix`
/// followed by 12 digits: those digits.
std::string subject_number(const X509* x, int nid, std::string_view prefix) {
    const X509_NAME* name = X509_get_subject_name(x);
    for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0; i = X509_NAME_get_index_by_NID(name, nid, i)) {
        const ASN1_STRING* v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
        const std::string_view s(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)),
                                 static_cast<std::size_t>(ASN1_STRING_length(v)));
        if (s.size() != prefix.size() + 12 || !s.starts_with(prefix)) continue;
        const auto digits = s.substr(prefix.size());
        if (digits.find_first_not_of("0123456789") == std::string_view::npos) return std::string(digits);
    }
    return {};
}

std::int64_t mtime_of(const std::string& path) {
    std::error_code ec;
    const auto t = fs::last_write_time(path, ec);
    return ec ? -1 : static_cast<std::int64_t>(t.time_since_epoch().count());
}

std::int64_t now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

result<certificate> certificate::from_der(std::string_view der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    detail::gost_engine(); // before any parse: a GOST key read without it stays unreadable in that certificate
    detail::x509_ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!x) {
        ERR_clear_error();
        return fail(errc::signature_unsupported, "the certificate is not DER-encoded X.509");
    }
    return certificate(std::make_shared<const detail::certificate_handle>(detail::certificate_handle{std::move(x)}));
}

result<certificate> certificate::from_pem(std::string_view pem) {
    bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    detail::gost_engine();
    detail::x509_ptr x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!x) return fail(errc::bad_config, "no PEM certificate: " + openssl_error());
    return certificate(std::make_shared<const detail::certificate_handle>(detail::certificate_handle{std::move(x)}));
}

result<certificate> certificate::from_pem_file(const std::string& path) {
    auto text = read_file(path);
    if (!text) return text.error();
    auto c = from_pem(*text);
    if (!c) return fail(errc::bad_config, "\"" + path + "\": " + c.error().detail);
    return c;
}

namespace {

/// A name on one line (RFC 2253, UTF-8 kept).
std::string name_text(const X509_NAME* name) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    const auto n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

} // namespace

std::string certificate::subject() const { return name_text(X509_get_subject_name(h_->x509.get())); }

std::string certificate::issuer() const { return name_text(X509_get_issuer_name(h_->x509.get())); }

std::string certificate::serial_number() const {
    std::string out;
    if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(h_->x509.get()), nullptr)) {
        if (char* dec = BN_bn2dec(bn)) {
            out = dec;
            OPENSSL_free(dec);
        }
        BN_free(bn);
    }
    return out;
}

std::string certificate::bin() const { return subject_number(h_->x509.get(), NID_organizationalUnitName, "BIN"); }

std::string certificate::iin() const { return subject_number(h_->x509.get(), NID_serialNumber, "IIN"); }

std::string certificate::der() const {
    unsigned char* out = nullptr;
    const int n = i2d_X509(h_->x509.get(), &out);
    if (n <= 0) return {};
    std::string s(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
    OPENSSL_free(out);
    return s;
}

std::string certificate::fingerprint() const { return sha256_hex(der()); }

bool certificate::has_rsa_key() const {
    const EVP_PKEY* key = X509_get0_pubkey(h_->x509.get());
    return key && EVP_PKEY_is_a(key, "RSA");
}

trust_store::trust_store(trust_options options) : options_(std::move(options)) {}
trust_store::~trust_store() = default;

result<std::shared_ptr<trust_store>> trust_store::load(trust_options options) {
    std::shared_ptr<trust_store> t(new trust_store(std::move(options)));
    auto s = t->current();
    if (!s) return s.error();
    return t;
}

result<std::shared_ptr<const trust_store::state>> trust_store::current() const {
    std::lock_guard lk(mutex_);
    const auto now = now_s();
    if (state_ && now == checked_at_s_) return state_;
    checked_at_s_ = now;
    std::vector<std::int64_t> mtimes;
    for (const auto& f : options_.crl_files) mtimes.push_back(mtime_of(f));
    if (state_ && mtimes == state_->crl_mtimes) return state_;

    auto s = std::make_shared<state>();
    s->store.reset(X509_STORE_new());
    s->crl_mtimes = std::move(mtimes);
    for (const auto& f : options_.ca_files) {
        bio_ptr bio(BIO_new_file(f.c_str(), "r"));
        if (!bio) return fail(errc::bad_config, "security.trusted_ca: cannot read \"" + f + "\"");
        int n = 0;
        detail::gost_engine();
        while (detail::x509_ptr x{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
            X509_STORE_add_cert(s->store.get(), x.get());
            ++n;
        }
        ERR_clear_error(); // the end of the file reads as an error
        if (n == 0) return fail(errc::bad_config, "security.trusted_ca: no PEM certificate in \"" + f + "\"");
    }
    for (const auto& f : options_.crl_files) {
        auto text = read_file(f);
        if (!text) {
            // a CRL being replaced: keep the one read before rather than refuse everyone
            if (state_) return state_;
            return fail(errc::bad_config, "security.crls: cannot read \"" + f + "\"");
        }
        bio_ptr bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
        X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr);
        if (!crl) {
            ERR_clear_error();
            const auto* p = reinterpret_cast<const unsigned char*>(text->data());
            crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(text->size()));
        }
        if (!crl) {
            ERR_clear_error();
            if (state_) return state_;
            return fail(errc::bad_config, "security.crls: \"" + f + "\" is not a CRL (PEM or DER)");
        }
        X509_STORE_add_crl(s->store.get(), crl);
        X509_CRL_free(crl);
    }
    if (!options_.crl_files.empty()) X509_STORE_set_flags(s->store.get(), X509_V_FLAG_CRL_CHECK);
    state_ = std::move(s);
    accepted_.clear(); // judged under files that changed
    return state_;
}

result<void> trust_store::check(const certificate& cert, std::int64_t at_unix_s) const {
    auto s = current();
    if (!s) return s.error();
    const auto fingerprint = cert.fingerprint();
    {
        std::lock_guard lk(mutex_);
        if (const auto it = accepted_.find(fingerprint);
            it != accepted_.end() && it->second.under == s->get() && at_unix_s < it->second.until_s)
            return {};
    }
    if (auto r = check_chain(cert, **s, at_unix_s); !r) return r;
    // remembered for a minute at most, never past the certificate's end
    std::int64_t until = at_unix_s + 60;
    if (int days = 0, secs = 0; ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(cert.handle().x509.get())) == 1)
        until = std::min(until, now_s() + std::int64_t{days} * 86400 + secs);
    std::lock_guard lk(mutex_);
    if (accepted_.size() >= 4096) accepted_.clear();
    accepted_[fingerprint] = accepted{until, s->get()};
    return {};
}

result<void> trust_store::check_chain(const certificate& cert, const state& s, std::int64_t at_unix_s) const {
    detail::store_ctx_ptr ctx(X509_STORE_CTX_new());
    X509* x = cert.handle().x509.get();
    if (!ctx || X509_STORE_CTX_init(ctx.get(), s.store.get(), x, nullptr) != 1)
        return fail(errc::internal, "cannot start a certificate check: " + openssl_error());
    X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(at_unix_s));
    if (X509_verify_cert(ctx.get()) == 1) return {};
    const int err = X509_STORE_CTX_get_error(ctx.get());
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    ERR_clear_error();
    const std::string what = "\"" + cert.subject() + "\"" + (depth > 0 ? " (its issuer at depth " + std::to_string(depth) + ")" : "") +
                             ": " + X509_verify_cert_error_string(err);
    switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID: return fail(errc::certificate_expired, what);
    case X509_V_ERR_CERT_REVOKED: return fail(errc::certificate_revoked, what);
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER: return fail(errc::certificate_status_unknown, what);
    default: return fail(errc::certificate_untrusted, what);
    }
}

} // namespace qaqpa::crypto
