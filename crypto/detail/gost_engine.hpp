#pragma once
// OpenSSL's GOST engine (Debian: libengine-gost-openssl), loaded once per
// process (private to crypto/). Only its key formats are registered with
// OpenSSL (so certificates and PEM keys with GOST R 34.10-2012 keys parse,
// and chains signed with them verify); its digests and signatures are asked
// for by name, so no other algorithm's lookups go through an engine table.

#include <openssl/types.h>

#include <string>

namespace qaqpa::crypto::detail {

/// The loaded engine, or nullptr when it cannot be loaded on this machine.
ENGINE* gost_engine();
/// Why gost_engine() is null, for a fault or a configuration error; "" when it is not.
const std::string& gost_unavailable_reason();
/// GOST R 34.11-2012 (Streebog) with a 256- or 512-bit output; null without the engine.
const EVP_MD* gost_digest(int bits);

} // namespace qaqpa::crypto::detail
