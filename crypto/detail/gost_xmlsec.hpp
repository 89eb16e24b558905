#pragma once
// GOST R 34.10-2012 signatures and GOST R 34.11-2012 digests as xmlsec1
// transforms (private to crypto/). Debian's xmlsec1 is built without GOST;
// these plug the engine's EVP operations into its XML-DSig processing, so
// xmlsec1 still does the references, C14N and SignedInfo, and only the
// digest and the signature value come from the engine.
//
// A signature value is the engine's output as it is: the 64 (or 128) bytes
// s || r, each big-endian, as GOST R 34.10-2012 and `openssl dgst` under the
// engine write it (and as the XML-DSig GOST profiles require; CryptoAPI-based
// tools reverse the bytes and must turn them back before they put them in XML).

#include <openssl/types.h>
#include <xmlsec/keys.h>
#include <xmlsec/transforms.h>

namespace qaqpa::crypto::detail {

xmlSecTransformId gost2012_256_digest_transform();
xmlSecTransformId gost2012_512_digest_transform();
xmlSecTransformId gost2012_256_signature_transform();
xmlSecTransformId gost2012_512_signature_transform();

/// The key data these signature transforms take.
xmlSecKeyDataId gost_key_data_id();
/// Key data holding `pkey` (one reference of it taken); nullptr on failure.
xmlSecKeyDataPtr gost_key_data(EVP_PKEY* pkey, bool has_private);

/// Registers the transforms with xmlsec1 (once the engine is loaded): a
/// signature that names them then finds them. False when xmlsec1 refuses.
bool register_gost_transforms();

} // namespace qaqpa::crypto::detail
