#pragma once
// Signature methods as xmlsec1 transforms over OpenSSL EVP, for every key
// family (private to crypto/): RSA (PKCS#1 v1.5), ECDSA and GOST R
// 34.10-2012, plus GOST R 34.11-2012 digests. xmlsec1 still does the
// references, C14N and SignedInfo; these compute the digest and the
// signature value, on key data of their own that holds an EVP_PKEY.
//
// Why not xmlsec1's own RSA and ECDSA: on OpenSSL 3 its key check exports
// the key's parameters on every signature (about a tenth of a
// verification), and Debian's xmlsec1 has no GOST at all. Registering these
// replaces its RSA and ECDSA signature methods (same URIs); its digests,
// C14N and encryption stay its own.
//
// Signature values: RSA as PKCS#1 gives it; ECDSA as XML-DSig wants it, r
// then s, each padded to the curve's size (OpenSSL's DER converted both
// ways); GOST as the engine gives it: s then r, each big-endian, which is
// what `openssl dgst` under the engine makes and checks and what the XML-DSig
// GOST profiles require (CryptoAPI-based tools reverse the bytes and must
// turn them back before they put them in XML).

#include <openssl/types.h>
#include <xmlsec/keys.h>
#include <xmlsec/transforms.h>

namespace qaqpa::crypto::detail {

enum class key_family { rsa, ec, gost2012_256, gost2012_512 };

inline bool is_gost(key_family f) { return f == key_family::gost2012_256 || f == key_family::gost2012_512; }

enum class signature_kind {
    rsa_sha1,
    rsa_sha256,
    rsa_sha384,
    rsa_sha512,
    ecdsa_sha256,
    ecdsa_sha384,
    ecdsa_sha512,
    gost2012_256,
    gost2012_512,
};

xmlSecTransformId signature_transform(signature_kind kind);
xmlSecTransformId gost2012_256_digest_transform();
xmlSecTransformId gost2012_512_digest_transform();

/// Key data holding `pkey` of `family` (one reference of it taken); nullptr on failure.
xmlSecKeyDataPtr evp_key_data(EVP_PKEY* pkey, key_family family, bool has_private);

/// Registers the transforms with xmlsec1 (in place of its RSA and ECDSA
/// signature methods; GOST ones only when `with_gost`). False when xmlsec1 refuses.
bool register_evp_transforms(bool with_gost);

} // namespace qaqpa::crypto::detail
