#pragma once
// A request whose Body came encrypted to the gateway (WS-Security with XML
// Encryption, rules of 2016 appendix 8, scenario 3), opened before the
// channel's codec reads it: the codec, routing and forwarding then see the
// plaintext envelope, as if it had come so.

#include "core/errors.hpp"
#include "routing/transport_security.hpp"
#include "transports/soap/envelope.hpp"

#include <optional>
#include <string>

namespace qaqpa::soap {

struct opened_request {
    bool decrypted = false; ///< the Body came encrypted
    /// What a signature over the ciphertext said (encrypt-then-sign), for
    /// routing::caller_envelope::verified_before.
    std::optional<result<crypto::verified_signature>> verified_before;
};

/// When the Body of `body` is an xenc:EncryptedData, `body` becomes the
/// envelope decrypted with the gateway's key; otherwise it is left alone (a
/// malformed envelope too: the codec names its fault). Failures:
/// decryption_failed, encryption_unsupported, or a signature check's
/// (wrapping) when libxml2 and the scanner disagree on the Body. `version`
/// says how to answer.
result<opened_request> open_if_encrypted(std::string& body, const routing::transport_security* security,
                                         soap_version& version);

} // namespace qaqpa::soap
