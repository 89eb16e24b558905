#pragma once
// OpenSSL objects behind crypto/'s own types (private to crypto/).

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>

namespace qaqpa::crypto::detail {

struct x509_free {
    void operator()(X509* x) const noexcept { X509_free(x); }
};
using x509_ptr = std::unique_ptr<X509, x509_free>;

struct certificate_handle {
    x509_ptr x509;
};

struct store_free {
    void operator()(X509_STORE* s) const noexcept { X509_STORE_free(s); }
};
struct store_ctx_free {
    void operator()(X509_STORE_CTX* c) const noexcept { X509_STORE_CTX_free(c); }
};
using store_ctx_ptr = std::unique_ptr<X509_STORE_CTX, store_ctx_free>;

/// The reason OpenSSL's error queue holds (and clears it): for details.
std::string openssl_error();

} // namespace qaqpa::crypto::detail
