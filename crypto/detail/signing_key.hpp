#pragma once
// The private key behind a signing_identity (private to crypto/): it signs
// (wss_sign.cpp) and, as the gateway's encryption key, unwraps the keys
// callers encrypt to it (wss_decrypt.cpp).

#include "crypto/detail/signature_algorithms.hpp"
#include "crypto/wss.hpp"

#include <xmlsec/keys.h>

namespace qaqpa::crypto {

struct signing_identity::key {
    xmlSecKeyPtr value = nullptr;     ///< for the registry's signature transforms
    xmlSecKeyPtr unwrapping = nullptr; ///< RSA only: the same key as xmlsec1's RSA-OAEP takes it
    detail::key_family family = detail::key_family::rsa;
    ~key() {
        if (value) xmlSecKeyDestroy(value);
        if (unwrapping) xmlSecKeyDestroy(unwrapping);
    }
};

} // namespace qaqpa::crypto
