#pragma once
// The algorithm registry (private to crypto/): every signature method and
// digest a transport signature may use, by URI, with the key family it
// takes and the xmlsec1 transform that computes it (crypto/detail/
// evp_transforms: RSA and ECDSA through OpenSSL's default provider, GOST R
// 34.10-2012 and 34.11-2012 through its GOST engine). Verifying enables
// exactly these; signing picks its method here by the key's family.

#include "core/errors.hpp"
#include "crypto/detail/evp_transforms.hpp"

#include <openssl/types.h>
#include <xmlsec/keys.h>
#include <xmlsec/transforms.h>

#include <string_view>
#include <vector>

namespace qaqpa::crypto::detail {

struct signature_algorithm {
    std::string_view uri; ///< the SignatureMethod's Algorithm
    key_family family;
    xmlSecTransformId method;
    xmlSecTransformId digest; ///< the DigestMethod the gateway pairs with it when it signs
    bool gateway_signs_with;  ///< the one method the gateway uses for keys of this family
};

/// Every signature method known, available on this node or not.
const std::vector<signature_algorithm>& signature_algorithms();
/// The digest methods a Reference may use (those available on this node).
const std::vector<xmlSecTransformId>& accepted_digests();
/// The method of this URI; nullptr when it is not one of ours.
const signature_algorithm* signature_algorithm_for(std::string_view uri);
/// The method the gateway signs with for a key of this family.
const signature_algorithm& signing_algorithm(key_family family);

/// Whether this node can compute the family's operations: signature_unsupported
/// naming the missing GOST engine when it cannot.
result<void> family_available(key_family family);
/// The family of a public or private key; signature_unsupported for any other key.
result<key_family> family_of(const EVP_PKEY* key);
/// xmlsec1 key data holding `key` (a reference of it taken), for a signature
/// transform of its family; null when xmlsec1 refuses it.
xmlSecKeyDataPtr key_data_for(EVP_PKEY* key, bool has_private);

} // namespace qaqpa::crypto::detail
