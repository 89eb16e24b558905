#pragma once
// What one reading of a trust_store's files gave (private to crypto/): the
// OpenSSL store certificates are verified against, shared by x509.cpp
// (chains, CRLs) and ocsp.cpp (issuers, responder signatures).

#include "crypto/detail/openssl_handles.hpp"
#include "crypto/x509.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace qaqpa::crypto {

struct trust_store::state {
    std::unique_ptr<X509_STORE, detail::store_free> store;
    std::vector<std::int64_t> crl_mtimes;
};

} // namespace qaqpa::crypto
