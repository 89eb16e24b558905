#pragma once
// OpenSSL objects behind crypto/'s own types (private to crypto/).

#include <openssl/x509.h>

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

/// The reason OpenSSL's error queue holds (and clears it): for details.
std::string openssl_error();

} // namespace qaqpa::crypto::detail
