#pragma once
// Transport signatures in integration tests: a node with [security] from the
// test PKI, envelopes signed as one of its identities, and the gateway's own
// signature checked as a caller would check it.

#include "crypto/wss.hpp"
#include "tests/integration/node_fixture.hpp"
#include "tests/integration/reply_fields.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/wss_samples.hpp"

#include <string>

namespace qaqpa::test {

inline std::string security_toml() {
    return "[security]\ngateway_cert = \"" + pki_file("gateway.pem") + "\"\ngateway_key = \"" + pki_file("gateway.key") +
           "\"\ntrusted_ca = [\"" + pki_file("ca.pem") + "\"]\ncrls = [\"" + pki_file("crl.pem") + "\"]\n";
}

/// `s` with [security]: the gateway's pair, the test CA and its CRL.
inline node_settings secured(node_settings s = {}) {
    s.extra_toml += "\n" + security_toml();
    return s;
}

/// `envelope` signed by the test PKI's `who` (sender, sender-ec, other, expired, ...).
inline std::string signed_as(const std::string& who, const std::string& envelope) {
    auto text = crypto::sign_envelope(envelope, *identity_of(who));
    REQUIRE(text);
    return *text;
}

/// The signature over an envelope the gateway sent, checked as its receiver would.
inline result<crypto::verified_signature> gateway_signature(const std::string& text) {
    return crypto::verify_body_signature(text, scanned_body(text));
}

/// The catalog code of a SOAP fault answer (HTTP 500 required).
inline std::string fault_code(const http_reply& reply) {
    INFO(reply.error << reply.body);
    CHECK(reply.status == 500);
    return field(reply.body, "errorCode");
}

} // namespace qaqpa::test
